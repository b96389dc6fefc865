"""Request checks for the webhook layer: method, size, IP allowlist, authentication, CORS.

Pure functions (standard library only) so the HTTP layer can call them before it starts an
execution. They return a :class:`Rejection` (status, message, headers) instead of raising,
leaving the HTTP response to the caller; the messages are safe to show to the caller.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Rejection", "check_request", "cors_headers", "verify_auth"]


@dataclass(frozen=True)
class Rejection:
    """Why a request is refused: HTTP ``status``, a ``message`` and headers to send."""

    status: int
    message: str
    headers: dict[str, str] = field(default_factory=dict)


def _p(params: Any, name: str, default: Any = None) -> Any:
    return params.get(name, default) if isinstance(params, Mapping) else getattr(
        params, name, default)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    low = name.lower()
    for k, v in headers.items():
        if k.lower() == low:
            return v
    return None


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def check_request(params: Any, credentials: Mapping[str, Mapping[str, Any]], *, method: str,
                  headers: Mapping[str, str], body: bytes,
                  client_ip: str | None = None) -> Rejection | None:
    """All checks in order (method, body size, IP allowlist, authentication).

    Args:
        params: the node's validated parameters (or a dict of them).
        credentials: decrypted credential data by slot name ('header_auth', ...).
        method, headers, body: the request; ``body`` is the raw bytes.
        client_ip: the caller's address, for the IP allowlist.

    Returns:
        None if the request may start the workflow, else the rejection to answer with.
    """
    allowed = str(_p(params, "http_method", "GET")).upper()
    if allowed != "ANY" and method.upper() != allowed and not (
            method.upper() == "HEAD" and allowed == "GET"):
        return Rejection(405, f"This webhook accepts {allowed} requests, not {method.upper()}.",
                         {"Allow": allowed})
    limit = int(_p(params, "max_body_bytes", 16 * 1024 * 1024))
    if len(body) > limit:
        return Rejection(413, f"The request body is {len(body):,} bytes; this webhook accepts "
                         f"at most {limit:,}.")
    allowlist = [s.strip() for s in str(_p(params, "ip_allowlist", "") or "").split(",")
                 if s.strip()]
    if allowlist:
        try:
            ip = ipaddress.ip_address(client_ip or "")
        except ValueError:
            return Rejection(403, "The caller's IP address is not allowed to call this webhook.")
        if not any(ip in ipaddress.ip_network(n, strict=False) for n in allowlist):
            return Rejection(403, "The caller's IP address is not allowed to call this webhook.")
    return verify_auth(params, credentials, headers=headers, body=body)


def verify_auth(params: Any, credentials: Mapping[str, Mapping[str, Any]], *,
                headers: Mapping[str, str], body: bytes) -> Rejection | None:
    """The authentication check alone (see :func:`check_request`)."""
    mode = _p(params, "authentication", "none")
    if mode == "none":
        return None
    slot = {"header_auth": "header_auth", "basic_auth": "basic_auth", "hmac": "hmac_secret"}[mode]
    cred = credentials.get(slot)
    if not cred:
        return Rejection(403, f"The webhook's authentication is '{mode}' but no '{slot}' "
                         "credential is selected; the workflow owner must select one.")
    if mode == "header_auth":
        name, expected = str(cred.get("name", "")), str(cred.get("value", ""))
        got = _header(headers, name) if name else None
        if got is None:
            return Rejection(401, f"Authorization data is missing: send the '{name}' header.")
        return None if expected and _same(got, expected) else Rejection(
            403, "The authorization data is wrong.")
    if mode == "basic_auth":
        return _basic(cred, _header(headers, "Authorization"))
    return _hmac(params, cred, headers, body)


def _basic(cred: Mapping[str, Any], auth: str | None) -> Rejection | None:
    challenge = {"WWW-Authenticate": 'Basic realm="Webhook"'}
    if not auth or not auth.lower().startswith("basic "):
        return Rejection(401, "Authorization is required (HTTP basic auth).", challenge)
    try:
        user, _, pw = base64.b64decode(auth[6:].strip(), validate=True).decode(
            "utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return Rejection(401, "The Authorization header is not valid basic auth.", challenge)
    exp_user = str(cred.get("user", cred.get("username", "")))
    exp_pw = str(cred.get("password", ""))
    ok = _same(user, exp_user) & _same(pw, exp_pw)  # no short-circuit: constant time
    return None if ok else Rejection(403, "The authorization data is wrong.")


def _hmac(params: Any, cred: Mapping[str, Any], headers: Mapping[str, str],
          body: bytes) -> Rejection | None:
    name = str(_p(params, "hmac_header", "X-Signature-256"))
    algo = str(_p(params, "hmac_algorithm", "sha256"))
    got = _header(headers, name)
    if not got:
        return Rejection(401, f"The request is not signed: the '{name}' header is missing.")
    got = got.strip()
    if got.lower().startswith(algo + "="):
        got = got[len(algo) + 1:]
    secret = str(cred.get("secret", "")).encode("utf-8")
    digest = hmac.new(secret, body, getattr(hashlib, algo)).digest()
    if _p(params, "hmac_encoding", "hex") == "base64":
        expected = base64.b64encode(digest).decode("ascii")
        ok = _same(got, expected)
    else:
        ok = _same(got.lower(), digest.hex())
    return None if ok and secret else Rejection(403, "The request signature is wrong.")


def cors_headers(params: Any, origin: str | None) -> dict[str, str]:
    """CORS response headers for a request from ``origin`` (empty if not allowed)."""
    if not origin:
        return {}
    allowed = [o.strip().rstrip("/") for o in str(_p(params, "allowed_origins", "*")).split(",")
               if o.strip()]
    if "*" in allowed:
        return {"Access-Control-Allow-Origin": "*"}
    if origin.rstrip("/") in allowed:
        return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
    return {}
