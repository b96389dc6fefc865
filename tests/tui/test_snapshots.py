"""SVG snapshots of the main screens (pytest-textual-snapshot), on the canned API so every
figure is fixed; the behaviour itself is asserted by the live-server tests beside this.

Update after an intended change: ``pytest tests/tui/test_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable

from tests.tui._canned import CannedApi
from tests.tui._helpers import make_app, wait_for
from tui.app import AuraConsole
from tui.screens.dashboard import DashboardScreen
from tui.screens.execution_detail import ExecutionDetailScreen
from tui.screens.knowledge import KnowledgeScreen
from tui.screens.login import LoginScreen
from tui.screens.workflows import WorkflowsScreen

URL = "http://aura.test"
Snap = Callable[..., bool]


@pytest.fixture(autouse=True)
def _utc() -> Iterator[None]:
    """Times render in UTC whatever the machine's zone."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if old is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = old
    time.tzset()


def _app(tmp_path: Path, *, signed_in: bool = True, **kw: Any) -> AuraConsole:
    canned = CannedApi()
    return make_app(None, tmp_path / "console.json", url=URL,
                    api_key="aura_canned_key" if signed_in else None,
                    transport=canned.transport(), **kw)


async def _ready(pilot: Any) -> AuraConsole:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen) and
                   app.screen.last_activity is not None and app.feed_mode == "stream")
    app.clear_notifications()  # the sign-in notice, before any other screen shows
    await pilot.pause(0.3)
    return app  # type: ignore[no-any-return]


async def _settle(app: AuraConsole, pilot: Any) -> None:
    app.clear_notifications()
    await pilot.pause(0.3)


def test_login(snap_compare: Snap, tmp_path: Path) -> None:
    async def run_before(pilot: Any) -> None:
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, LoginScreen))
        await pilot.pause(0.3)

    assert snap_compare(_app(tmp_path, signed_in=False), terminal_size=(100, 30),
                        run_before=run_before)


@pytest.mark.parametrize("size", [(80, 24), (120, 34)], ids=["80x24", "120x34"])
def test_dashboard(snap_compare: Snap, tmp_path: Path, size: tuple[int, int]) -> None:
    async def run_before(pilot: Any) -> None:
        app = await _ready(pilot)
        await wait_for(pilot, lambda: app.screen.query_one("#services", DataTable)
                       .row_count == 3)
        await _settle(app, pilot)

    assert snap_compare(_app(tmp_path), terminal_size=size, run_before=run_before)


def test_workflows_light(snap_compare: Snap, tmp_path: Path) -> None:
    async def run_before(pilot: Any) -> None:
        app = await _ready(pilot)
        app.theme = "textual-light"
        await pilot.press("2")
        await wait_for(pilot, lambda: isinstance(app.screen, WorkflowsScreen) and
                       app.screen.rows and app.screen._shown_definition)
        await _settle(app, pilot)

    assert snap_compare(_app(tmp_path), terminal_size=(100, 30), run_before=run_before)


def test_execution_detail(snap_compare: Snap, tmp_path: Path) -> None:
    async def run_before(pilot: Any) -> None:
        app = await _ready(pilot)
        await app.push_screen(ExecutionDetailScreen("ex-detail-00000001"))
        detail = app.screen
        assert isinstance(detail, ExecutionDetailScreen)
        await wait_for(pilot, lambda: detail.execution is not None)
        await pilot.pause(0.2)
        detail.query_one("#node-runs", DataTable).move_cursor(row=2)
        await pilot.press("i")
        await _settle(app, pilot)

    assert snap_compare(_app(tmp_path), terminal_size=(120, 34), run_before=run_before)


def test_help(snap_compare: Snap, tmp_path: Path) -> None:
    async def run_before(pilot: Any) -> None:
        app = await _ready(pilot)
        await pilot.press("3")
        await pilot.press("question_mark")
        await pilot.pause(0.3)
        await _settle(app, pilot)

    assert snap_compare(_app(tmp_path), terminal_size=(100, 30), run_before=run_before)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_knowledge(snap_compare: Snap, tmp_path: Path, size: tuple[int, int]) -> None:
    async def run_before(pilot: Any) -> None:
        app = await _ready(pilot)
        await pilot.press("7")
        await wait_for(pilot, lambda: isinstance(app.screen, KnowledgeScreen) and
                       app.screen.documents and app.screen.job)
        await _settle(app, pilot)

    assert snap_compare(_app(tmp_path), terminal_size=size, run_before=run_before)
