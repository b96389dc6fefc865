"""The security settings routes (``/api/v1/admin/http-allow-list``): every route walked
with every role, clear 4xx answers for bad entries, and the change reaching workflows."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.api.test_auth import _viewer

PATH = "/api/v1/admin/http-allow-list"


def _security_ops(app: Any) -> list[Any]:
    from studio.api import routes_security

    return [op for op in app.state.operations if op in routes_security.router.operations]


def test_security_routes_are_served_and_documented(app: Any, anon: TestClient) -> None:
    ops = {(op.method, op.path) for op in _security_ops(app)}
    assert ops == {("GET", PATH), ("PUT", PATH)}
    doc = anon.get("/api/v1/openapi.json").json()
    assert doc["paths"][PATH]["put"]["x-aura-action"] == "settings:update"


@pytest.fixture(autouse=True)
def _fresh_allow_list(monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.net import allowlist

    monkeypatch.delenv("AURA_HTTP_ALLOW", raising=False)
    allowlist.invalidate()


def test_every_security_route_with_every_role(app: Any, client: TestClient,
                                              anon: TestClient) -> None:
    """Owners and admins read and change; editors, viewers, the anonymous and API keys
    without the settings scope are refused with a message saying why."""
    headers: dict[str, dict[str, str]] = {"owner": dict(client.headers)}
    for role in ("admin", "editor", "viewer"):
        headers[role] = _viewer(client, anon, role)
    headers["anonymous"] = {}
    key = client.post("/api/v1/api-keys", json={"name": "read-only", "scopes": [
        "workflow:read"]}).json()["key"]
    headers["api key without settings scope"] = {"X-API-Key": key}
    settings_key = client.post("/api/v1/api-keys", json={"name": "ops", "scopes": [
        "settings:*"]}).json()["key"]
    headers["api key with settings:*"] = {"X-API-Key": settings_key}

    expected = {"owner": 200, "admin": 200, "editor": 403, "viewer": 403, "anonymous": 401,
                "api key without settings scope": 403, "api key with settings:*": 200}
    calls = {"GET": lambda h: anon.get(PATH, headers=h),
             "PUT": lambda h: anon.put(PATH, json={"entries": ["intranet.local"]}, headers=h)}
    for op in _security_ops(app):
        for who, h in headers.items():
            anon.cookies.clear()
            r = calls[op.method](h)
            assert r.status_code == expected[who], (op.method, who, r.text)
            if r.status_code == 403:
                assert "admin" in r.json()["message"] or "scope" in r.json()["message"]


def test_bad_entries_are_a_422_naming_them(client: TestClient) -> None:
    r = client.put(PATH, json={"entries": ["ok.local", "https://intranet.local/api"]})
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["error"] == "validation_error"
    assert "write only the host" in body["message"]
    assert body["details"]["errors"][0]["entry"] == "https://intranet.local/api"
    assert client.get(PATH).json()["entries"] == []  # nothing saved
    assert client.put(PATH, json={"entries": "intranet.local"}).status_code == 422
    assert client.put(PATH, json={}).status_code == 422


def test_change_is_audited_and_env_entries_are_fixed(
        client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.config import reset_settings

    monkeypatch.setenv("AURA_HTTP_ALLOW", "10.0.0.0/8")
    reset_settings()
    r = client.put(PATH, json={"entries": ["Intranet.Local", "db.local:5432", "10.0.0.0/8"]})
    assert r.status_code == 200, r.text
    assert r.json() == {"fixed": ["10.0.0.0/8"], "entries": ["intranet.local",
                                                            "db.local:5432"]}
    events = client.get("/api/v1/audit", params={"action": "settings.*"}).json()["items"]
    assert events[0]["action"] == "settings.http_allow_updated"
    assert events[0]["details"]["added"] == ["intranet.local", "db.local:5432"]
