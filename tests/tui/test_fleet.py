"""When the server gains the routes being built elsewhere (service registry, queues,
workers, the SSE event stream), the console lights up: tested with those routes added in
front of the real server (:mod:`tests.tui._canned`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Label, RichLog

from tests.tui._canned import CannedApi
from tests.tui._helpers import cells, column, make_app, signed_in, text_of, wait_for
from tests.tui._server import Server
from tui.screens.dashboard import DashboardScreen
from tui.screens.executions import ExecutionsScreen
from tui.screens.logs import LogsScreen
from tui.screens.queues import QueuesScreen
from tui.widgets.connection_bar import ConnectionBar
from tui.widgets.metric import MetricCard

pytestmark = pytest.mark.anyio


async def test_dashboard_uses_the_registry_queues_and_workers(
        server: Server, config_file: Path, tokens: dict[str, str]) -> None:
    canned = CannedApi(server.url)
    app = make_app(server, config_file, tokens=tokens, transport=canned.transport())
    async with app.run_test(size=(120, 40)) as pilot:
        await signed_in(pilot)
        screen: Any = app.screen
        assert isinstance(screen, DashboardScreen)
        services = screen.query_one("#services", DataTable)
        await wait_for(pilot, lambda: services.row_count == 3, what="registry rows")
        rows = cells(services)
        assert [r[0] for r in rows] == ["studio-1", "worker-a", "scheduler"]
        assert "healthy" in rows[0][2] and "stale" in rows[2][2]
        assert rows[0][3] == "2 h 01 m" and rows[2][3] == "3 d 00 h"
        assert rows[0][5] == "app-1"
        assert "3 service(s) in the registry, all on AURA 0.1.0" in text_of(
            screen.query_one("#services-note", Label))
        queues = cells(screen.query_one("#queues", DataTable))
        assert queues[0] == ["default", "4", "1", "2", "1"]
        assert text_of(screen.query_one("#queues-note", Label)) == ""
        workers = screen.query_one("#card-workers", MetricCard)
        assert workers.value == "2"


async def test_live_stream_feeds_logs_and_executions(server: Server, config_file: Path,
                                                     tokens: dict[str, str]) -> None:
    canned = CannedApi(server.url, fleet=False)
    app = make_app(server, config_file, tokens=tokens, transport=canned.transport())
    async with app.run_test(size=(100, 30)) as pilot:
        await signed_in(pilot)
        await wait_for(pilot, lambda: app.feed_mode == "stream", what="stream mode")
        bar = app.screen.query_one(ConnectionBar)
        await wait_for(pilot, lambda: "live events" in text_of(bar))

        await pilot.press("5")
        logs: Any = await wait_for(pilot, lambda: isinstance(app.screen, LogsScreen)
                                   and app.screen)
        await canned.events.put({"type": "node.finished", "execution_id": "abcdef123456",
                                 "workflow_name": "Greet orders", "node": "Big?",
                                 "status": "succeeded"})
        await canned.events.put({"type": "execution.failed", "execution_id": "0badc0ffee00",
                                 "workflow_name": "Always fails", "status": "failed",
                                 "error": {"message": "The warehouse API is down"}})

        def lines() -> list[str]:
            return [s.text for s in logs.query_one(RichLog).lines]

        await wait_for(pilot, lambda: len(lines()) == 2, what="two streamed events")
        assert "node.finished" in lines()[0] and "▸ Big?" in lines()[0]
        assert "(polled)" not in lines()[0]
        assert "The warehouse API is down" in lines()[1]

        await pilot.press("3")
        ex: Any = await wait_for(pilot, lambda: isinstance(app.screen, ExecutionsScreen)
                                 and app.screen.rows and app.screen)
        new = server.run("Greet orders", [{"total": 2}])
        await pilot.pause(1.5)  # no polling while the stream is live...
        assert new not in [r.id for r in ex.rows]
        await canned.events.put({"type": "execution.finished", "execution_id": new,
                                 "status": "succeeded"})
        await wait_for(pilot, lambda: ex.rows[0].id == new, what="...an event reloads")


async def test_queue_jobs_workers_and_requeue(server: Server, config_file: Path,
                                              tokens: dict[str, str]) -> None:
    canned = CannedApi(server.url, stream=False)
    app = make_app(server, config_file, tokens=tokens, transport=canned.transport())
    async with app.run_test(size=(100, 40)) as pilot:
        await signed_in(pilot)
        await pilot.press("4")
        screen: Any = await wait_for(pilot, lambda: isinstance(app.screen, QueuesScreen)
                                     and app.screen.jobs and app.screen)
        assert not screen.query_one("#qs-note", Label).display
        jobs = screen.query_one("#qs-jobs", DataTable)
        assert column(jobs, 1) == ["default"]
        assert "NodeExecutionError: The warehouse API is down" in column(jobs, 4)[0]
        workers = cells(screen.query_one("#qs-workers", DataTable))
        assert workers[0][:4] == ["worker-a.1", "▶ busy", "priority, default", "ex-recen"]
        await pilot.press("q")
        await wait_for(pilot, lambda: canned.requeued == [("default", "job-0001")])
