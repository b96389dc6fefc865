"""Shared CLI plumbing: consoles, error reporting, JSON input parsing."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import typer
from rich.console import Console

from engine.errors import AuraError

__all__ = [
    "EXIT_FAILED",
    "EXIT_USAGE",
    "console",
    "err_console",
    "fail",
    "parse_json_option",
    "reporting",
]


class _Console(Console):
    """A Rich console that measures the terminal (or ``COLUMNS``/``LINES``) each time it
    prints. Rich reads those variables once, when a console is made, and the CLI's
    consoles are made when the CLI is imported: a process that imports it early and
    prints later (a test worker, a long-lived shell embedding the CLI) would keep the
    width of that moment. A width or height passed in stays fixed."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        if options.get("width") is None:
            self._width = None
        if options.get("height") is None:
            self._height = None


console: Console = _Console(highlight=False, soft_wrap=False)
err_console: Console = _Console(stderr=True, highlight=False, soft_wrap=True)

EXIT_FAILED = 1  # the workflow ran and failed
EXIT_USAGE = 2  # bad input: invalid workflow, unknown id, bad option


def fail(
    message: str,
    *,
    details: Any = None,
    code: int = EXIT_USAGE,
    as_json: bool = False,
    error: str = "error",
) -> NoReturn:
    if as_json:
        print(json.dumps({"error": error, "message": message, "details": details}))
    else:
        err_console.print(f"[bold red]Error:[/] {message}")
        if isinstance(details, list):
            for d in details[:20]:
                if isinstance(d, dict) and "message" in d:
                    where = d.get("path") or ""
                    err_console.print(f"  • {where + ': ' if where else ''}{d['message']}")
            if len(details) > 20:
                err_console.print(f"  … and {len(details) - 20} more")
    raise typer.Exit(code)


@contextmanager
def reporting(as_json: bool = False) -> Iterator[None]:
    """Turns AuraErrors (and an unreachable Redis) into a clear message and exit code 2
    (never a traceback)."""
    import redis

    try:
        yield
    except AuraError as exc:
        fail(exc.message, details=exc.details, as_json=as_json, error=exc.code)
    except (
        redis.exceptions.ConnectionError,
        redis.exceptions.TimeoutError,
        redis.exceptions.AuthenticationError,
    ) as exc:
        fail(redis_unreachable_message(exc), as_json=as_json, error="redis_unavailable")


def safe_url(url: str) -> str:
    """``url`` with its password replaced by ``***``."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password:
        netloc = f"{parts.username or ''}:***@{parts.hostname}:{parts.port or 6379}"
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def redis_unreachable_message(exc: BaseException) -> str:
    """What to say when Redis does not answer (the URL's password hidden)."""
    from urllib.parse import urlsplit

    from engine.config import settings

    raw = settings().redis.url or "(none set)"
    url = safe_url(raw)
    password = urlsplit(raw).password
    reason = (str(exc).replace(password, "***") if password else str(exc)).rstrip(".")
    return (
        f"Cannot reach Redis at {url}: {reason}. Check that it is running and that "
        "AURA_REDIS_URL is right, or start everything with 'aura up' (it runs an "
        "embedded Redis)."
    )


def parse_json_option(value: str | None, name: str) -> Any:
    if value is None:
        return None
    text = value
    if value.startswith("@"):
        try:
            with open(value[1:], encoding="utf-8") as f:
                text = f.read()
        except OSError as exc:
            fail(f"{name}: cannot read {value[1:]}: {exc.strerror}")
    try:
        return json.loads(text)
    except ValueError as exc:
        fail(
            f'{name} is not valid JSON ({exc}). Example: --input \'{{"name": "Ada"}}\' or '
            f"--input @file.json"
        )


def _debug() -> bool:
    """``AURA_DEBUG`` (false when the settings themselves cannot be read: that error is
    the one shown)."""
    from engine.config import settings

    try:
        return settings().debug
    except Exception:
        return False


def guarded(fn: Callable[[], None]) -> None:
    """Runs the app, printing unexpected errors as one line (AURA_DEBUG=1 for a traceback)."""
    try:
        fn()
    except KeyboardInterrupt:
        err_console.print("[yellow]Interrupted.[/]")
        sys.exit(130)
    except Exception as exc:
        if _debug():
            raise
        err_console.print(
            f"[bold red]Internal error:[/] {type(exc).__name__}: {exc}\n"
            "This is a bug in AURA; run again with AURA_DEBUG=1 for details."
        )
        sys.exit(70)
