"""The correlation id: one webhook call's id in the API's log, in the worker's log
(execution, node runs, the sandbox), in the events of its run, and in the response;
never a secret of the run in any of them. Real API and worker processes on real Redis."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.observability.conftest import queue_env, wait_until
from tests.observability.test_logging import _json_lines, _log
from tests.observability.test_metrics import OWNER, _answers, _finished

pytestmark = pytest.mark.redis

SECRET = "sk-CORR-9f8e7d6c5b4a"
FLOW = {
    "name": "Correlated",
    # a concurrency limit: webhooks of this workflow run on the workers (not in the API)
    "settings": {"concurrency": 4},
    "nodes": [
        {
            "name": "Hook",
            "type": "core.webhook_trigger",
            "parameters": {"path": "corr", "http_method": "POST"},
        },
        {
            "name": "Tag",
            "type": "core.set",
            "parameters": {"assignments": [{"name": "tagged", "value": True}]},
        },
        {
            "name": "Spin",
            "type": "core.code",
            "parameters": {"code": "while True:\n    pass", "timeout_s": 1},
        },
    ],
    "connections": [{"source": "Hook", "target": "Tag"}, {"source": "Tag", "target": "Spin"}],
}


@pytest.mark.slow
def test_one_webhook_calls_id_reaches_api_worker_sandbox_and_events(
    tmp_path: Path, redis_url: str
) -> None:
    import redis

    from engine.events.types import RECENT_KEY
    from engine.runtimes.embedded import free_port

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cid = "corr-hook-7781"
    with queue_env("sqlite", tmp_path / "data", redis_url, AURA_LOG_FORMAT="json") as env:
        env.worker("-v")
        env.api(port, "--access-log", "--log-level", "info")
        wait_until(lambda: _answers(f"{base}/healthz"), 60, "the API", env)
        c = httpx.Client(base_url=base, timeout=30)
        token = c.post("/api/v1/auth/setup", json=OWNER).json()["access_token"]
        c.headers["Authorization"] = f"Bearer {token}"
        wid = c.post("/api/v1/workflows", json=FLOW).json()["id"]
        assert c.post(f"/api/v1/workflows/{wid}/activate").status_code == 200

        r = c.post(
            "/webhook/corr",
            json={"api_key": SECRET},
            headers={"X-Correlation-ID": cid, "X-Request-ID": "req-corr-1"},
        )
        assert r.status_code == 202, r.text
        assert r.headers["x-correlation-id"] == cid
        eid = r.json()["execution_id"]
        # another call without a correlation id: its request id becomes its correlation id
        other = c.post("/webhook/corr", json={}, headers={"X-Request-ID": "req-corr-2"})
        assert other.headers["x-correlation-id"] == "req-corr-2"
        other_id = other.json()["execution_id"]
        wait_until(lambda: _finished(c, eid) and _finished(c, other_id), 60, "the runs", env)
        wait_until(
            lambda: (
                '"execution failed"' in _log(env, "worker")
                and _log(env, "worker").count("execution failed") >= 2
            ),
            10,
            "the worker's lines",
            env,
        )
        worker, api = _json_lines(_log(env, "worker")), _json_lines(_log(env, "studio-api"))
        raw = _log(env, "worker") + _log(env, "studio-api")
        events = [json.loads(e) for e in redis.Redis.from_url(redis_url).lrange(RECENT_KEY, 0, -1)]

    assert SECRET not in raw
    mine = [x for x in api if x.get("correlation_id") == cid]
    assert mine and all(x["request_id"] == "req-corr-1" for x in mine)
    assert any("/webhook/corr" in str(x.get("event")) for x in mine)

    ran = [x for x in worker if x.get("execution_id") == eid]
    assert ran and all(x.get("correlation_id") == cid for x in ran), ran
    by_event = {x["event"]: x for x in ran}
    assert by_event["node failed"]["node"] == "Spin"
    assert by_event["sandbox process stopped: sandbox_timeout"]["correlation_id"] == cid
    assert by_event["execution failed"]["correlation_id"] == cid

    theirs = [x for x in worker if x.get("execution_id") == other_id]
    assert theirs and all(x.get("correlation_id") == "req-corr-2" for x in theirs)

    of_run = [e for e in events if e.get("execution_id") == eid]
    kinds = {e["type"] for e in of_run}
    assert {"execution.queued", "execution.started", "node.finished"} <= kinds, kinds
    assert "execution.finished" in kinds
    assert all(e.get("correlation_id") == cid for e in of_run)


def test_a_header_cannot_smuggle_text_into_log_lines(data_dir: Path) -> None:
    from starlette.testclient import TestClient

    from studio.api import create_app

    with TestClient(create_app(runtime="inline", auth=False)) as c:
        r = c.get("/healthz", headers={"X-Correlation-ID": "bad id\nlevel=error"})
        fine = c.get("/healthz", headers={"X-Correlation-ID": "ok.id_1-2"})
    assert r.headers["x-correlation-id"] == r.headers["x-request-id"]
    assert fine.headers["x-correlation-id"] == "ok.id_1-2"


def test_an_execution_started_outside_a_request_gets_its_own_id(data_dir: Path) -> None:
    """A run started by the CLI or a schedule (no request): one new id for all its
    events; a second run gets another."""
    from engine.events import bus
    from engine.services.executions import RunSpec, start
    from engine.services.principals import RunAs

    flow = {
        "name": "Alone",
        "nodes": [
            {"name": "Start", "type": "core.manual_trigger"},
            {"name": "Set", "type": "core.set", "parameters": {"assignments": []}},
        ],
        "connections": [{"source": "Start", "target": "Set"}],
    }
    seen: list[dict[str, Any]] = []
    original = bus.publish
    bus.publish = lambda e: seen.extend(e if isinstance(e, list) else [e])  # type: ignore[assignment]
    try:
        first = start(RunSpec(principal=RunAs.trigger(), definition=flow, runtime="inline"))
        second = start(RunSpec(principal=RunAs.trigger(), definition=flow, runtime="inline"))
    finally:
        bus.publish = original  # type: ignore[assignment]
    ids = {
        run: {e.get("correlation_id") for e in seen if e.get("execution_id") == run}
        for run in (first.id, second.id)
    }
    assert all(len(v) == 1 and None not in v for v in ids.values()), ids
    assert ids[first.id] != ids[second.id]
