"""The dashboard against the real server: activity computed from /executions, the API
server standing in for the service registry, and "n/a" where the server has no API."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Label, Sparkline

from tests.tui._helpers import cells, make_app, signed_in, text_of, wait_for
from tests.tui._server import Server
from tui.screens.dashboard import DashboardScreen
from tui.widgets.metric import MetricCard

pytestmark = pytest.mark.anyio


async def test_dashboard_shows_activity_services_and_missing_apis(
        server: Server, config_file: Path, tokens: dict[str, str]) -> None:
    app = make_app(server, config_file, tokens=tokens)
    async with app.run_test(size=(100, 30)) as pilot:
        await signed_in(pilot)
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        await wait_for(pilot, lambda: screen.last_activity is not None, what="figures")
        activity = screen.last_activity
        assert activity is not None
        assert activity.total >= 2 and activity.failures >= 1  # the fixture's two runs
        rate = screen.query_one("#card-rate", MetricCard)
        assert "in the last hour" in text_of(rate.query_one(".metric-caption", Label))
        assert sum(rate.query_one(Sparkline).data or []) == activity.total
        failures = screen.query_one("#card-failures", MetricCard)
        assert failures.value == str(activity.failures) and failures.has_class("-alert")
        assert "succeeded" in text_of(failures.query_one(".metric-caption", Label))
        assert screen.query_one("#card-workers", MetricCard).value == "n/a"

        services = cells(screen.query_one("#services", DataTable))
        assert services[0][0] == "api (this server)" and "ready" in services[0][2]
        assert services[0][3] == "1.0.0" and services[0][5] == server.url
        note = text_of(screen.query_one("#services-note", Label))
        assert "not available on this server" in note and "/api/v1/services" in note
        queues = text_of(screen.query_one("#queues-note", Label))
        assert "Queue API: not available" in queues and "Worker API" in queues

        before = activity.total
        server.run("Greet orders", [{"total": 5}])
        await pilot.press("r")  # refresh now
        await wait_for(pilot, lambda: screen.last_activity is not None and
                       screen.last_activity.total == before + 1, what="the new run counted")
