"""Studio hand-off tickets: how a sign-in done over the studio's websocket becomes
httpOnly cookies.

A websocket event cannot set a cookie, so the studio's state keeps what the next
full-page request needs under a random ticket and sends the browser to a
``/api/v1/auth/studio-*`` route with it. The route takes the ticket (once) and sets or
clears the cookies. A ticket:

* is 256 random bits (unguessable, so it needs no signature); only its SHA-256 is
  stored, so a dump of the store reveals no usable ticket;
* lives :data:`TICKET_TTL_S` seconds and works once (Redis ``GETDEL``; several backend
  processes share it). Without ``AURA_REDIS_URL`` tickets are kept in this process,
  which is right for one backend process (``reflex run`` without Redis); ``aura up``
  always has Redis;
* carries the page origin the studio runs on (frontend and backend may be on two ports
  of one host) so the route can send the browser back there, never elsewhere.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
from typing import Any
from urllib.parse import urlsplit

from engine.services.auth import token_digest as digest

__all__ = ["TICKET_TTL_S", "fill", "issue", "origin_allowed", "safe_next", "take"]

log = logging.getLogger(__name__)

TICKET_TTL_S = 30
_PREFIX = "aura:studio-ticket:"
_local: dict[str, tuple[float, str]] = {}
_lock = threading.Lock()


def _redis() -> Any:
    from engine.services.kv import shared_redis

    return shared_redis()


def issue(kind: str, *, origin: str = "", tokens: dict[str, Any] | None = None,
          ttl_s: int = TICKET_TTL_S) -> str:
    """Stores a ticket of ``kind`` ("login", "refresh", "logout", "challenge") and
    returns it."""
    ticket = secrets.token_urlsafe(32)
    _put(ticket, {"kind": kind, "origin": origin, "tokens": tokens or {}}, ttl_s)
    return ticket


def fill(ticket: str, kind: str, ttl_s: int = TICKET_TTL_S, **data: Any) -> None:
    """Stores ``data`` under a ticket that was just taken, as ``kind`` (the studio's
    state, which knows the ticket, takes it back)."""
    _put(ticket, {"kind": kind, **data}, ttl_s)


def _put(ticket: str, data: dict[str, Any], ttl_s: int) -> None:
    value = json.dumps(data)
    key = _PREFIX + digest(ticket)
    client = _redis()
    if client is not None:
        client.set(key, value, ex=ttl_s)
        return
    now = time.monotonic()
    with _lock:
        for k in [k for k, (until, _) in _local.items() if until <= now]:
            _local.pop(k, None)
        _local[key] = (now + ttl_s, value)


def take(ticket: str, kind: str) -> dict[str, Any] | None:
    """The ticket's data, removing it; None when unknown, used, expired or of another
    kind (which also uses it up)."""
    if not ticket or len(ticket) > 200:
        return None
    key = _PREFIX + digest(ticket)
    client = _redis()
    if client is not None:
        raw = client.getdel(key)
    else:
        with _lock:
            until, raw = _local.pop(key, (0.0, None))
        if raw is not None and until <= time.monotonic():
            raw = None
    if raw is None:
        return None
    data: dict[str, Any] = json.loads(raw)
    return data if data.get("kind") == kind else None


def safe_next(value: str | None, default: str = "/workflows") -> str | None:
    """``value`` when it is a path on this site (``/...``, not ``//host`` or a URL);
    ``default`` when empty; None when it points elsewhere."""
    if not value:
        return default
    if not value.startswith("/") or value.startswith("//") or "\\" in value or \
            any(ord(c) < 32 for c in value):
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return None
    return value


def origin_allowed(origin: str, request_host: str) -> str:
    """``origin`` (scheme://host[:port]) when it is on the host of the request (any
    port: the studio's frontend and backend share the host and its cookies); else ""
    (redirects then stay on the request's own origin)."""
    if not origin:
        return ""
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in (
            "", "/"):
        return ""
    own = urlsplit(f"//{request_host}").hostname
    return f"{parts.scheme}://{parts.netloc}" if parts.hostname == own else ""
