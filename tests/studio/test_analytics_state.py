"""The Analytics page's state on a seeded set of executions (tests/support/analytics_seed):
the figures an owner and a project member read, the project filter, the sortable
workflow table; and the display helpers on edge cases."""

from __future__ import annotations

from typing import Any

from studio.logic import analytics_view as view
from studio.state.analytics import AnalyticsState
from tests.studio.admin_support import (
    Instance,
    call,
    instance_fixture,  # noqa: F401 (the fixture)
    make,
)
from tests.support.analytics_seed import seed


def _card(s: Any, key: str) -> str:
    """A card's value as read aloud (the no-break spaces inside durations as spaces)."""
    return next(c["value"] for c in s.cards if c["id"] == key).replace("\u00a0", " ")


def _projects(instance: Instance) -> tuple[str, str, Any]:
    owner = instance.principal(instance.owner.id)
    alpha = instance.auth.create_project(owner, "Alpha").id
    beta = instance.auth.create_project(owner, "Beta").id
    mia = instance.user("mia@example.com", "editor")
    instance.auth.set_project_member(owner, alpha, mia.id, "viewer")
    seed(instance.auth.context().store, alpha, beta)
    return alpha, beta, mia


def test_owner_sees_every_project_and_filters_one(instance: Instance) -> None:
    _, beta, _ = _projects(instance)
    s = make(AnalyticsState)
    call(s, "load")
    assert s.total == 9
    assert _card(s, "executions") == "9"
    assert _card(s, "failure-rate") == "44.4 %" and _card(s, "success-rate") == "55.6 %"
    assert _card(s, "llm") == "6,200 · $1.62"
    assert {p["name"] for p in s.projects} >= {"Alpha", "Beta"}
    assert sum(b["total"] for b in s.bars) == 9
    assert s.peak == "Tallest bar: 9 executions in an hour"

    call(s, "set_project", beta)
    assert s.total == 3 and _card(s, "failure-rate") == "100.0 %"
    assert [(f["node_type"], f["failed"], f["rate"]) for f in s.failures] == [
        ("core.send_email", "3", "100.0 %")
    ]
    call(s, "set_project", "__all__")
    assert s.project == "" and s.total == 9


def test_a_member_sees_only_their_projects(instance: Instance) -> None:
    alpha, beta, mia = _projects(instance)
    instance.act_as(mia.id)
    s = make(AnalyticsState)
    call(s, "load")
    assert s.total == 6
    assert _card(s, "failure-rate") == "16.7 %" and _card(s, "success-rate") == "83.3 %"
    assert _card(s, "duration") == "300 ms / 7.0 s"
    assert _card(s, "queue-wait") == "100 ms / 3.0 s"
    assert _card(s, "llm") == "1,200 · $0.12"
    mine = {p["id"] for p in s.projects}
    assert alpha in mine and beta not in mine
    # slowest first (p95), then sorted by name and back
    assert [w["workflow"] for w in s.sorted_workflows] == ["Reports", "Orders"]
    assert [w["p95_text"] for w in s.sorted_workflows] == ["7.0 s", "2.0 s"]
    call(s, "sort", "failed")
    assert [w["workflow"] for w in s.sorted_workflows] == ["Orders", "Reports"]
    call(s, "sort", "workflow")
    assert [w["workflow"] for w in s.sorted_workflows] == ["Orders", "Reports"]
    call(s, "sort", "workflow")
    assert [w["workflow"] for w in s.sorted_workflows] == ["Reports", "Orders"]
    assert [(f["node_type"], f["failed"], f["runs"]) for f in s.failures] == [
        ("core.http_request", "1", "4 runs")
    ]
    assert {w["mode"]: w["p95"] for w in s.waits} == {"webhook": "100 ms", "schedule": "3.0 s"}

    # another project's id (from a stale link) falls back to the member's own
    s.project = beta
    call(s, "load")
    assert s.project == "" and s.total == 6
    call(s, "set_period", "1h")
    assert s.total == 0 and len(s.bars) >= 60


def test_display_helpers() -> None:
    assert view.duration(None) == "—" and view.duration(999) == "999 ms"
    assert view.duration(90_000) == "1.5 min" and view.percent(None) == "—"
    data = {
        "series": [
            {
                "t": "2026-12-01T00:00:00+00:00",
                "total": 4,
                "by_status": {"succeeded": 2, "failed": 1, "running": 1},
            },
            {"t": "2026-12-01T01:00:00+00:00", "total": 0, "by_status": {}},
        ],
        "period": {"bucket": "hour"},
    }
    first, second = view.series_bars(data)
    assert (first["ok_h"], first["bad_h"], first["other_h"]) == ("50.0%", "25.0%", "25.0%")
    assert first["tip"] == "00:00 UTC: 4 executions, 2 succeeded, 1 failed, 1 other"
    assert second["ok_h"] == "0.0%" and second["tip"].startswith("01:00 UTC: 0 executions")
