"""Helpers for the console tests: build an app for the test server and wait for what a
person would wait for on screen."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from textual.pilot import Pilot
from textual.widgets import DataTable

from tests.tui._server import EMAIL, Server
from tui.app import AuraConsole
from tui.config import ConsoleConfig, Credentials
from tui.connection import Backoff


def make_app(server: Server | None, config_file: Path, *, tokens: dict[str, str] | None = None,
             api_key: str | None = None, url: str | None = None,
             transport: httpx.AsyncBaseTransport | None = None, **kw: Any) -> AuraConsole:
    """An app for ``server`` with a private config; signed in with the session tokens
    (saved in the config, as after an earlier password sign-in) when given."""
    config = ConsoleConfig.load(config_file)
    target = url or (server.url if server else "http://127.0.0.1:9")
    if tokens:
        config.remember(target, Credentials("token", EMAIL, tokens["access_token"],
                                            tokens["refresh_token"]))
    kw.setdefault("backoff", Backoff(base=0.2, cap=1.0))
    kw.setdefault("poll_interval", 0.5)
    kw.setdefault("health_interval", 0.5)
    return AuraConsole(target, config=config, api_key=api_key, transport=transport, **kw)


async def wait_for(pilot: Pilot[Any], check: Callable[[], Any], timeout: float = 15.0,
                   what: str = "") -> Any:
    """Pauses the app until ``check()`` is truthy; fails after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = check()
        except Exception as exc:  # not there yet (query before mount...)
            value, last_error = None, exc
        if value:
            return value
        await pilot.pause(0.05)
    raise AssertionError(f"timed out waiting for {what or check}: last error {last_error!r}"
                         f"; screen {pilot.app.screen!r}")


def cells(table: DataTable[Any]) -> list[list[str]]:
    """The plain text of every row of a table."""
    return [[str(getattr(c, "plain", c)) for c in table.get_row_at(i)]
            for i in range(table.row_count)]


def column(table: DataTable[Any], index: int) -> list[str]:
    return [row[index] for row in cells(table)]


async def signed_in(pilot: Pilot[Any]) -> AuraConsole:
    """Waits for the sign-in to finish and the dashboard to show."""
    app = pilot.app
    assert isinstance(app, AuraConsole)
    await wait_for(
        pilot,
        lambda: app.signed_in and app.current_mode == "dashboard" and app.screen.is_mounted,
        what="signed in",
    )
    return app


def text_of(widget: Any) -> str:
    """The plain text a Label or Static shows."""
    content = widget.content
    return str(getattr(content, "plain", content))
