"""Retention over HTTP: admins see the limits and the last pass and can apply them now
(audited); an editor may do neither."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.api.conftest import anon, app, client, owner  # noqa: F401 (fixtures)
from tests.api.test_auth import _viewer
from tests.observability.conftest import execution_ids, old_executions


def test_admins_see_and_apply_retention(client: TestClient) -> None:  # noqa: F811
    from engine.services.store import get_store

    r = client.get("/api/v1/retention")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["executions"] == "30 days, at most 10,000 executions"
    assert body["audit_days"] == 365 and body["scheduled"] is True
    assert body["last_run"] is None

    store = get_store()
    old_executions(store, 4, days_ago=45)
    kept = old_executions(store, 1, days_ago=1)
    r = client.post("/api/v1/retention/run")
    assert r.status_code == 200, r.text
    assert r.json()["executions_deleted"] == 4 and r.json()["trigger"] == "manual"
    assert execution_ids(store) == set(kept)
    shown = client.get("/api/v1/retention").json()
    assert shown["last_run"]["executions_deleted"] == 4
    assert shown["next_run"] > shown["last_run"]["at"]
    audit = client.get("/api/v1/audit", params={"action": "retention.run"}).json()
    assert audit["items"][0]["details"]["executions_deleted"] == 4


def test_an_editor_may_not(client: TestClient, anon: TestClient) -> None:  # noqa: F811
    editor = _viewer(client, anon, "editor")
    for method, path in (("GET", "/api/v1/retention"), ("POST", "/api/v1/retention/run")):
        r = anon.request(method, path, headers=editor)
        assert r.status_code == 403, r.text
        assert r.json()["error"] == "forbidden"
