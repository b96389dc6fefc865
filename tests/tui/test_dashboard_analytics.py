"""The dashboard's execution figures come from the server's analytics API (computed by
its database), the same numbers the API gives; the list-based count is only the
fallback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.tui._helpers import make_app, signed_in, wait_for
from tests.tui._server import Server
from tui.metrics import from_analytics
from tui.screens.dashboard import DashboardScreen

pytestmark = pytest.mark.anyio


async def test_the_dashboard_shows_what_the_analytics_api_counted(
    server: Server, config_file: Path, tokens: dict[str, str]
) -> None:
    app = make_app(server, config_file, tokens=tokens)
    async with app.run_test(size=(100, 30)) as pilot:
        await signed_in(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, DashboardScreen)
        await wait_for(pilot, lambda: screen.last_activity is not None, what="figures")
        shown = screen.last_activity
    assert shown is not None and shown.source == "server"
    since = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    r = httpx.get(
        f"{server.url}/api/v1/analytics",
        params={"since": since, "bucket": "minute"},
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
        timeout=30,
    )
    assert r.status_code == 200, r.text
    figures = r.json()
    assert shown.total == figures["totals"]["executions"] >= 2  # the fixture's runs
    assert shown.by_status == figures["totals"]["by_status"]
    assert shown.failures >= 1 and sum(shown.per_minute) == shown.total


def test_figures_read_from_an_analytics_answer() -> None:
    act = from_analytics(
        {
            "totals": {
                "executions": 5,
                "by_status": {"succeeded": 3, "failed": 1, "crashed": 1},
                "p50_ms": 12.5,
            },
            "series": [
                {"t": "2026-12-01T10:00:00+00:00", "total": 2, "by_status": {"succeeded": 2}},
                {
                    "t": "2026-12-01T10:01:00+00:00",
                    "total": 3,
                    "by_status": {"succeeded": 1, "failed": 1, "crashed": 1},
                },
            ],
        }
    )
    assert act.per_minute == [2, 3] and act.failures_per_minute == [0, 2]
    assert act.failures == 2 and act.success_rate == 0.6 and act.median_ms == 12.5
    assert act.last_minute == 3 and act.source == "server"
