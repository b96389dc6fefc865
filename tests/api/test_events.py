"""``GET /api/v1/events``: recent events as JSON, and the Server-Sent Events stream."""

from __future__ import annotations

from collections.abc import Callable

from starlette.testclient import TestClient

from tests.api._helpers import manual_workflow


def test_recent_events_as_json(client: TestClient, create: Callable[..., str]) -> None:
    wid = create(manual_workflow())
    eid = client.post(f"/api/v1/workflows/{wid}/run", params={"wait": "true"},
                      json={}).json()["execution_id"]
    items = client.get("/api/v1/events", params={"execution_id": eid}).json()["items"]
    types = [e["type"] for e in items]
    assert "execution.started" in types and "execution.finished" in types
    assert all(e["execution_id"] == eid for e in items)
    only = client.get("/api/v1/events", params={"execution_id": eid,
                                                "types": "node.finished"}).json()["items"]
    assert {e["type"] for e in only} == {"node.finished"}
    assert client.get("/api/v1/events", params={"execution_id": "nope"}).status_code == 404


def test_events_need_login(anon: TestClient) -> None:
    assert anon.get("/api/v1/events").status_code == 401
