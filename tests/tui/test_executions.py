"""The executions screens against the real server: the live list (polling, as this
server has no event stream), filters, the detail with node runs and the JSON viewer
(output and rebuilt input), and retry, cancel and delete."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Label, Select, TabbedContent

from tests.tui._canned import CannedApi
from tests.tui._helpers import column, make_app, signed_in, text_of, wait_for
from tests.tui._server import Server
from tui.screens.confirm import ConfirmDialog
from tui.screens.execution_detail import ExecutionDetailScreen
from tui.screens.executions import ExecutionsScreen
from tui.widgets.json_view import JsonView

pytestmark = pytest.mark.anyio


async def _open(pilot: Any) -> ExecutionsScreen:
    await signed_in(pilot)
    await pilot.press("3")
    return await wait_for(pilot, lambda: isinstance(pilot.app.screen, ExecutionsScreen)  # type: ignore[no-any-return]
                          and pilot.app.screen.rows and pilot.app.screen)


def _ids(screen: ExecutionsScreen) -> list[str]:
    return [r.id for r in screen.rows]


async def _highlight(pilot: Any, screen: ExecutionsScreen, execution_id: str) -> None:
    await wait_for(pilot, lambda: execution_id in _ids(screen), what=execution_id)
    screen.query_one("#ex-table", DataTable).move_cursor(row=_ids(screen).index(execution_id))
    await wait_for(pilot, lambda: screen.selected is not None and
                   screen.selected.id == execution_id)


@pytest.mark.parametrize("feed", ["stream", "polling"])
async def test_live_list_and_filters(server: Server, config_file: Path,
                                     tokens: dict[str, str], feed: str) -> None:
    # "polling": a server without the event stream (the route answers 404)
    hidden = frozenset({"/api/v1/events"} if feed == "polling" else ())
    canned = CannedApi(server.url, fleet=False, stream=False, hide=hidden)
    app = make_app(server, config_file, tokens=tokens, transport=canned.transport())
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _open(pilot)
        await wait_for(pilot, lambda: app.feed_mode == feed, what=f"{feed} mode")
        info = screen.query_one("#ex-info", Label)
        await wait_for(pilot, lambda: ("polling /executions" if feed == "polling" else
                                       "live: server event stream") in text_of(info))
        new = server.run("Greet orders", [{"total": 1}])  # started elsewhere
        await wait_for(pilot, lambda: _ids(screen)[0] == new, what="the new execution")
        table = screen.query_one("#ex-table", DataTable)
        assert "succeeded" in column(table, 0)[0] and column(table, 1)[0] == "Greet orders"

        screen.query_one("#ex-status", Select).value = "failed"
        await screen.reload()  # a poll lands before the select's message is handled
        await wait_for(pilot, lambda: screen.rows and
                       {r.status for r in screen.rows} == {"failed"}, what="failed only")
        assert "The warehouse API is down" in column(table, 4)[0]  # Error, after Duration
        error_line = text_of(screen.query_one("#ex-error", Label))  # the highlighted run's
        assert "The warehouse API is down" in error_line and error_line.startswith(
            screen.rows[0].id[:8])
        await pilot.press("0")
        await wait_for(pilot, lambda: {r.status for r in screen.rows} > {"failed"})

        screen.filter_workflow(server.workflows["Always fails"])
        await wait_for(pilot, lambda: screen.rows and
                       {r.workflow_name for r in screen.rows} == {"Always fails"})
        await wait_for(pilot, lambda: screen.query_one("#ex-workflow", Select).value ==
                       server.workflows["Always fails"], what="the select follows")


async def test_detail_shows_node_runs_and_json(server: Server, config_file: Path,
                                               tokens: dict[str, str]) -> None:
    eid = server.run("Greet orders", [{"customer": "Ada", "total": 150},
                                      {"customer": "Bob", "total": 20}])
    app = make_app(server, config_file, tokens=tokens)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _open(pilot)
        await _highlight(pilot, screen, eid)
        await pilot.press("enter")
        detail = await wait_for(pilot, lambda: isinstance(app.screen, ExecutionDetailScreen)
                                and app.screen.execution and app.screen)
        runs = detail.query_one("#node-runs", DataTable)
        assert column(runs, 0) == ["Start", "Big?", "Priority", "Standard"]
        assert all("succeeded" in s for s in column(runs, 2))
        assert column(runs, 5)[:2] == ["2", "2"]  # items in
        runs.move_cursor(row=2)  # Priority
        output = detail.query_one("#json-output", JsonView)
        await wait_for(pilot, lambda: "Priority" in str(output.root.label))
        assert output.root.data == {"main": [{"json": {"customer": "Ada", "total": 150,
                                                       "lane": "priority"},
                                              "paired_item": [{"item": 0, "input": 0}]}]} \
            or output.root.data["main"][0]["json"]["lane"] == "priority"
        await pilot.press("i")
        assert detail.query_one("#node-data", TabbedContent).active == "tab-input"
        inputs = detail.query_one("#json-input", JsonView)
        # Priority's input is what Big? sent on its 'true' port: Ada's order only
        assert [i["json"]["customer"] for i in inputs.root.data["main"]] == ["Ada"]
        runs.move_cursor(row=0)
        await wait_for(pilot, lambda: "trigger" in str(inputs.root.label))
        await pilot.press("j")
        assert inputs.has_focus


async def test_retry_and_delete_a_failed_execution(server: Server, config_file: Path,
                                                   tokens: dict[str, str]) -> None:
    failed = server.run("Always fails")
    app = make_app(server, config_file, tokens=tokens)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _open(pilot)
        await _highlight(pilot, screen, failed)
        await pilot.press("R")
        await wait_for(pilot, lambda: _ids(screen)[0] != failed and
                       screen.rows[0].workflow_name == "Always fails", what="the retry")
        with server.client() as c:
            retry = c.get(f"/executions/{_ids(screen)[0]}").json()
        assert retry["retry_of"] == failed and retry["attempt"] == 2

        await _highlight(pilot, screen, failed)
        await pilot.press("x")
        dialog = await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert dialog
        await pilot.press("n")  # keep it
        await wait_for(pilot, lambda: isinstance(app.screen, ExecutionsScreen))
        assert failed in _ids(screen)
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_for(pilot, lambda: failed not in _ids(screen), what="deleted")
        with server.client() as c:
            assert c.get(f"/executions/{failed}").status_code == 404


async def test_cancel_a_waiting_execution_from_its_detail(server: Server, config_file: Path,
                                                          tokens: dict[str, str]) -> None:
    waiting = server.run("Waits for approval", wait=False)
    app = make_app(server, config_file, tokens=tokens)
    async with app.run_test(size=(100, 30)) as pilot:
        await signed_in(pilot)
        from tui.screens.execution_detail import ExecutionDetailScreen as Detail

        await app.push_screen(Detail(waiting))
        detail = app.screen
        assert isinstance(detail, Detail)
        await wait_for(pilot, lambda: detail.execution is not None and
                       detail.execution.status == "waiting", what="parked")
        await pilot.press("c")
        await wait_for(pilot, lambda: detail.execution is not None and
                       detail.execution.status == "cancelled", what="cancelled")
        assert server.execution(waiting)["status"] == "cancelled"
