"""Webhook Trigger: path validation, request checks for the webhook layer, pass-through."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
from pydantic import ValidationError

from engine.sdk.testing import NodeHarness
from nodes.core.webhook_trigger.spec import WebhookParams
from nodes.core.webhook_trigger.verify import check_request, cors_headers, replay_token

BODY = b'{"action": "push"}'


def params(**kw: object) -> WebhookParams:
    return WebhookParams.model_validate({"path": "hooks/in", "http_method": "POST", **kw})


@pytest.mark.parametrize(
    "path", ["orders", "orders/new", "users/:id", "a-b_c.d~e/:x/:y", "v1/items/:item_id/details"]
)
def test_valid_paths(path: str) -> None:
    assert WebhookParams(path=path).path == path


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("", "is empty"),
        ("/orders", "without the leading slash: 'orders'"),
        ("orders/", "empty, '.' or '..' segment"),
        ("a//b", "empty, '.' or '..' segment"),
        ("a/../b", "empty, '.' or '..' segment"),
        ("a b", "not URL-safe"),
        ("a?x=1", "not URL-safe"),
        ("é", "not URL-safe"),
        ("users/:id/:id", "uses a path parameter name twice"),
        ("x" * 300, "the limit is 255"),
    ],
)
def test_invalid_paths(path: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message.replace("(", r"\(").replace(".", r"\.")):
        WebhookParams(path=path)


def test_ip_allowlist_is_validated() -> None:
    with pytest.raises(ValidationError, match="not an IP address or network"):
        params(ip_allowlist="10.0.0.0/8, example.com")


def test_method_size_and_ip_checks() -> None:
    p = params(max_body_bytes=10, ip_allowlist="10.0.0.0/8, 203.0.113.7")
    ok = {"method": "POST", "headers": {}, "body": b"{}", "client_ip": "10.1.2.3"}
    assert check_request(p, {}, **ok) is None  # type: ignore[arg-type]
    r = check_request(p, {}, **{**ok, "method": "GET"})  # type: ignore[arg-type]
    assert r is not None and r.status == 405 and r.headers == {"Allow": "POST"}
    r = check_request(p, {}, **{**ok, "body": b"x" * 11})  # type: ignore[arg-type]
    assert r is not None and r.status == 413
    r = check_request(p, {}, **{**ok, "client_ip": "192.168.1.1"})  # type: ignore[arg-type]
    assert r is not None and r.status == 403
    assert (
        check_request(params(http_method="ANY"), {}, method="DELETE", headers={}, body=b"") is None
    )


def test_header_auth() -> None:
    p = params(authentication="header_auth")
    cred = {"header_auth": {"name": "X-API-Key", "value": "s3cret"}}
    assert check_request(p, cred, method="POST", headers={"x-api-key": "s3cret"}, body=b"") is None
    r = check_request(p, cred, method="POST", headers={}, body=b"")
    assert r is not None and r.status == 401 and "X-API-Key" in r.message
    r = check_request(p, cred, method="POST", headers={"X-API-Key": "nope"}, body=b"")
    assert r is not None and r.status == 403
    r = check_request(p, {}, method="POST", headers={"X-API-Key": "s3cret"}, body=b"")
    assert r is not None and "no 'header_auth' credential" in r.message


def test_basic_auth() -> None:
    p = params(authentication="basic_auth")
    cred = {"basic_auth": {"user": "ada", "password": "pw:with:colons"}}
    good = "Basic " + base64.b64encode(b"ada:pw:with:colons").decode()
    assert check_request(p, cred, method="POST", headers={"Authorization": good}, body=b"") is None
    r = check_request(p, cred, method="POST", headers={}, body=b"")
    assert r is not None and r.status == 401 and "WWW-Authenticate" in r.headers
    bad = "Basic " + base64.b64encode(b"ada:wrong").decode()
    r = check_request(p, cred, method="POST", headers={"authorization": bad}, body=b"")
    assert r is not None and r.status == 403
    r = check_request(p, cred, method="POST", headers={"authorization": "Basic %%%"}, body=b"")
    assert r is not None and r.status == 401


def _stamped(secret: bytes, body: bytes, t: int, algo: str = "sha256") -> str:
    return hmac.new(secret, str(t).encode() + b"." + body, getattr(hashlib, algo)).hexdigest()


def test_hmac_signature_with_a_signed_timestamp() -> None:
    p = params(authentication="hmac", hmac_header="X-Aura-Signature")
    cred = {"hmac_secret": {"secret": "topsecret"}}
    now = 1_800_000_000
    t = now - 20
    header = {"X-Aura-Signature": f"t={t},v1={_stamped(b'topsecret', BODY, t)}"}
    assert check_request(p, cred, method="POST", headers=header, body=BODY, now=now) is None
    # a rolled-over secret: any v1 entry may match
    two = {"x-aura-signature": f"t={t},v1={'0' * 64},v1={_stamped(b'topsecret', BODY, t)}"}
    assert check_request(p, cred, method="POST", headers=two, body=BODY, now=now) is None
    r = check_request(p, cred, method="POST", headers=header, body=BODY + b" ", now=now)
    assert r is not None and r.status == 403
    # the timestamp is signed: changing it breaks the signature
    moved = {"X-Aura-Signature": header["X-Aura-Signature"].replace(f"t={t}", f"t={t + 1}")}
    r = check_request(p, cred, method="POST", headers=moved, body=BODY, now=now)
    assert r is not None and r.status == 403
    # too old, or from the future, beyond the tolerance: 401 saying so
    r = check_request(p, cred, method="POST", headers=header, body=BODY, now=t + 301)
    assert r is not None and r.status == 401 and "301 s old" in r.message
    assert "accepted for 300 s" in r.message
    r = check_request(p, cred, method="POST", headers=header, body=BODY, now=t + 61, tolerance_s=60)
    assert r is not None and r.status == 401 and "61 s old" in r.message
    r = check_request(p, cred, method="POST", headers=header, body=BODY, now=t - 400)
    assert r is not None and r.status == 401 and "in the future" in r.message
    r = check_request(
        p, cred, method="POST", headers={"X-Aura-Signature": "t=x,v1=ab"}, body=BODY, now=now
    )
    assert r is not None and r.status == 401 and "t=<unix time>" in r.message
    r = check_request(p, cred, method="POST", headers={}, body=BODY)
    assert r is not None and r.status == 401 and "X-Aura-Signature" in r.message


def test_body_only_signatures_need_the_legacy_setting() -> None:
    p = params(authentication="hmac", hmac_header="X-Hub-Signature-256")
    cred = {"hmac_secret": {"secret": "topsecret"}}
    sig = hmac.new(b"topsecret", BODY, hashlib.sha256).hexdigest()
    headers = {"X-Hub-Signature-256": f"sha256={sig}"}
    r = check_request(p, cred, method="POST", headers=headers, body=BODY)
    assert r is not None and r.status == 401
    assert "no timestamp" in r.message and "AURA_WEBHOOK_HMAC_LEGACY" in r.message
    assert (
        check_request(p, cred, method="POST", headers=headers, body=BODY, allow_legacy=True) is None
    )
    assert (
        check_request(
            p,
            cred,
            method="POST",
            headers={"x-hub-signature-256": sig.upper()},
            body=BODY,
            allow_legacy=True,
        )
        is None
    )
    r = check_request(p, cred, method="POST", headers=headers, body=BODY + b" ", allow_legacy=True)
    assert r is not None and r.status == 403


def test_hmac_base64_sha512() -> None:
    p = params(authentication="hmac", hmac_algorithm="sha512", hmac_encoding="base64")
    cred = {"hmac_secret": {"secret": "k"}}
    t = 1_800_000_000
    sig = base64.b64encode(
        hmac.new(b"k", f"{t}.".encode() + BODY, hashlib.sha512).digest()
    ).decode()
    assert (
        check_request(
            p, cred, method="POST", headers={"X-Signature-256": f"t={t},v1={sig}"}, body=BODY, now=t
        )
        is None
    )
    legacy = base64.b64encode(hmac.new(b"k", BODY, hashlib.sha512).digest()).decode()
    assert (
        check_request(
            p,
            cred,
            method="POST",
            headers={"X-Signature-256": legacy},
            body=BODY,
            allow_legacy=True,
        )
        is None
    )


def test_replay_token_is_the_signature_header() -> None:
    p = params(authentication="hmac")
    assert replay_token(p, {"x-signature-256": " t=1,v1=ab "}) == "t=1,v1=ab"
    assert replay_token(params(), {"x-signature-256": "t=1,v1=ab"}) is None


def test_cors_headers() -> None:
    assert cors_headers(params(), "https://app.example") == {"Access-Control-Allow-Origin": "*"}
    p = params(allowed_origins="https://a.example, https://b.example/")
    assert (
        cors_headers(p, "https://b.example")["Access-Control-Allow-Origin"] == "https://b.example"
    )
    assert cors_headers(p, "https://evil.example") == {}
    assert cors_headers(p, None) == {}


def test_request_binary_passes_through() -> None:
    item = {
        "json": {
            "headers": {},
            "params": {},
            "query": {},
            "body": {},
            "method": "POST",
            "path": "hooks/in",
        },
        "binary": {
            "data": {"data": base64.b64encode(BODY).decode(), "mime_type": "application/json"}
        },
    }
    res = NodeHarness("core.webhook_trigger").run({"path": "hooks/in", "raw_body": True}, [item])
    assert res.error is None
    [out] = res.outputs["main"]
    assert out.binary is not None and out.binary["data"].content() == BODY
