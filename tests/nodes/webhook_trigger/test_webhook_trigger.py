"""Webhook Trigger: path validation, request checks for the webhook layer, pass-through."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
from pydantic import ValidationError

from engine.sdk.testing import NodeHarness
from nodes.core.webhook_trigger.spec import WebhookParams
from nodes.core.webhook_trigger.verify import check_request, cors_headers

BODY = b'{"action": "push"}'


def params(**kw: object) -> WebhookParams:
    return WebhookParams.model_validate({"path": "hooks/in", "http_method": "POST", **kw})


@pytest.mark.parametrize("path", ["orders", "orders/new", "users/:id", "a-b_c.d~e/:x/:y",
                                  "v1/items/:item_id/details"])
def test_valid_paths(path: str) -> None:
    assert WebhookParams(path=path).path == path


@pytest.mark.parametrize(("path", "message"), [
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
])
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
    assert check_request(params(http_method="ANY"), {}, method="DELETE", headers={},
                         body=b"") is None


def test_header_auth() -> None:
    p = params(authentication="header_auth")
    cred = {"header_auth": {"name": "X-API-Key", "value": "s3cret"}}
    assert check_request(p, cred, method="POST", headers={"x-api-key": "s3cret"},
                         body=b"") is None
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
    assert check_request(p, cred, method="POST", headers={"Authorization": good},
                         body=b"") is None
    r = check_request(p, cred, method="POST", headers={}, body=b"")
    assert r is not None and r.status == 401 and "WWW-Authenticate" in r.headers
    bad = "Basic " + base64.b64encode(b"ada:wrong").decode()
    r = check_request(p, cred, method="POST", headers={"authorization": bad}, body=b"")
    assert r is not None and r.status == 403
    r = check_request(p, cred, method="POST", headers={"authorization": "Basic %%%"}, body=b"")
    assert r is not None and r.status == 401


def test_hmac_signature_github_style() -> None:
    p = params(authentication="hmac", hmac_header="X-Hub-Signature-256")
    cred = {"hmac_secret": {"secret": "topsecret"}}
    sig = hmac.new(b"topsecret", BODY, hashlib.sha256).hexdigest()
    headers = {"X-Hub-Signature-256": f"sha256={sig}"}
    assert check_request(p, cred, method="POST", headers=headers, body=BODY) is None
    assert check_request(p, cred, method="POST", headers={"x-hub-signature-256": sig.upper()},
                         body=BODY) is None
    r = check_request(p, cred, method="POST", headers=headers, body=BODY + b" ")
    assert r is not None and r.status == 403
    r = check_request(p, cred, method="POST", headers={}, body=BODY)
    assert r is not None and r.status == 401


def test_hmac_base64_sha512() -> None:
    p = params(authentication="hmac", hmac_algorithm="sha512", hmac_encoding="base64")
    cred = {"hmac_secret": {"secret": "k"}}
    sig = base64.b64encode(hmac.new(b"k", BODY, hashlib.sha512).digest()).decode()
    assert check_request(p, cred, method="POST", headers={"X-Signature-256": sig},
                         body=BODY) is None


def test_cors_headers() -> None:
    assert cors_headers(params(), "https://app.example") == {"Access-Control-Allow-Origin": "*"}
    p = params(allowed_origins="https://a.example, https://b.example/")
    assert cors_headers(p, "https://b.example")["Access-Control-Allow-Origin"] == \
        "https://b.example"
    assert cors_headers(p, "https://evil.example") == {}
    assert cors_headers(p, None) == {}


def test_request_binary_passes_through() -> None:
    item = {"json": {"headers": {}, "params": {}, "query": {}, "body": {}, "method": "POST",
                     "path": "hooks/in"},
            "binary": {"data": {"data": base64.b64encode(BODY).decode(),
                                "mime_type": "application/json"}}}
    res = NodeHarness("core.webhook_trigger").run({"path": "hooks/in", "raw_body": True},
                                                  [item])
    assert res.error is None
    [out] = res.outputs["main"]
    assert out.binary is not None and out.binary["data"].content() == BODY
