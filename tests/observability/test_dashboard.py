"""The Grafana dashboard in docs/ queries only metrics that ``/metrics`` serves, and its
panels are laid out without overlapping."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.observability.conftest import reset_process_state

DASHBOARD = Path(__file__).resolve().parents[2] / "docs" / "grafana" / "aura-dashboard.json"


def _served(redis_url: str, monkeypatch: pytest.MonkeyPatch) -> set[str]:
    from engine.observability import metrics
    from engine.observability.collectors import QueueCollector

    monkeypatch.setenv("AURA_REDIS_URL", redis_url)
    reset_process_state()
    metrics.execution_finished("w", "W", "manual", "succeeded", 0.1)
    metrics.node_finished("core.noop", "succeeded", 0.01)
    metrics.http_request("GET", "/healthz", 200, 0.001)
    metrics.webhook_request("webhook", 202)
    metrics.scheduler_fired(0.01)
    metrics.queue_wait("default", 0.2)
    metrics.sandbox_call("python", "unavailable", 0.01)
    metrics.retention_pass(1, 1, ok=True)
    text = metrics.render([QueueCollector()]).decode()
    return {s.name for f in text_string_to_metric_families(text) for s in f.samples}


@pytest.mark.redis
def test_every_query_uses_a_served_metric(redis_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import redis
    from rq import Queue

    queue = Queue("dashboard-test", connection=redis.Redis.from_url(redis_url))
    queue.enqueue("builtins.print", "x")  # so the queue families have a sample
    try:
        served = _served(redis_url, monkeypatch)
    finally:
        queue.delete(delete_jobs=True)
    dash = json.loads(DASHBOARD.read_text())
    used: set[str] = set()
    for panel in dash["panels"]:
        for target in panel.get("targets", []):
            used |= set(re.findall(r"\baura_[a-z_]+", target["expr"]))
    used |= set(re.findall(r"\baura_[a-z_]+", json.dumps(dash["templating"])))
    assert used, "the dashboard queries nothing"
    assert used <= served, f"not served: {sorted(used - served)}"
    assert {"aura_queue_jobs", "aura_workers", "aura_executions_total"} <= used


def test_panels_do_not_overlap_and_each_has_a_query() -> None:
    dash = json.loads(DASHBOARD.read_text())
    cells: dict[tuple[int, int], str] = {}
    for panel in dash["panels"]:
        g = panel["gridPos"]
        assert g["x"] + g["w"] <= 24, panel["title"]
        for x in range(g["x"], g["x"] + g["w"]):
            for y in range(g["y"], g["y"] + g["h"]):
                assert (x, y) not in cells, f"{panel['title']} overlaps {cells[(x, y)]}"
                cells[(x, y)] = panel["title"]
        if panel["type"] != "row":
            assert panel["targets"] and panel["datasource"]["uid"] == "${datasource}"
    assert len({p["id"] for p in dash["panels"]}) == len(dash["panels"])
