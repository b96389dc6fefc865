"""The logs screen follows the live feed (polled from /executions on this server) with
text, kind and error filters."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, Label, RichLog

from tests.tui._helpers import make_app, signed_in, text_of, wait_for
from tests.tui._server import Server
from tui.screens.logs import LogsScreen

pytestmark = pytest.mark.anyio


def _lines(screen: Any) -> list[str]:
    return [strip.text for strip in screen.query_one(RichLog).lines]


async def test_follow_and_filter_events(server: Server, config_file: Path,
                                        tokens: dict[str, str]) -> None:
    app = make_app(server, config_file, tokens=tokens)
    async with app.run_test(size=(100, 30)) as pilot:
        await signed_in(pilot)
        await pilot.press("5")
        screen: Any = await wait_for(pilot, lambda: isinstance(app.screen, LogsScreen)
                                     and app.screen)
        await wait_for(pilot, lambda: app.feed_mode == "polling", what="polling")
        info = screen.query_one("#log-info", Label)
        assert "polling /executions" in text_of(info)
        ok = server.run("Greet orders", [{"total": 1}])
        bad = server.run("Always fails")
        await wait_for(pilot, lambda: any(bad[:8] in ln for ln in _lines(screen)) and
                       any(ok[:8] in ln for ln in _lines(screen)), what="both events")
        failed_line = next(ln for ln in _lines(screen) if bad[:8] in ln)
        assert "execution.finished" in failed_line and "failed" in failed_line
        assert "The warehouse API is down" in failed_line

        await pilot.press("E")  # errors only
        await wait_for(pilot, lambda: _lines(screen) and
                       all("failed" in ln for ln in _lines(screen)), what="errors only")
        await pilot.press("E")
        await pilot.press("slash")
        assert screen.query_one("#log-text", Input).has_focus
        await pilot.press(*ok[:8])
        await wait_for(pilot, lambda: len(_lines(screen)) == 1 and ok[:8] in _lines(screen)[0])
        await pilot.press("escape")
        await pilot.press("f")
        assert "paused" in text_of(info)
        await pilot.press("C")
        await wait_for(pilot, lambda: _lines(screen) == [], what="cleared")
