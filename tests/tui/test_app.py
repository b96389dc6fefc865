"""App-wide behaviour against the real server: keys 1-5, help, the command palette,
light/dark themes, riding out a server outage, signing out, and every screen at 80x24."""

from __future__ import annotations

import io
import json
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
from rich.console import Console
from textual.command import CommandPalette
from textual.widgets import DataTable, Static

from tests.tui._canned import CannedApi
from tests.tui._helpers import make_app, signed_in, text_of, wait_for
from tests.tui._proxy import Proxy
from tests.tui._server import Server, free_port
from tui.app import SCREENS_ORDER
from tui.screens.execution_detail import ExecutionDetailScreen
from tui.screens.help import HelpScreen
from tui.screens.login import LoginScreen
from tui.screens.workflows import WorkflowsScreen
from tui.widgets.connection_bar import ConnectionBar

pytestmark = pytest.mark.anyio


async def test_help_lists_the_keys_of_the_screen_and_the_app(
    server: Server, config_file: Path, tokens: dict[str, str]
) -> None:
    app = make_app(server, config_file, tokens=tokens)
    async with app.run_test(size=(100, 30)) as pilot:
        await signed_in(pilot)
        await pilot.press("2")
        await wait_for(pilot, lambda: isinstance(app.screen, WorkflowsScreen))
        await pilot.press("question_mark")
        help_screen = await wait_for(
            pilot, lambda: isinstance(app.screen, HelpScreen) and app.screen
        )
        console = Console(width=100, record=True, file=io.StringIO())
        for static in help_screen.query(Static):
            console.print(static.content)
        text = console.export_text()
        assert "This screen: Workflows" in text
        for words in (
            "Activate",
            "Deactivate",
            "Run",
            "Filter",
            "Everywhere",
            "Dashboard",
            "Logs",
            "ctrl+p",
        ):
            assert words in text, words
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, WorkflowsScreen))


async def test_a_screen_polls_the_server_only_while_it_is_shown(
    server: Server, config_file: Path, tokens: dict[str, str]
) -> None:
    """The knowledge screen re-reads its list every poll interval while it is shown; on
    another screen it stops asking, and shown again it reloads and polls again."""
    path = "/api/v1/knowledge-bases"
    seen: Counter[str] = Counter()
    canned = CannedApi(server.url)  # the event stream is canned: no live reloads

    async def counting(request: httpx.Request) -> httpx.Response:
        seen[request.url.path] += 1
        return await canned.handle(request)

    app = make_app(
        server,
        config_file,
        tokens=tokens,
        poll_interval=0.2,
        transport=httpx.MockTransport(counting),
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await signed_in(pilot)
        await pilot.press("7")
        await wait_for(pilot, lambda: seen[path] >= 4, what="polls while shown")
        await pilot.press("1")
        await wait_for(pilot, lambda: app.current_mode == "dashboard")
        await pilot.pause(0.5)  # a reload under way when the screen was left lands
        stopped = seen[path]
        await pilot.pause(1.5)  # several poll intervals
        assert seen[path] == stopped
        await pilot.press("7")
        await wait_for(pilot, lambda: seen[path] >= stopped + 4, what="polls again")


async def test_number_keys_switch_screens(
    server: Server, config_file: Path, tokens: dict[str, str]
) -> None:
    app = make_app(server, config_file, tokens=tokens)
    async with app.run_test(size=(100, 30)) as pilot:
        await signed_in(pilot)
        for i, (mode, _) in reversed(list(enumerate(SCREENS_ORDER, 1))):
            await pilot.press(str(i))
            await wait_for(pilot, lambda m=mode: app.current_mode == m, what=mode)


async def test_palette_opens_a_workflow_and_an_execution(
    server: Server, config_file: Path, tokens: dict[str, str]
) -> None:
    eid = server.run("Greet orders", [{"total": 7}])
    app = make_app(server, config_file, tokens=tokens)
    async with app.run_test(size=(100, 30)) as pilot:
        await signed_in(pilot)
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"always fails")
        await pilot.pause(0.5)
        await pilot.press("enter")
        screen: Any = await wait_for(
            pilot,
            lambda: isinstance(app.screen, WorkflowsScreen) and app.screen.selected and app.screen,
        )
        await wait_for(pilot, lambda: screen.selected.name == "Always fails")

        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*eid[:10])
        await pilot.pause(0.5)
        await pilot.press("enter")
        detail = await wait_for(
            pilot,
            lambda: (
                isinstance(app.screen, ExecutionDetailScreen)
                and app.screen.execution
                and app.screen
            ),
        )
        assert detail.execution.id == eid


async def test_theme_toggle_is_remembered(
    server: Server, config_file: Path, tokens: dict[str, str]
) -> None:
    app = make_app(server, config_file, tokens=tokens)
    async with app.run_test(size=(100, 30)) as pilot:
        await signed_in(pilot)
        assert app.theme == "textual-dark"
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: app.theme == "textual-light")
        await wait_for(
            pilot,
            lambda: json.loads(config_file.read_text())["theme"] == "textual-light",
            what="saved",
        )
    again = make_app(server, config_file)
    async with again.run_test(size=(100, 30)) as pilot:
        await signed_in(pilot)
        assert again.theme == "textual-light"


async def test_outage_shows_reconnecting_then_recovers(
    server: Server, config_file: Path, tokens: dict[str, str]
) -> None:
    proxy = Proxy(free_port(), int(server.url.rsplit(":", 1)[1]))
    proxy.start()
    try:
        app = make_app(None, config_file, tokens=tokens, url=proxy.url)
        async with app.run_test(size=(100, 30)) as pilot:
            await signed_in(pilot)
            bar = app.screen.query_one(ConnectionBar)
            await wait_for(pilot, lambda: text_of(bar).startswith("● 127.0.0.1"))
            proxy.stop()
            await wait_for(pilot, lambda: bar.has_class("-down"), what="outage shown")
            text = text_of(bar)
            assert "Cannot reach" in text and "Reconnecting in" in text and "attempt" in text
            assert "may be stale" in text
            await wait_for(pilot, lambda: app.connection.attempt >= 2, what="backing off")
            assert app.feed_mode == "offline"
            proxy.start()
            await pilot.press("ctrl+r")
            await wait_for(pilot, lambda: app.connection.connected, what="reconnected")
            assert not bar.has_class("-down")
            await wait_for(pilot, lambda: app.feed_mode == "stream", what="feed back")
            assert app.signed_in and isinstance(app.screen, type(app.screen))
    finally:
        proxy.close()


async def test_sign_out_forgets_the_session(server: Server, config_file: Path) -> None:
    with server.client() as c:
        login = c.post(
            "/auth/login",
            json={"email": "operator@example.com", "password": "correct horse battery staple"},
        )
        own = {k: login.json()[k] for k in ("access_token", "refresh_token")}
    app = make_app(server, config_file, tokens=own)
    async with app.run_test(size=(100, 30)) as pilot:
        await signed_in(pilot)
        await app.sign_out()
        await wait_for(
            pilot,
            lambda: "Signed out" in text_of(app.screen.query_one("#login-status", Static)),
            what="the sign-in form",
        )
        assert isinstance(app.screen, LoginScreen)
    assert server.url not in json.loads(config_file.read_text())["servers"]
    r = server.client().post("/auth/refresh", json={"refresh_token": own["refresh_token"]})
    assert r.status_code == 401  # the session ended on the server too


@pytest.mark.parametrize("key", ["1", "2", "3", "4", "5", "7"])
async def test_every_screen_fits_80x24(
    server: Server, config_file: Path, tokens: dict[str, str], key: str
) -> None:
    app = make_app(server, config_file, tokens=tokens)
    async with app.run_test(size=(80, 24)) as pilot:
        await signed_in(pilot)
        await pilot.press(key)
        await wait_for(pilot, lambda: app.current_mode == SCREENS_ORDER[int(key) - 1][0])
        screen = app.screen
        assert screen.has_class("-narrow")
        tables = [t for t in screen.query(DataTable) if t.display]
        # every table is on screen and usable (rows arrive when the server has answered)
        await wait_for(
            pilot,
            lambda: all(t.region.height >= 2 for t in tables),
            what="every table showing rows",
        )
        for table in tables:
            assert table.region.right <= 80, table.id
        bar = screen.query_one(ConnectionBar)
        assert bar.region.y == 1 and bar.region.width == 80
