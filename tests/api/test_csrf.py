"""Cross-site request forgery: a request signed in by the session cookie alone changes
nothing unless it names this server as its Origin and, when it has a body, sends JSON.
Requests with an Authorization header or an API key, and webhooks, are not affected."""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.testclient import TestClient

from tests.api._helpers import manual_workflow, webhook_workflow
from tests.api.conftest import OWNER

SAME = {"Origin": "http://testserver"}


def _signed_in_by_cookie(anon: TestClient) -> None:
    r = anon.post(
        "/api/v1/auth/login", json={"email": OWNER["email"], "password": OWNER["password"]}
    )
    assert r.status_code == 200 and "aura_session" in anon.cookies


def _count(client: TestClient) -> int:
    return len(client.get("/api/v1/workflows").json()["items"])


def test_a_plain_text_post_without_origin_is_refused(anon: TestClient, client: TestClient) -> None:
    _signed_in_by_cookie(anon)
    before = _count(client)
    body = json.dumps(manual_workflow())
    # what a form on another site can send with the user's cookie
    r = anon.post("/api/v1/workflows", content=body, headers={"Content-Type": "text/plain"})
    assert r.status_code == 403
    assert r.json()["error"] == "forbidden"
    assert "Origin" in r.json()["message"]
    assert r.json()["details"] == {"reason": "csrf"}
    # JSON without an Origin: refused too
    r = anon.post("/api/v1/workflows", json=manual_workflow())
    assert r.status_code == 403 and "names no Origin" in r.json()["message"]
    # from this server's page but not JSON: refused, saying what to send
    r = anon.post("/api/v1/workflows", content=body, headers={**SAME, "Content-Type": "text/plain"})
    assert r.status_code == 415
    assert r.json()["error"] == "unsupported_media_type"
    assert "application/json" in r.json()["message"]
    r = anon.post(
        "/api/v1/workflows",
        content="name=x",
        headers={**SAME, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 415
    assert _count(client) == before  # nothing was created
    # the studio's own page with JSON works
    r = anon.post("/api/v1/workflows", json=manual_workflow(), headers=SAME)
    assert r.status_code == 201, r.text
    assert _count(client) == before + 1


def test_other_writes_without_origin_are_refused(anon: TestClient, client: TestClient) -> None:
    wid = client.post("/api/v1/workflows", json=manual_workflow()).json()["id"]
    _signed_in_by_cookie(anon)
    assert anon.delete(f"/api/v1/workflows/{wid}").status_code == 403
    assert anon.post(f"/api/v1/workflows/{wid}/activate").status_code == 403
    assert client.get(f"/api/v1/workflows/{wid}").status_code == 200  # still there
    # reading with the cookie needs no Origin
    assert anon.get(f"/api/v1/workflows/{wid}").status_code == 200


def test_token_and_api_key_requests_are_not_affected(client: TestClient, anon: TestClient) -> None:
    body = json.dumps(manual_workflow())
    r = client.post("/api/v1/workflows", content=body, headers={"Content-Type": "text/plain"})
    assert r.status_code == 201, r.text  # bearer token, no Origin, plain text: fine
    key = client.post("/api/v1/api-keys", json={"name": "ci", "scopes": ["*"]}).json()
    secret = key.get("key") or key.get("api_key")
    assert secret
    anon.cookies.clear()
    r = anon.post(
        "/api/v1/workflows",
        content=body,
        headers={"X-API-Key": secret, "Content-Type": "text/plain"},
    )
    assert r.status_code == 201, r.text


def test_webhooks_take_any_body_without_origin(
    client: TestClient, anon: TestClient, create: Any
) -> None:
    create(webhook_workflow(path="plain"), activate=True)
    _signed_in_by_cookie(anon)  # a cookie in the jar does not matter to webhooks
    r = anon.post("/webhook/plain", content="hello", headers={"Content-Type": "text/plain"})
    assert r.status_code in (200, 202), r.text


def test_every_body_route_refuses_cookie_requests_without_origin_or_json(
    app: Any, anon: TestClient, client: TestClient
) -> None:
    """Walks every operation that takes a body and needs a signed-in caller."""
    _signed_in_by_cookie(anon)
    ops = [op for op in app.state.operations if op.body is not None and not op.public]
    assert len(ops) > 20
    for op in ops:
        path = re.sub(r"\{[^}]+\}", "x", op.path)
        r = anon.request(op.method, path, content="{}", headers={"Content-Type": "text/plain"})
        assert r.status_code == 403, (op.method, op.path, r.status_code, r.text)
        assert r.json()["details"] == {"reason": "csrf"}, (op.method, op.path)
        r = anon.request(
            op.method, path, content="{}", headers={**SAME, "Content-Type": "text/plain"}
        )
        assert r.status_code == 415, (op.method, op.path, r.status_code, r.text)
