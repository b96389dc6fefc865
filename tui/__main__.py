"""``python -m tui [--url URL] [--api-key KEY] [--theme NAME]``: start the console.

``aura tui`` runs this module in a new process, so the headless ``engine`` never imports
Textual. The options' defaults come from the settings tree (``settings().console``:
``AURA_CONSOLE_URL`` or ``AURA_URL``, ``AURA_CONSOLE_API_KEY`` or ``AURA_API_KEY``).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.app import AuraConsole


def console(argv: list[str] | None = None) -> AuraConsole:
    """The console the command line ``argv`` asks for (not running yet)."""
    from engine.config import settings

    options = settings().console
    parser = argparse.ArgumentParser(
        prog="aura tui",
        description="The AURA operator console: a terminal client of an AURA server.",
    )
    parser.add_argument(
        "--url",
        default=options.url,
        help="the server (default: the last one used, else "
        "http://127.0.0.1:5678; env AURA_CONSOLE_URL or AURA_URL)",
    )
    parser.add_argument(
        "--api-key",
        default=options.api_key,
        help="sign in with this API key (env AURA_CONSOLE_API_KEY or AURA_API_KEY; not saved)",
    )
    parser.add_argument(
        "--theme",
        choices=("dark", "light"),
        default=None,
        help="use this theme from now on (default: the last one used)",
    )
    args = parser.parse_args(argv)

    from tui.app import AuraConsole
    from tui.config import ConsoleConfig

    config = ConsoleConfig.load()
    if args.theme:  # remembered, like ctrl+t
        config.theme = f"textual-{args.theme}"
        config.save()
    return AuraConsole(args.url, config=config, api_key=args.api_key)


def main(argv: list[str] | None = None) -> None:
    """Parses the command line and runs the console until it quits."""
    console(argv).run()


if __name__ == "__main__":
    main()
