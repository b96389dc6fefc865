"""The dashboard against the real server: activity computed from /executions, services
from the registry (the API server registers itself), "n/a" where the server has no API,
and the API server standing in when the registry route is missing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Label, Sparkline

from tests.tui._canned import CannedApi
from tests.tui._helpers import cells, make_app, signed_in, text_of, wait_for
from tests.tui._server import Server
from tui.screens.dashboard import DashboardScreen
from tui.widgets.metric import MetricCard

pytestmark = pytest.mark.anyio


async def _dashboard(pilot: Any) -> DashboardScreen:
    await signed_in(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, DashboardScreen)
    await wait_for(pilot, lambda: screen.last_activity is not None, what="figures")
    return screen


async def test_dashboard_shows_activity_services_and_missing_apis(
        server: Server, config_file: Path, tokens: dict[str, str]) -> None:
    app = make_app(server, config_file, tokens=tokens)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _dashboard(pilot)
        activity = screen.last_activity
        assert activity is not None
        assert activity.total >= 2 and activity.failures >= 1  # the fixture's two runs
        rate = screen.query_one("#card-rate", MetricCard)
        assert f"{activity.total} in 1 h" in text_of(rate.query_one(".metric-caption", Label))
        assert sum(rate.query_one(Sparkline).data or []) == activity.total
        failures = screen.query_one("#card-failures", MetricCard)
        assert failures.value == str(activity.failures) and failures.has_class("-alert")
        assert "% ok" in text_of(failures.query_one(".metric-caption", Label))
        assert screen.query_one("#card-workers", MetricCard).value == "n/a"

        services = cells(screen.query_one("#services", DataTable))
        api = [row for row in services if row[1] == "api"]
        assert api and "healthy" in api[0][2]  # registered
        assert "service(s) in the registry, all on AURA " in text_of(
            screen.query_one("#services-note", Label))
        queues = text_of(screen.query_one("#queues-note", Label))
        assert "Queue API: not available" in queues and "Worker API" in queues

        before = activity.total
        server.run("Greet orders", [{"total": 5}])
        await pilot.press("r")  # refresh now
        await wait_for(pilot, lambda: screen.last_activity is not None and
                       screen.last_activity.total == before + 1, what="the new run counted")


async def test_without_a_registry_the_api_server_stands_in(
        server: Server, config_file: Path, tokens: dict[str, str]) -> None:
    canned = CannedApi(server.url, fleet=False, stream=False,
                       hide=frozenset({"/api/v1/services"}))
    app = make_app(server, config_file, tokens=tokens, transport=canned.transport())
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _dashboard(pilot)
        services = cells(screen.query_one("#services", DataTable))
        assert services[0][0] == "api (this server)" and "ready" in services[0][2]
        assert services[0][5] == server.url
        note = text_of(screen.query_one("#services-note", Label))
        assert "not available on this server" in note and "/api/v1/services" in note
