"""``aura tui``: open the operator console (a Textual client of the HTTP API).

The console lives in the ``tui`` package, which the headless engine must not import; this
command replaces the current process with ``python -m tui`` instead.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

__all__ = ["console_argv", "tui"]


def console_argv(
    url: str | None = None, api_key: str | None = None, theme: str | None = None
) -> list[str]:
    """The command line that starts the console with these options."""
    argv = [sys.executable, "-m", "tui"]
    if url:
        argv += ["--url", url]
    if api_key:
        argv += ["--api-key", api_key]
    if theme:
        argv += ["--theme", theme]
    return argv


def tui(
    url: Annotated[
        str | None,
        typer.Option(
            "--url",
            help="The AURA server, e.g. "
            "http://127.0.0.1:5678 (default: the last one "
            "used; env AURA_CONSOLE_URL or AURA_URL).",
        ),
    ] = None,
    api_key: Annotated[
        str | None,
        typer.Option(
            "--api-key",
            help="Sign in with this API "
            "key instead of a password (env "
            "AURA_CONSOLE_API_KEY or AURA_API_KEY; not "
            "saved).",
        ),
    ] = None,
    theme: Annotated[
        str | None,
        typer.Option(
            "--theme",
            help="dark or light, remembered (default: the last one used; ctrl+t switches).",
        ),
    ] = None,
) -> None:
    """Open the operator console: dashboard, workflows, executions, queues and logs of a
    running AURA server. Sign in with your password (and 2FA code) or an API key; the
    session is kept in your config directory (mode 0600)."""
    if theme not in (None, "dark", "light"):
        raise typer.BadParameter("use 'dark' or 'light'", param_hint="--theme")
    argv = console_argv(url, api_key, theme)
    sys.stdout.flush()
    os.execv(argv[0], argv)  # noqa: S606 - our own interpreter and module, no shell
