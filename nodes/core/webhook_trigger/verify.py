"""Request checks for the webhook layer: method, size, IP allowlist, authentication, CORS.

Pure functions (standard library only), the webhook trigger's hooks (its spec declares
them, :mod:`engine.sdk.hooks`): the webhook layer calls them before it starts an
execution. They return a :class:`Rejection` (status, message, headers) instead of raising,
leaving the HTTP response to the caller; the messages are safe to show to the caller.

HMAC signatures carry a signed timestamp, like Stripe's: the header holds
``t=<unix seconds>,v1=<signature>`` where the signature is the HMAC of ``"<t>." + body``
(hex or base64, per the node's options; several ``v1=`` entries may be sent while a
secret is rolled over). A timestamp further than ``tolerance_s`` from now is refused, so a
captured request stops working; within that window the webhook layer accepts each
signature once (:func:`replay_token`). Signatures of the body alone (GitHub's style) are
accepted only when the caller passes ``allow_legacy`` (the ``AURA_WEBHOOK_HMAC_LEGACY``
setting). The scheme is documented in docs/security.md.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import ipaddress
import time
from collections.abc import Mapping
from typing import Any

from engine.sdk.hooks import Rejection

__all__ = [
    "DEFAULT_TOLERANCE_S",
    "Rejection",
    "check_request",
    "cors_headers",
    "replay_token",
    "verify_auth",
]

DEFAULT_TOLERANCE_S = 300
"""How far a signed timestamp may be from now, in seconds, unless the caller says."""


def _p(params: Any, name: str, default: Any = None) -> Any:
    return (
        params.get(name, default) if isinstance(params, Mapping) else getattr(params, name, default)
    )


def _header(headers: Mapping[str, str], name: str) -> str | None:
    low = name.lower()
    for k, v in headers.items():
        if k.lower() == low:
            return v
    return None


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def check_request(
    params: Any,
    credentials: Mapping[str, Mapping[str, Any]],
    *,
    method: str,
    headers: Mapping[str, str],
    body: bytes,
    client_ip: str | None = None,
    now: float | None = None,
    tolerance_s: int = DEFAULT_TOLERANCE_S,
    allow_legacy: bool = False,
) -> Rejection | None:
    """All checks in order (method, body size, IP allowlist, authentication).

    Args:
        params: the node's validated parameters (or a dict of them).
        credentials: decrypted credential data by slot name ('header_auth', ...).
        method, headers, body: the request; ``body`` is the raw bytes.
        client_ip: the caller's address, for the IP allowlist.
        now, tolerance_s, allow_legacy: HMAC signatures: the current unix time (default:
            the clock), the accepted distance of the signed timestamp from it, and whether
            signatures without a timestamp are accepted.

    Returns:
        None if the request may start the workflow, else the rejection to answer with.
    """
    allowed = str(_p(params, "http_method", "GET")).upper()
    if (
        allowed != "ANY"
        and method.upper() != allowed
        and not (method.upper() == "HEAD" and allowed == "GET")
    ):
        return Rejection(
            405,
            f"This webhook accepts {allowed} requests, not {method.upper()}.",
            {"Allow": allowed},
        )
    limit = int(_p(params, "max_body_bytes", 16 * 1024 * 1024))
    if len(body) > limit:
        return Rejection(
            413, f"The request body is {len(body):,} bytes; this webhook accepts at most {limit:,}."
        )
    allowlist = [
        s.strip() for s in str(_p(params, "ip_allowlist", "") or "").split(",") if s.strip()
    ]
    if allowlist:
        try:
            ip = ipaddress.ip_address(client_ip or "")
        except ValueError:
            return Rejection(403, "The caller's IP address is not allowed to call this webhook.")
        if not any(ip in ipaddress.ip_network(n, strict=False) for n in allowlist):
            return Rejection(403, "The caller's IP address is not allowed to call this webhook.")
    return verify_auth(
        params,
        credentials,
        headers=headers,
        body=body,
        now=now,
        tolerance_s=tolerance_s,
        allow_legacy=allow_legacy,
    )


def verify_auth(
    params: Any,
    credentials: Mapping[str, Mapping[str, Any]],
    *,
    headers: Mapping[str, str],
    body: bytes,
    now: float | None = None,
    tolerance_s: int = DEFAULT_TOLERANCE_S,
    allow_legacy: bool = False,
) -> Rejection | None:
    """The authentication check alone (see :func:`check_request`)."""
    mode = _p(params, "authentication", "none")
    if mode == "none":
        return None
    slot = {"header_auth": "header_auth", "basic_auth": "basic_auth", "hmac": "hmac_secret"}[mode]
    cred = credentials.get(slot)
    if not cred:
        return Rejection(
            403,
            f"The webhook's authentication is '{mode}' but no '{slot}' "
            "credential is selected; the workflow owner must select one.",
        )
    if mode == "header_auth":
        name, expected = str(cred.get("name", "")), str(cred.get("value", ""))
        got = _header(headers, name) if name else None
        if got is None:
            return Rejection(401, f"Authorization data is missing: send the '{name}' header.")
        return (
            None
            if expected and _same(got, expected)
            else Rejection(403, "The authorization data is wrong.")
        )
    if mode == "basic_auth":
        return _basic(cred, _header(headers, "Authorization"))
    when = time.time() if now is None else now
    return _hmac(params, cred, headers, body, when, tolerance_s, allow_legacy)


def _basic(cred: Mapping[str, Any], auth: str | None) -> Rejection | None:
    challenge = {"WWW-Authenticate": 'Basic realm="Webhook"'}
    if not auth or not auth.lower().startswith("basic "):
        return Rejection(401, "Authorization is required (HTTP basic auth).", challenge)
    try:
        user, _, pw = (
            base64.b64decode(auth[6:].strip(), validate=True).decode("utf-8").partition(":")
        )
    except (binascii.Error, UnicodeDecodeError):
        return Rejection(401, "The Authorization header is not valid basic auth.", challenge)
    exp_user = str(cred.get("user", cred.get("username", "")))
    exp_pw = str(cred.get("password", ""))
    ok = _same(user, exp_user) & _same(pw, exp_pw)  # no short-circuit: constant time
    return None if ok else Rejection(403, "The authorization data is wrong.")


def _signed_parts(value: str) -> tuple[str, list[str]] | None:
    """``(t, [v1, ...])`` of a ``t=...,v1=...`` header value; None when it has no ``t``."""
    t: str | None = None
    v1: list[str] = []
    for item in value.split(","):
        key, sep, val = item.strip().partition("=")
        if not sep:
            continue
        if key == "t":
            t = val.strip()
        elif key == "v1":
            v1.append(val.strip())
    return None if t is None else (t, v1)


def _matches(params: Any, secret: bytes, message: bytes, got: str) -> bool:
    algo = str(_p(params, "hmac_algorithm", "sha256"))
    digest = hmac.new(secret, message, getattr(hashlib, algo)).digest()
    if got.lower().startswith(algo + "="):
        got = got[len(algo) + 1 :]
    if _p(params, "hmac_encoding", "hex") == "base64":
        return _same(got, base64.b64encode(digest).decode("ascii"))
    return _same(got.lower(), digest.hex())


def _hmac(
    params: Any,
    cred: Mapping[str, Any],
    headers: Mapping[str, str],
    body: bytes,
    now: float,
    tolerance_s: int,
    allow_legacy: bool,
) -> Rejection | None:
    name = str(_p(params, "hmac_header", "X-Signature-256"))
    got = _header(headers, name)
    if not got:
        return Rejection(
            401,
            f"The request is not signed: the '{name}' header is missing. "
            f"Send '{name}: t=<unix time>,v1=<HMAC of \"<t>.<body>\">'.",
        )
    got = got.strip()
    secret = str(cred.get("secret", "")).encode("utf-8")
    parts = _signed_parts(got)
    if parts is None:
        if not allow_legacy:
            return Rejection(
                401,
                f"The '{name}' signature has no timestamp. Sign "
                "'<t>.<body>' (t: the current unix time) and send "
                f"'{name}: t=<t>,v1=<signature>'; signatures of the body "
                "alone are accepted only when the server allows them "
                "(AURA_WEBHOOK_HMAC_LEGACY).",
            )
        ok = bool(secret) and _matches(params, secret, body, got)
        return None if ok else Rejection(403, "The request signature is wrong.")
    t, signatures = parts
    if not t.isdigit() or not signatures:
        return Rejection(
            401, f"The '{name}' header must be 't=<unix time>,v1=<signature>' (t in whole seconds)."
        )
    age = int(now) - int(t)
    if abs(age) > tolerance_s:
        when = f"{age} s old" if age > 0 else f"{-age} s in the future"
        return Rejection(
            401,
            f"The signature's timestamp is {when}; signed requests are "
            f"accepted for {tolerance_s} s. Sign each request when sending it "
            "with the current time (and check the sender's clock).",
        )
    message = t.encode("ascii") + b"." + body
    # no short-circuit: every v1 entry is compared (constant time per entry)
    ok = bool(secret) & any([_matches(params, secret, message, v) for v in signatures])
    return None if ok else Rejection(403, "The request signature is wrong.")


def replay_token(params: Any, headers: Mapping[str, str]) -> str | None:
    """What identifies a signed request for replay protection: the signature header's
    value when the webhook uses HMAC (an accepted request with the same value is a
    replay), else None."""
    if _p(params, "authentication", "none") != "hmac":
        return None
    got = _header(headers, str(_p(params, "hmac_header", "X-Signature-256")))
    return got.strip() if got else None


def cors_headers(params: Any, origin: str | None) -> dict[str, str]:
    """CORS response headers for a request from ``origin`` (empty if not allowed)."""
    if not origin:
        return {}
    allowed = [
        o.strip().rstrip("/")
        for o in str(_p(params, "allowed_origins", "*")).split(",")
        if o.strip()
    ]
    if "*" in allowed:
        return {"Access-Control-Allow-Origin": "*"}
    if origin.rstrip("/") in allowed:
        return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
    return {}
