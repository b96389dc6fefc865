"""``/metrics``: what an operator's Prometheus reads. Real processes on a real Redis
(API, two workers, a scheduler) count into one set of figures; only loopback or the
token may read them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from tests.observability.conftest import queue_env, wait_until

pytestmark = pytest.mark.redis

OWNER = {"email": "ops@example.com", "password": "correct horse battery staple", "name": "Ops"}
HOOK = {
    "name": "Hook",
    "nodes": [
        {
            "name": "Webhook",
            "type": "core.webhook_trigger",
            "parameters": {"path": "count-me", "http_method": "POST"},
        },
        {
            "name": "Set",
            "type": "core.set",
            "parameters": {"assignments": [{"name": "seen", "value": True}]},
        },
    ],
    "connections": [{"source": "Webhook", "target": "Set"}],
}
FAILS = {
    "name": "Fails",
    "nodes": [
        {"name": "Start", "type": "core.manual_trigger"},
        {"name": "Stop", "type": "core.stop_and_error", "parameters": {"message": "no stock"}},
    ],
    "connections": [{"source": "Start", "target": "Stop"}],
}
TICKS = {
    "name": "Ticks",
    "nodes": [
        {
            "name": "Every",
            "type": "core.schedule_trigger",
            "parameters": {"rules": [{"interval": "seconds", "every": 1}]},
        }
    ],
    "connections": [],
}


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of a Prometheus text answer, by (name, labels)."""
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(
    found: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str
) -> float:
    """The sum over samples of ``name`` whose labels include ``labels``."""
    want = set(labels.items())
    return sum(v for (n, ls), v in found.items() if n == name and want <= ls)


@pytest.mark.slow
def test_the_api_serves_what_workers_api_and_scheduler_counted(
    tmp_path: Path, redis_url: str
) -> None:
    from engine.runtimes.embedded import free_port

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with queue_env(
        "sqlite", tmp_path / "data", redis_url, AURA_QUEUE_HEARTBEAT_TIMEOUT_S="10"
    ) as env:
        env.worker()
        env.worker()
        env.spawn("scheduler")
        env.api(port)
        wait_until(lambda: _answers(f"{base}/healthz"), 60, "the API", env)
        c = httpx.Client(base_url=base, timeout=30)
        token = c.post("/api/v1/auth/setup", json=OWNER).json()["access_token"]
        c.headers["Authorization"] = f"Bearer {token}"
        hook = c.post("/api/v1/workflows", json=HOOK).json()["id"]
        assert c.post(f"/api/v1/workflows/{hook}/activate").status_code == 200
        fails = c.post("/api/v1/workflows", json=FAILS).json()["id"]
        ticks = c.post("/api/v1/workflows", json=TICKS).json()["id"]
        assert c.post(f"/api/v1/workflows/{ticks}/activate").status_code == 200

        ids = [c.post("/webhook/count-me", json={"n": n}).json()["execution_id"] for n in range(5)]
        ids += [
            c.post(f"/api/v1/workflows/{fails}/run", json={}).json()["execution_id"]
            for _ in range(2)
        ]
        assert c.post("/webhook/nobody-here", json={}).status_code == 404
        wait_until(lambda: all(_finished(c, i) for i in ids), 60, "the executions", env)
        wait_until(lambda: _ran(c, ticks), 30, "a scheduled execution", env)
        assert c.post(f"/api/v1/workflows/{ticks}/deactivate").status_code == 200

        def scraped() -> dict[Any, float]:
            r = httpx.get(f"{base}/metrics", timeout=30)  # loopback: no token needed
            assert r.status_code == 200, r.text + env.logs()
            assert r.headers["content-type"].startswith("text/plain")
            return samples(r.text)

        # the workers record an execution's end just before its status: a moment later
        wait_until(
            lambda: value(scraped(), "aura_executions_total", workflow="Fails") == 2,
            10,
            "the failed runs to be counted",
            env,
        )
        m = scraped()

    assert (
        value(
            m,
            "aura_executions_total",
            workflow="Hook",
            workflow_id=hook,
            mode="webhook",
            status="succeeded",
        )
        == 5
    )
    assert value(m, "aura_executions_total", workflow="Fails", status="failed") == 2
    assert value(m, "aura_executions_total", workflow="Ticks", mode="schedule") >= 1
    assert value(m, "aura_execution_duration_seconds_count", workflow="Hook") == 5
    assert value(m, "aura_node_runs_total", node_type="core.set", status="succeeded") == 5
    assert value(m, "aura_node_runs_total", node_type="core.stop_and_error", status="failed") == 2
    assert value(m, "aura_node_run_duration_seconds_count", node_type="core.set") == 5
    assert value(m, "aura_webhook_requests_total", kind="webhook", status="202") == 5
    assert value(m, "aura_webhook_requests_total", kind="webhook", status="404") == 1
    assert (
        value(
            m,
            "aura_http_requests_total",
            method="POST",
            route="/api/v1/workflows/{id}/run",
            status="202",
        )
        == 2
    )
    assert value(m, "aura_http_request_duration_seconds_count", route="/healthz") >= 1
    assert not any(
        n == "aura_http_requests_total" and ("route", "/webhook/nobody-here") in ls for n, ls in m
    ), "raw paths must not become labels"
    assert value(m, "aura_scheduler_slots_fired_total") >= 1
    assert value(m, "aura_scheduler_lag_seconds_count") >= 1
    assert value(m, "aura_workers", state="idle") + value(m, "aura_workers", state="busy") == 2
    assert value(m, "aura_redis_up") == 1
    assert value(m, "aura_queue_wait_seconds_count", queue="default") >= 7  # in the workers
    assert ("aura_queue_jobs", frozenset({("queue", "default"), ("state", "queued")})) in m
    assert value(m, "aura_retention_passes_total", result="ok") >= 1  # the scheduler's


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _finished(c: httpx.Client, eid: str) -> bool:
    status = c.get(f"/api/v1/executions/{eid}").json().get("status")
    return status in ("succeeded", "failed", "cancelled", "crashed")


def _ran(c: httpx.Client, wid: str) -> bool:
    r = c.get("/api/v1/executions", params={"workflow_id": wid, "status": "succeeded"})
    return bool(r.json().get("items"))


# -- who may read them ---------------------------------------------------------------------
@pytest.fixture
def app(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from engine.services.store import reset_store
    from studio.api import create_app

    reset_store()
    yield create_app(runtime="inline", auth=False)
    reset_store()


def _get(
    app: Any, client: tuple[str, int], headers: dict[str, str] | None = None
) -> httpx.Response:
    with TestClient(app, client=client) as c:
        return c.get("/metrics", headers=headers or {})


def test_only_loopback_reads_metrics_without_a_token(app: Any) -> None:
    assert _get(app, ("127.0.0.1", 5000)).status_code == 200
    assert _get(app, ("::1", 5000)).status_code == 200
    r = _get(app, ("203.0.113.9", 5000))
    assert r.status_code == 403
    body = r.json()
    assert body["error"] == "forbidden"
    assert "AURA_METRICS_ALLOW" in body["message"] and body["details"]["client"]


def test_a_token_or_an_allowed_range_opens_metrics(
    app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from engine.config import reset_settings

    monkeypatch.setenv("AURA_METRICS_TOKEN", "scrape-me-please")
    monkeypatch.setenv("AURA_METRICS_ALLOW", "10.1.0.0/16")
    reset_settings()
    outsider = ("203.0.113.9", 5000)
    r = _get(app, outsider)
    assert r.status_code == 401 and "AURA_METRICS_TOKEN" in r.json()["message"]
    r = _get(app, outsider, {"Authorization": "Bearer wrong-token"})
    assert r.status_code == 401 and "wrong" in r.json()["message"]
    r = _get(app, outsider, {"Authorization": "Bearer scrape-me-please"})
    assert r.status_code == 200 and "aura_http_requests_total" in r.text
    assert _get(app, ("10.1.7.7", 5000)).status_code == 200
    assert _get(app, ("127.0.0.1", 5000)).status_code == 401  # loopback no longer listed


def test_metrics_can_be_switched_off(app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.config import reset_settings

    monkeypatch.setenv("AURA_METRICS_ENABLED", "false")
    reset_settings()
    r = _get(app, ("127.0.0.1", 5000))
    assert r.status_code == 404 and "AURA_METRICS_ENABLED" in r.json()["message"]
