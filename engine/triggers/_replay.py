"""Replay protection for signed webhooks (private): each signature is accepted once.

:func:`first_use` remembers a key (a digest of the webhook and its signature header) for
``ttl_s`` seconds and says whether it was new. With ``AURA_REDIS_URL`` the memory is a
Redis key ``aura:replay:<digest>`` set with ``SET NX PX`` (atomic, shared by every studio
and API process); without Redis, or while Redis is unreachable, it is this process's own
table. The window only has to outlive the signature's timestamp tolerance: an older
request is refused by its timestamp anyway.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from typing import Any

from engine.sdk.hooks import Rejection

__all__ = ["first_use", "forget_all", "hmac_options", "replayed"]

log = logging.getLogger(__name__)

_seen: dict[str, float] = {}
_lock = threading.Lock()
_redis_down_until = 0.0
REDIS_RETRY_S = 30


def _key(parts: tuple[str, ...]) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def _local(key: str, ttl_s: float) -> bool:
    now = time.monotonic()
    with _lock:
        if len(_seen) > 10_000:
            for k in [k for k, until in _seen.items() if until <= now]:
                del _seen[k]
        until = _seen.get(key)
        if until is not None and until > now:
            return False
        _seen[key] = now + ttl_s
        return True


def first_use(*parts: str, ttl_s: float) -> bool:
    """True the first time ``parts`` are seen within ``ttl_s`` seconds, False after."""
    global _redis_down_until
    from engine.config import settings

    key = _key(parts)
    url = settings().redis.url
    if url and time.monotonic() >= _redis_down_until:
        from engine.auth.ratelimit import redis_client

        try:
            return bool(
                redis_client(url).set(
                    f"aura:replay:{key}", b"1", nx=True, px=max(1, int(ttl_s * 1000))
                )
            )
        except Exception as exc:  # Redis down: remember in process rather than fail
            log.warning(
                "webhook replay cache: Redis unavailable (%s); remembering "
                "signatures in this process for %d s",
                exc,
                REDIS_RETRY_S,
            )
            _redis_down_until = time.monotonic() + REDIS_RETRY_S
    return _local(key, ttl_s)


def forget_all() -> None:
    """Forgets the in-process table (tests)."""
    with _lock:
        _seen.clear()


def hmac_options() -> dict[str, Any]:
    """The instance's HMAC webhook settings, as ``check_request`` takes them."""
    from engine.config import settings

    sec = settings().security
    return {
        "now": time.time(),
        "tolerance_s": sec.webhook_hmac_tolerance_s,
        "allow_legacy": sec.webhook_hmac_legacy,
    }


def replayed(workflow_id: str, node: str, token: str | None) -> Rejection | None:
    """A 401 rejection when this signed request (``token``: the node's ``replay_token``
    hook, the same signature header for the same webhook node) was already accepted
    within the replay window; None otherwise (and the signature is remembered). Call it
    only once the signature checked out."""
    from engine.config import settings

    if token is None:
        return None
    tolerance = settings().security.webhook_hmac_tolerance_s
    # a timestamp may lie up to `tolerance` on either side of now: remember for both
    if first_use(workflow_id, node, token, ttl_s=2 * tolerance + 10):
        return None
    return Rejection(
        401,
        "This signed request was already received; each signature is "
        "accepted once. Send a new request, signed with the current time.",
    )
