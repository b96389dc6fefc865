"""The execution detail follows the server's node events without asking the server again
while the run is live (the events carry each node's status, counts and output), ignores
late or older events, and shows the stored record once the run has ended."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from textual.widgets import DataTable

from tests.tui._canned import CannedApi
from tests.tui._helpers import column, make_app, signed_in, wait_for
from tests.tui._server import Server
from tui.screens.execution_detail import ExecutionDetailScreen
from tui.widgets.json_view import JsonView

pytestmark = pytest.mark.anyio


class CountingApi(CannedApi):
    """The real server behind a canned event stream, counting requests per path."""

    def __init__(self, forward: str) -> None:
        super().__init__(forward, fleet=False)
        self.paths: list[str] = []

    async def handle(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.path)
        return await super().handle(request)


async def test_detail_applies_node_events_and_reads_the_record_at_the_end(
    server: Server, config_file: Path, tokens: dict[str, str]
) -> None:
    eid = server.run("Greet orders", [{"customer": "Ada", "total": 150}])
    api = CountingApi(server.url)
    app = make_app(server, config_file, tokens=tokens, transport=api.transport())
    async with app.run_test(size=(120, 40)) as pilot:
        await signed_in(pilot)
        await wait_for(pilot, lambda: app.feed_mode == "stream", what="stream mode")
        app.push_screen(ExecutionDetailScreen(eid))
        detail: Any = await wait_for(
            pilot,
            lambda: (
                isinstance(app.screen, ExecutionDetailScreen)
                and app.screen.execution
                and app.screen
            ),
        )
        runs = detail.query_one("#node-runs", DataTable)
        recorded = column(runs, 0)
        assert recorded[0] == "Start"
        reads = api.paths.count(f"/api/v1/executions/{eid}")

        base = {"execution_id": eid, "workflow_name": "Greet orders"}
        # a late start of a node the screen shows finished: it stays finished
        await api.events.put(
            {**base, "type": "node.started", "node": "Start", "seq": 2, "status": "running"}
        )
        # a node finishing: its row, counts and output come from the event itself
        await api.events.put(
            {
                **base,
                "type": "node.finished",
                "node": "Archive",
                "node_type": "core.set",
                "seq": 9,
                "status": "succeeded",
                "duration_ms": 3.5,
                "input_counts": {"main": 1},
                "output_counts": {"main": 1},
                "outputs": {"main": [{"json": {"archived": True}}]},
            }
        )
        # and its own start arriving after it (older seq): ignored
        await api.events.put(
            {**base, "type": "node.started", "node": "Archive", "seq": 8, "status": "running"}
        )
        await wait_for(pilot, lambda: "Archive" in column(runs, 0), what="the live row")
        await pilot.pause(0.8)  # the late start has been handled too
        statuses = dict(zip(column(runs, 0), column(runs, 2), strict=True))
        assert "succeeded" in statuses["Start"] and "succeeded" in statuses["Archive"]
        assert column(runs, 6)[-1] == "1"  # items out
        runs.move_cursor(row=len(column(runs, 0)) - 1)
        output = detail.query_one("#json-output", JsonView)
        await wait_for(pilot, lambda: "Archive" in str(output.root.label))
        assert output.root.data == {"main": [{"json": {"archived": True}}]}
        assert api.paths.count(f"/api/v1/executions/{eid}") == reads  # nothing re-read

        # the run is over: the screen reads the stored record once and shows exactly it
        await api.events.put(
            {**base, "type": "execution.finished", "seq": 10, "status": "succeeded"}
        )
        await wait_for(
            pilot,
            lambda: api.paths.count(f"/api/v1/executions/{eid}") > reads,
            what="the record read",
        )
        await wait_for(pilot, lambda: column(runs, 0) == recorded, what="the record shown")
