"""``/api/v1/queues`` and ``/api/v1/workers`` on a real Redis with a real worker, and
their 404 on a server without Redis."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.api._helpers import manual_workflow
from tests.api.test_queue_runtime import queue_client  # noqa: F401 (fixture)
from tests.support.fixtures import redis_for_tests, redis_url  # noqa: F401 (fixtures)


def _until(what: Callable[[], Any], timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = what()
        if value:
            return value
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def _queue(c: TestClient, name: str) -> dict[str, Any] | None:
    r = c.get("/api/v1/queues")
    assert r.status_code == 200, r.text
    return next((q for q in r.json()["items"] if q["name"] == name), None)


def _jobs(c: TestClient, name: str, state: str) -> list[dict[str, Any]]:
    r = c.get(f"/api/v1/queues/{name}/jobs", params={"state": state})
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


def _failing_job(name: str) -> str:
    """A job that raises in the worker (an undecodable 'execution id')."""
    from rq import Queue

    from engine.runtimes import redis_connection

    job = Queue(name, connection=redis_connection()).enqueue_call(
        "json.loads", args=("{not json",), failure_ttl=3600)
    return str(job.id)


@pytest.mark.redis
def test_queues_jobs_workers_and_requeue(queue_client: TestClient) -> None:  # noqa: F811
    c = queue_client
    name = os.environ["AURA_QUEUE_NAME"]
    # RQ lists a starting worker before it records its state ("?" until then)
    workers = _until(lambda: [w for w in c.get("/api/v1/workers").json()["items"]
                              if name in w["queues"] and w["state"] != "?"])
    assert workers[0]["hostname"] and workers[0]["pid"] and workers[0]["last_heartbeat"]
    assert workers[0]["state"] in ("idle", "busy", "started")

    wid = str(c.post("/api/v1/workflows", json=manual_workflow(x=1)).json()["id"])
    r = c.post(f"/api/v1/workflows/{wid}/run", params={"wait": "true"}, json={})
    assert r.status_code == 200 and r.json()["status"] == "succeeded"
    queue = _queue(c, name)
    assert queue is not None and queue["workers"] == 1
    assert {"queued", "started", "scheduled", "failed", "deferred"} <= set(queue)

    job_id = _failing_job(name)
    _until(lambda: (_queue(c, name) or {}).get("failed") == 1)
    failed = _jobs(c, name, "failed")
    assert [j["id"] for j in failed] == [job_id]
    assert failed[0]["execution_id"] == "{not json" and failed[0]["status"] == "failed"
    assert "JSONDecodeError" in failed[0]["exc_info"]
    assert len(failed[0]["exc_info"]) <= 2000 and failed[0]["ended_at"]

    r = c.post(f"/api/v1/queues/{name}/jobs/{job_id}/requeue")
    assert r.status_code == 200, r.text
    assert r.json()["id"] == job_id and r.json()["status"] in ("queued", "started", "failed")
    # the worker runs it again, and it fails again
    _until(lambda: [j for j in _jobs(c, name, "failed") if j["id"] == job_id])
    assert _until(lambda: _queue(c, name))["failed"] == 1

    assert c.post(f"/api/v1/queues/{name}/jobs/nope/requeue").status_code == 404
    assert c.post(f"/api/v1/queues/other/jobs/{job_id}/requeue").status_code == 404
    # a job that has not failed cannot be requeued
    from rq import Queue

    from engine.runtimes import redis_connection

    Queue(name, connection=redis_connection()).enqueue_call(
        "json.loads", args=("1",), job_id="fine", result_ttl=600)
    _until(lambda: _jobs(c, name, "queued") == [] and _jobs(c, name, "started") == [])
    r = c.post(f"/api/v1/queues/{name}/jobs/fine/requeue")
    assert r.status_code == 409 and r.json()["error"] == "conflict"


def test_no_redis_answers_404(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.config import reset_settings
    from engine.runtimes._redis import reset_connections

    monkeypatch.delenv("AURA_REDIS_URL", raising=False)
    reset_settings()
    reset_connections()
    for path in ("/api/v1/queues", "/api/v1/queues/default/jobs?state=failed",
                 "/api/v1/workers"):
        r = client.get(path)
        assert r.status_code == 404, (path, r.text)
        assert "there are no queues (set AURA_REDIS_URL)" in r.json()["message"]
    r = client.post("/api/v1/queues/default/jobs/x/requeue")
    assert r.status_code == 404


def test_redis_down_is_a_503_with_a_message(data_dir: Any, monkeypatch: Any) -> None:
    """A configured Redis that does not answer: a clear 503, never a 500."""
    import socket

    from starlette.testclient import TestClient

    from engine.config import reset_settings
    from engine.runtimes._redis import reset_connections
    from engine.services import auth
    from engine.services.store import reset_store
    from studio.api import create_app

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there
    monkeypatch.setenv("AURA_REDIS_URL", f"redis://127.0.0.1:{port}/0")
    reset_settings()
    reset_store()
    reset_connections()
    auth.reset()
    try:
        with TestClient(create_app(runtime="inline")) as c:
            from tests.api.conftest import OWNER

            r = c.post("/api/v1/auth/setup", json=OWNER)
            assert r.status_code in (200, 201), r.text
            c.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
            r = c.get("/api/v1/queues")
            assert r.status_code == 503, r.text
            assert "Redis" in r.json()["message"]
    finally:
        auth.reset()
        reset_store()
        reset_connections()
