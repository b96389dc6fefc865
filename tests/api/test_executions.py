"""``/api/v1/executions``: list filters, detail with node runs, retry, cancel, delete."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from starlette.testclient import TestClient

from tests.api._helpers import manual_workflow, wait_execution

API = "/api/v1/executions"


def _run(client: TestClient, wid: str, **body: object) -> dict[str, object]:
    r = client.post(f"/api/v1/workflows/{wid}/run", params={"wait": "true"}, json=body)
    assert r.status_code == 200, r.text
    return dict(r.json())


def _failing(create: Callable[..., str]) -> str:
    return create({"name": "fails", "nodes": [
        {"name": "Start", "type": "core.manual_trigger"},
        {"name": "Stop", "type": "core.stop_and_error", "parameters": {"message": "x"}}],
        "connections": [{"source": "Start", "target": "Stop"}]})


def test_list_filters(client: TestClient, create: Callable[..., str]) -> None:
    ok = create(manual_workflow("ok"))
    bad = _failing(create)
    _run(client, ok)
    _run(client, ok)
    _run(client, bad)
    assert client.get(API).json()["total"] == 3
    assert client.get(API, params={"workflow_id": ok}).json()["total"] == 2
    assert client.get(API, params={"status": "failed"}).json()["total"] == 1
    assert client.get(API, params={"mode": "manual"}).json()["total"] == 3
    assert client.get(API, params={"mode": "webhook"}).json()["total"] == 0
    now = datetime.now(UTC)
    later = (now + timedelta(hours=1)).isoformat()
    earlier = (now - timedelta(hours=1)).isoformat()
    assert client.get(API, params={"since": later}).json()["total"] == 0
    assert client.get(API, params={"since": earlier, "until": later}).json()["total"] == 3
    page = client.get(API, params={"limit": 2, "offset": 2}).json()
    assert len(page["items"]) == 1 and page["total"] == 3
    assert client.get(API, params={"status": "nope"}).status_code == 422
    naive = client.get(API, params={"since": "2025-01-01T00:00:00"})
    assert naive.status_code == 422 and "query.since" in naive.json()["message"]


def test_get_with_node_runs(client: TestClient, create: Callable[..., str]) -> None:
    wid = create(manual_workflow(x=1))
    eid = _run(client, wid)["execution_id"]
    data = client.get(f"{API}/{eid}").json()
    assert data["status"] == "succeeded" and data["workflow_id"] == wid
    assert [n["node"] for n in data["node_runs"]] == ["Start", "Set"]
    assert data["node_runs"][1]["outputs"]["main"][0]["json"] == {"x": 1}
    assert client.get(f"{API}/nope").status_code == 404


def test_retry(client: TestClient, create: Callable[..., str]) -> None:
    bad = _failing(create)
    eid = str(_run(client, bad)["execution_id"])
    r = client.post(f"{API}/{eid}/retry")
    assert r.status_code == 202
    again = wait_execution(client, r.json()["execution_id"])
    assert again["retry_of"] == eid and again["attempt"] == 2 and again["mode"] == "retry"
    r = client.post(f"{API}/{eid}/retry", params={"wait": "true"})
    assert r.status_code == 200 and r.json()["status"] == "failed"
    ok = create(manual_workflow())
    good = _run(client, ok)["execution_id"]
    r = client.post(f"{API}/{good}/retry")
    assert r.status_code == 409 and "succeeded" in r.json()["message"]


def test_cancel_running_and_finished(client: TestClient, create: Callable[..., str]
                                     ) -> None:
    wid = create({"name": "slow", "nodes": [
        {"name": "Start", "type": "core.manual_trigger"},
        {"name": "Wait", "type": "core.wait", "parameters": {"amount": 20}}],
        "connections": [{"source": "Start", "target": "Wait"}]})
    r = client.post(f"/api/v1/workflows/{wid}/run", json={})
    assert r.status_code == 202
    eid = r.json()["execution_id"]
    deadline = time.monotonic() + 5
    while client.get(f"{API}/{eid}").json()["status"] != "running":
        assert time.monotonic() < deadline
        time.sleep(0.02)
    r = client.post(f"{API}/{eid}/cancel")
    assert r.status_code == 200
    assert wait_execution(client, eid)["status"] == "cancelled"
    r = client.post(f"{API}/{eid}/cancel")
    assert r.status_code == 409


def test_delete(client: TestClient, create: Callable[..., str]) -> None:
    wid = create(manual_workflow())
    eid = _run(client, wid)["execution_id"]
    assert client.delete(f"{API}/{eid}").status_code == 204
    assert client.get(f"{API}/{eid}").status_code == 404
    assert client.delete(f"{API}/{eid}").status_code == 404


def test_inline_backlog_is_bounded(app: object) -> None:
    import pytest

    from engine.errors import RateLimited
    from studio.api.runner import InlineRunner

    runner = InlineRunner(max_pending=1, pending_wait_s=0.05)
    assert runner._slots.acquire(timeout=1)  # the one place is taken
    with pytest.raises(RateLimited):
        runner.submit(workflow_id="any", mode="manual")
