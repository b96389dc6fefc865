"""Project quotas in the console (queues screen, key 4) against a real server on the rq
runtime with a real worker: the quota an admin set and the project's running and
waiting executions, as the API reports them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Label

from tests.tui._helpers import cells, make_app, signed_in, text_of, wait_for
from tests.tui._server import Server
from tests.tui.test_queues_live import rq_server  # noqa: F401 (module fixture)
from tui.screens.queues import QueuesScreen

pytestmark = [pytest.mark.anyio, pytest.mark.redis]

NAP = {"name": "Nap", "nodes": [
    {"name": "Start", "type": "core.manual_trigger"},
    {"name": "Nap", "type": "core.wait", "parameters": {"amount": 20, "unit": "seconds"}}],
    "connections": [{"source": "Start", "target": "Nap"}]}


async def test_quotas_and_waiting_runs_are_shown(rq_server: Server,  # noqa: F811
                                                 config_file: Path) -> None:
    server = rq_server
    with server.client() as c:
        project = c.post("/projects", json={"name": "Night batch"}).json()["id"]
        r = c.put("/quotas", json={"project_id": project, "quota": 2})
        assert r.status_code == 200, r.text
        wid = c.post("/workflows", params={"project_id": project}, json=NAP).json()["id"]
        runs = [c.post(f"/workflows/{wid}/run", json={}).json()["execution_id"]
                for _ in range(3)]
        app = make_app(server, config_file, api_key=server.api_key)
        async with app.run_test(size=(120, 40)) as pilot:
            await signed_in(pilot)
            await pilot.press("4")
            screen: Any = await wait_for(pilot, lambda: isinstance(app.screen, QueuesScreen)
                                         and app.screen, what="the queues screen")
            row = await wait_for(pilot, lambda: [
                r for r in cells(screen.query_one("#qs-quotas", DataTable))
                if r[0] == "Night batch" and (r[2], r[3]) == ("1", "2")], timeout=30,
                what="the project with one run running (one worker) and two waiting")
            assert row[0][1] == "2 (own)"  # the quota an admin set
            title = text_of(screen.query_one("#qs-quotas-title", Label))
            assert "default 8 at once" in title
        for eid in runs:  # leave nothing running for the other tests of the server
            c.post(f"/executions/{eid}/cancel")
