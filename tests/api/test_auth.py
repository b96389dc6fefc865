"""Authentication and authorization over HTTP: bearer tokens, the studio's session
cookie, API keys, roles, projects, and the audit trail."""

from __future__ import annotations

import json
from typing import Any

from starlette.testclient import TestClient

from tests.api._helpers import manual_workflow, webhook_workflow
from tests.api.conftest import OWNER


def _viewer(client: TestClient, anon: TestClient, role: str = "viewer") -> dict[str, str]:
    inv = client.post("/api/v1/invitations", json={"email": f"{role}@example.com",
                                                    "role": role})
    assert inv.status_code == 201, inv.text
    acc = anon.post("/api/v1/auth/invitations/accept", json={
        "token": inv.json()["token"], "password": "another long password", "name": role})
    assert acc.status_code == 201, acc.text
    r = anon.post("/api/v1/auth/login", json={"email": f"{role}@example.com",
                                              "password": "another long password"})
    assert r.status_code == 200, r.text
    anon.cookies.clear()
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_every_action_is_a_known_permission(app: Any) -> None:
    from engine.auth.rbac import PERMISSIONS

    for op in app.state.operations:
        assert op.action in (None, "self") or op.action in PERMISSIONS, op.path


def test_api_needs_login_public_routes_do_not(anon: TestClient) -> None:
    r = anon.get("/api/v1/workflows")
    assert r.status_code == 401 and r.json()["error"] == "unauthenticated"
    assert r.headers["www-authenticate"].startswith("Bearer")
    r = anon.get("/api/v1/workflows", headers={"Authorization": "Bearer nonsense"})
    assert r.status_code == 401
    for path in ("/healthz", "/readyz", "/api/v1/openapi.json", "/api/v1/docs",
                 "/api/v1/auth/status"):
        assert anon.get(path).status_code == 200, path
    assert anon.post("/webhook/nothing").status_code == 404


def test_setup_only_once_and_login(anon: TestClient) -> None:
    assert anon.get("/api/v1/auth/status").json() == {"has_owner": True}
    again = anon.post("/api/v1/auth/setup", json={**OWNER, "email": "x@example.com"})
    assert again.status_code == 409
    bad = anon.post("/api/v1/auth/login", json={"email": OWNER["email"], "password": "no"})
    assert bad.status_code == 401 and "password" in bad.json()["message"]
    r = anon.post("/api/v1/auth/login", json={"email": OWNER["email"],
                                              "password": OWNER["password"]})
    assert r.status_code == 200 and r.json()["token_type"] == "Bearer"
    cookies = r.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith("aura_session="))
    assert "HttpOnly" in session and "SameSite=lax" in session
    me = anon.get("/api/v1/auth/me")  # the cookie alone signs in the studio
    assert me.status_code == 200 and me.json()["role"] == "owner"
    assert "workflow:update" in me.json()["allowed_actions"]


def test_cookie_session_refuses_cross_site_writes(anon: TestClient) -> None:
    anon.post("/api/v1/auth/login", json={"email": OWNER["email"],
                                          "password": OWNER["password"]})
    wf = manual_workflow()
    r = anon.post("/api/v1/workflows", json=wf, headers={"Origin": "https://evil.example"})
    assert r.status_code == 403
    r = anon.post("/api/v1/workflows", json=wf, headers={"Origin": "http://testserver"})
    assert r.status_code == 201


def test_refresh_and_logout(anon: TestClient) -> None:
    login = anon.post("/api/v1/auth/login", json={"email": OWNER["email"],
                                                  "password": OWNER["password"]}).json()
    r = anon.post("/api/v1/auth/refresh", json={"refresh_token": login["refresh_token"]})
    assert r.status_code == 200 and r.json()["access_token"] != login["access_token"]
    reused = anon.post("/api/v1/auth/refresh", json={"refresh_token":
                                                     login["refresh_token"]})
    assert reused.status_code == 401
    anon.cookies.clear()
    assert anon.post("/api/v1/auth/refresh", json={}).status_code == 401
    login = anon.post("/api/v1/auth/login", json={"email": OWNER["email"],
                                                  "password": OWNER["password"]}).json()
    out = anon.post("/api/v1/auth/logout", json={})
    assert out.status_code == 204
    assert anon.get("/api/v1/auth/me").status_code == 401
    r = anon.get("/api/v1/auth/me",
                 headers={"Authorization": f"Bearer {login['access_token']}"})
    assert r.status_code == 401  # logging out ended the access token too


def test_api_key_scopes(client: TestClient, anon: TestClient) -> None:
    r = client.post("/api/v1/api-keys", json={"name": "ci", "scopes": ["workflow:read"]})
    assert r.status_code == 201
    key, kid = r.json()["key"], r.json()["id"]
    h = {"X-API-Key": key}
    assert anon.get("/api/v1/workflows", headers=h).status_code == 200
    denied = anon.post("/api/v1/workflows", json=manual_workflow(), headers=h)
    assert denied.status_code == 403 and "scope" in denied.json()["message"]
    listed = client.get("/api/v1/api-keys").json()["items"]
    assert [k["name"] for k in listed] == ["ci"] and "key" not in listed[0]
    assert client.delete(f"/api/v1/api-keys/{kid}").status_code == 200
    assert anon.get("/api/v1/workflows", headers=h).status_code == 401
    bad = client.post("/api/v1/api-keys", json={"name": "x", "scopes": ["nope"]})
    assert bad.status_code == 422


def test_roles_and_projects(client: TestClient, anon: TestClient) -> None:
    wid = client.post("/api/v1/workflows", json=manual_workflow()).json()["id"]
    viewer = _viewer(client, anon)
    # the owner's workflow lives in the owner's personal project: invisible to the viewer
    assert anon.get("/api/v1/workflows", headers=viewer).json()["total"] == 0
    # ... as if it did not exist (a 403 would confirm it and name its project)
    assert anon.get(f"/api/v1/workflows/{wid}", headers=viewer).status_code == 404
    denied = anon.post("/api/v1/workflows", json=manual_workflow(), headers=viewer)
    assert denied.status_code == 403 and "editor" in denied.json()["message"]
    assert anon.get("/api/v1/users", headers=viewer).status_code == 403
    assert anon.get("/api/v1/audit", headers=viewer).status_code == 403
    # sharing the workflow into a team project the viewer belongs to makes it visible
    team = client.post("/api/v1/projects", json={"name": "Team"}).json()["id"]
    uid = anon.get("/api/v1/auth/me", headers=viewer).json()["id"]
    assert client.put(f"/api/v1/projects/{team}/members/{uid}",
                      json={"role": "viewer"}).status_code == 204
    assert client.post(f"/api/v1/workflows/{wid}/shares",
                       json={"project_id": team, "role": "viewer"}).status_code == 204
    assert anon.get("/api/v1/workflows", headers=viewer).json()["total"] == 1
    assert anon.get(f"/api/v1/workflows/{wid}", headers=viewer).status_code == 200
    assert anon.put(f"/api/v1/workflows/{wid}", json=manual_workflow(),
                    headers=viewer).status_code == 403
    members = client.get(f"/api/v1/projects/{team}/members").json()["members"]
    assert members[uid] == "viewer"


def test_editor_runs_own_workflows_and_webhooks_stay_public(client: TestClient,
                                                            anon: TestClient) -> None:
    editor = _viewer(client, anon, "editor")
    r = anon.post("/api/v1/workflows", json=webhook_workflow(path="mine"), headers=editor)
    assert r.status_code == 201
    wid = r.json()["id"]
    assert anon.post(f"/api/v1/workflows/{wid}/activate", headers=editor).status_code == 200
    assert anon.post("/webhook/mine").status_code == 202  # no API credentials needed
    assert client.get(f"/api/v1/workflows/{wid}").status_code == 200  # owner sees all


def test_audit_records_api_changes(client: TestClient) -> None:
    wid = client.post("/api/v1/workflows", json=manual_workflow()).json()["id"]
    client.put(f"/api/v1/workflows/{wid}", json=manual_workflow("renamed"))
    events = client.get("/api/v1/audit", params={"target_id": wid}).json()["items"]
    assert [e["action"] for e in events] == ["workflow.updated", "workflow.created"]
    assert events[0]["actor_email"] == OWNER["email"]
    export = client.get("/api/v1/audit/export", params={"format": "jsonl"})
    assert export.status_code == 200 and "workflow.created" in export.text
    # the export honours the same filters as the list
    only = client.get("/api/v1/audit/export", params={"format": "jsonl", "target_id": wid,
                                                      "action": "workflow.updated"})
    lines = [json.loads(x) for x in only.text.splitlines() if x.strip()]
    assert [e["action"] for e in lines] == ["workflow.updated"]
    csv_export = client.get("/api/v1/audit/export", params={"format": "csv",
                                                            "action": "workflow.*"})
    assert "workflow.created" in csv_export.text and "user." not in csv_export.text
