"""Webhook options that guard the door: header token, basic auth, HMAC signatures,
allowed origins (CORS), IP allowlist and the body size limit."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from engine.vault.signing import sign_webhook
from tests.api._helpers import webhook_workflow


def _with_cred(wf: dict[str, Any], slot: str, cred_id: str) -> dict[str, Any]:
    wf["nodes"][0]["credentials"] = {slot: {"id": cred_id}}
    return wf


def test_header_token(
    client: TestClient, create: Callable[..., str], credential: Callable[..., str]
) -> None:
    cid = credential("header_auth", {"name": "X-Token", "value": "s3cret"})
    create(
        _with_cred(webhook_workflow(path="h", authentication="header_auth"), "header_auth", cid),
        activate=True,
    )
    r = client.post("/webhook/h")
    assert r.status_code == 401 and "X-Token" in r.json()["message"]
    r = client.post("/webhook/h", headers={"X-Token": "wrong"})
    assert r.status_code == 403 and r.json()["error"] == "forbidden"
    assert client.post("/webhook/h", headers={"X-Token": "s3cret"}).status_code == 202


def test_missing_credential_is_refused(client: TestClient, create: Callable[..., str]) -> None:
    create(webhook_workflow(path="nocred", authentication="header_auth"), activate=True)
    r = client.post("/webhook/nocred", headers={"X-Token": "x"})
    assert r.status_code == 403 and "credential" in r.json()["message"]


def test_basic_auth(
    client: TestClient, create: Callable[..., str], credential: Callable[..., str]
) -> None:
    cid = credential("basic_auth", {"user": "ada", "password": "lovelace"})
    create(
        _with_cred(webhook_workflow(path="b", authentication="basic_auth"), "basic_auth", cid),
        activate=True,
    )
    r = client.post("/webhook/b")
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Basic")
    assert client.post("/webhook/b", auth=("ada", "nope")).status_code == 403
    assert client.post("/webhook/b", auth=("ada", "lovelace")).status_code == 202


def test_hmac_signature(
    client: TestClient, create: Callable[..., str], credential: Callable[..., str]
) -> None:
    cid = credential("hmac_secret", {"secret": "shh"})
    create(
        _with_cred(
            webhook_workflow(path="sig", authentication="hmac", hmac_header="X-Aura-Signature"),
            "hmac_secret",
            cid,
        ),
        activate=True,
    )
    body = b'{"event": "push"}'
    good = sign_webhook("shh", body)
    headers = {"Content-Type": "application/json"}
    r = client.post("/webhook/sig", content=body, headers=headers)
    assert r.status_code == 401 and "X-Aura-Signature" in r.json()["message"]
    r = client.post(
        "/webhook/sig", content=body + b" ", headers={**headers, "X-Aura-Signature": good}
    )
    assert r.status_code == 403
    r = client.post("/webhook/sig", content=body, headers={**headers, "X-Aura-Signature": good})
    assert r.status_code == 202


def test_github_style_signatures_need_the_legacy_setting(
    app: Any,
    client: TestClient,
    create: Callable[..., str],
    credential: Callable[..., str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from engine.config import reset_settings

    cid = credential("hmac_secret", {"secret": "shh"})
    create(
        _with_cred(
            webhook_workflow(path="gh", authentication="hmac", hmac_header="X-Hub-Signature-256"),
            "hmac_secret",
            cid,
        ),
        activate=True,
    )
    body = b'{"event": "push"}'
    good = {"X-Hub-Signature-256": "sha256=" + hmac.new(b"shh", body, hashlib.sha256).hexdigest()}
    r = client.post("/webhook/gh", content=body, headers=good)
    assert r.status_code == 401 and "AURA_WEBHOOK_HMAC_LEGACY" in r.json()["message"]
    monkeypatch.setenv("AURA_WEBHOOK_HMAC_LEGACY", "true")
    reset_settings()
    assert client.post("/webhook/gh", content=body, headers=good).status_code == 202


def test_hmac_base64_sha512(
    client: TestClient, create: Callable[..., str], credential: Callable[..., str]
) -> None:
    cid = credential("hmac_secret", {"secret": "k"})
    create(
        _with_cred(
            webhook_workflow(
                path="s5", authentication="hmac", hmac_algorithm="sha512", hmac_encoding="base64"
            ),
            "hmac_secret",
            cid,
        ),
        activate=True,
    )
    body = b"payload"
    t = int(time.time())
    sig = base64.b64encode(
        hmac.new(b"k", f"{t}.".encode() + body, hashlib.sha512).digest()
    ).decode()
    r = client.post("/webhook/s5", content=body, headers={"X-Signature-256": f"t={t},v1={sig}"})
    assert r.status_code == 202


def test_allowed_origins(client: TestClient, create: Callable[..., str]) -> None:
    create(webhook_workflow(path="cors", allowed_origins="https://app.example.com"), activate=True)
    pre = client.options(
        "/webhook/cors",
        headers={
            "Origin": "https://app.example.com",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert pre.status_code == 204
    assert pre.headers["access-control-allow-origin"] == "https://app.example.com"
    assert pre.headers["access-control-allow-methods"] == "POST"
    assert pre.headers["access-control-allow-headers"] == "content-type"
    bad = client.options(
        "/webhook/cors",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert bad.status_code == 403 and bad.json()["error"] == "origin_not_allowed"
    r = client.post("/webhook/cors", headers={"Origin": "https://app.example.com"})
    assert r.status_code == 202
    assert r.headers["access-control-allow-origin"] == "https://app.example.com"
    r = client.post("/webhook/cors", headers={"Origin": "https://evil.example"})
    assert r.status_code == 403 and "evil.example" in r.json()["message"]
    # server-to-server calls send no Origin and are not affected
    assert client.post("/webhook/cors").status_code == 202
    assert (
        client.options(
            "/webhook/nothing", headers={"Access-Control-Request-Method": "POST"}
        ).status_code
        == 404
    )


def test_any_origin_by_default(client: TestClient, create: Callable[..., str]) -> None:
    create(webhook_workflow(path="open"), activate=True)
    r = client.post("/webhook/open", headers={"Origin": "https://anywhere.example"})
    assert r.status_code == 202 and r.headers["access-control-allow-origin"] == "*"


def test_body_limit(client: TestClient, create: Callable[..., str]) -> None:
    create(webhook_workflow(path="small", max_body_bytes=10), activate=True)
    r = client.post("/webhook/small", content=b"x" * 11)
    assert r.status_code == 413
    assert r.json()["error"] == "payload_too_large" and "10" in r.json()["message"]

    def chunks() -> Any:
        yield b"x" * 6
        yield b"x" * 6

    assert client.post("/webhook/small", content=chunks()).status_code == 413
    assert client.post("/webhook/small", content=b"x" * 10).status_code == 202


def test_body_limit_follows_a_new_published_version(
    client: TestClient, create: Callable[..., str]
) -> None:
    """The server reads a body under the limit the webhook had last time: a version
    published since with a higher or lower limit is what counts."""
    wid = create(webhook_workflow(path="grow", max_body_bytes=10), activate=True)
    assert client.post("/webhook/grow", content=b"x" * 10).status_code == 202
    for limit, accepted, refused in ((20, 20, 21), (5, 5, 6)):
        client.put(f"/api/v1/workflows/{wid}",
                   json=webhook_workflow(path="grow", max_body_bytes=limit))
        assert client.post(f"/api/v1/workflows/{wid}/publish", json={}).status_code == 200
        assert client.post("/webhook/grow", content=b"x" * accepted).status_code == 202

        def chunks(n: int = refused) -> Any:
            yield b"x" * (n - 1)
            yield b"x"

        r = client.post("/webhook/grow", content=chunks())
        assert r.status_code == 413 and str(limit) in r.json()["message"]
        assert client.post("/webhook/grow", content=b"x" * refused).status_code == 413


def test_ip_allowlist(app: Any, client: TestClient, create: Callable[..., str]) -> None:
    create(webhook_workflow(path="ip", ip_allowlist="10.0.0.0/8"), activate=True)
    assert client.post("/webhook/ip").status_code == 403  # from 'testclient'
    with TestClient(app, client=("10.1.2.3", 5000)) as inside:
        assert inside.post("/webhook/ip").status_code == 202
    with TestClient(app, client=("192.0.2.1", 5000)) as outside:
        r = outside.post("/webhook/ip")
        assert r.status_code == 403 and "IP address" in r.json()["message"]
