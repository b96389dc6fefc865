"""The logs screen follows the live feed (the server's event stream, or changes polled
from /executions when it has none) with text, kind and error filters."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, Label, RichLog, Select

from tests.tui._canned import CannedApi
from tests.tui._helpers import make_app, signed_in, text_of, wait_for
from tests.tui._server import Server
from tui.screens.logs import LogsScreen

pytestmark = pytest.mark.anyio


def _lines(screen: Any) -> list[str]:
    return [strip.text for strip in screen.query_one(RichLog).lines]


async def _logs(pilot: Any) -> Any:
    await signed_in(pilot)
    await pilot.press("5")
    return await wait_for(pilot, lambda: isinstance(pilot.app.screen, LogsScreen)
                          and pilot.app.screen)


async def test_follow_and_filter_the_event_stream(server: Server, config_file: Path,
                                                  tokens: dict[str, str]) -> None:
    app = make_app(server, config_file, tokens=tokens)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _logs(pilot)
        await wait_for(pilot, lambda: app.feed_mode == "stream", what="the stream")
        info = screen.query_one("#log-info", Label)
        await wait_for(pilot, lambda: "live: server event stream" in text_of(info))
        ok = server.run("Greet orders", [{"total": 1}])
        bad = server.run("Always fails")

        def finished(eid: str) -> str:
            return next((ln for ln in _lines(screen)
                         if eid[:8] in ln and "execution.finished" in ln), "")

        await wait_for(pilot, lambda: finished(ok) and finished(bad), what="both runs")
        assert "failed" in finished(bad) and "The warehouse API is down" in finished(bad)
        assert any("node.finished" in ln and "▸ Big?" in ln and ok[:8] in ln
                   for ln in _lines(screen))

        screen.query_one("#log-kind", Select).value = "execution."
        await wait_for(pilot, lambda: _lines(screen) and
                       all(" execution." in ln for ln in _lines(screen)), what="kind")
        await pilot.press("E")  # errors only
        await wait_for(pilot, lambda: _lines(screen) and
                       all("failed" in ln for ln in _lines(screen)), what="errors only")
        await pilot.press("E")
        await pilot.press("slash")
        assert screen.query_one("#log-text", Input).has_focus
        await pilot.press(*ok[:8])
        await wait_for(pilot, lambda: _lines(screen) and
                       all(ok[:8] in ln for ln in _lines(screen)), what="text filter")
        await pilot.press("escape")
        await pilot.press("f")
        assert "paused" in text_of(info)
        await pilot.press("C")
        await wait_for(pilot, lambda: _lines(screen) == [], what="cleared")


async def test_without_a_stream_changes_are_polled(server: Server, config_file: Path,
                                                   tokens: dict[str, str]) -> None:
    canned = CannedApi(server.url, fleet=False, stream=False,
                       hide=frozenset({"/api/v1/events"}))
    app = make_app(server, config_file, tokens=tokens, transport=canned.transport())
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _logs(pilot)
        await wait_for(pilot, lambda: app.feed_mode == "polling", what="polling")
        assert "this server has no event stream" in text_of(
            screen.query_one("#log-info", Label))
        bad = server.run("Always fails")
        await wait_for(pilot, lambda: any(bad[:8] in ln for ln in _lines(screen)))
        line = next(ln for ln in _lines(screen) if bad[:8] in ln)
        assert "execution.finished" in line and "failed" in line and "(polled)" in line
