"""Queues and workers against the real server, which has no queue or worker API yet:
the screen says so, shows what /executions tells, and requeues a failed job by
retrying its execution."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Label, Select

from tests.tui._helpers import cells, column, make_app, signed_in, text_of, wait_for
from tests.tui._server import Server
from tui.screens.queues import QueuesScreen

pytestmark = pytest.mark.anyio


async def test_fallback_views_and_requeue(server: Server, config_file: Path,
                                          tokens: dict[str, str]) -> None:
    failed = server.run("Always fails")
    app = make_app(server, config_file, tokens=tokens)
    async with app.run_test(size=(100, 30)) as pilot:
        await signed_in(pilot)
        await pilot.press("4")
        screen: Any = await wait_for(pilot, lambda: isinstance(app.screen, QueuesScreen)
                                     and app.screen.jobs and app.screen)
        note = text_of(screen.query_one("#qs-note", Label))
        assert "queue API (/api/v1/queues)" in note and "worker API" in note
        queues = cells(screen.query_one("#qs-queues", DataTable))
        assert queues[0][0] == "executions" and int(queues[0][4]) >= 1  # failed
        # the two tables fill from separate requests: wait for the workers one too
        workers = await wait_for(pilot, lambda: cells(screen.query_one("#qs-workers",
                                                                       DataTable)))
        assert workers[0][0] == "n/a (no worker API)"

        assert failed in [j.execution_id for j in screen.jobs]
        table = screen.query_one("#qs-jobs", DataTable)
        table.move_cursor(row=[j.execution_id for j in screen.jobs].index(failed))
        await pilot.press("q")
        with server.client() as c:
            def retried() -> bool:
                page = c.get("/executions", params={"workflow_id":
                                                   server.workflows["Always fails"]}).json()
                return any(e["retry_of"] == failed for e in page["items"])

            await wait_for(pilot, retried, what="the failed job requeued (retried)")

        await pilot.press("s")  # next state: queued
        await wait_for(pilot, lambda: screen.query_one("#qs-state", Select).value ==
                       "queued" and screen.state == "queued")
        await wait_for(pilot, lambda: all("failed" not in s for s in column(table, 0)))
