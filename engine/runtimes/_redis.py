"""The Redis connection of the queue runtime and the keys it uses (private).

Keys (all under ``aura:``): ``aura:cancel:<execution>`` is the cancel flag a worker
polls; ``aura:deferred:<workflow>`` is a sorted set (score: creation time) of queued
executions held back by the workflow's concurrency limit; ``aura:lock:wf:<workflow>``
serializes "count running, then claim" for such workflows; ``aura:done:<execution>`` is
the pub/sub channel :func:`engine.runtimes.wait_for` listens on. Fair queues keep
``aura:fair:<queue>:rounds`` and ``aura:fair:<queue>:last`` (:mod:`engine.runtimes.fair`);
project quotas ``aura:held:<project>`` and ``aura:lock:project:<project>``
(:mod:`engine.runtimes.quotas`).
"""

from __future__ import annotations

import contextlib
import os
import threading
from typing import TYPE_CHECKING

from engine.errors import AuraError

if TYPE_CHECKING:
    import redis

__all__ = ["NoRedisConfigured", "cancel_key", "deferred_key", "done_channel", "lock_key",
           "redis_configured", "redis_connection"]

_conns: dict[tuple[int, str], redis.Redis] = {}
_lock = threading.Lock()


class NoRedisConfigured(AuraError):
    """The queue runtime was asked for but no Redis URL is configured."""

    code = "no_redis"
    http_status = 409


def redis_configured() -> bool:
    """True when ``AURA_REDIS_URL`` is set (the queue runtime can be used)."""
    from engine.config import settings

    return bool(settings().redis.url)


def redis_connection() -> redis.Redis:
    """A Redis client for ``settings().redis.url`` (one per process and URL; safe to use
    from several threads; a forked child gets its own).

    Raises:
        NoRedisConfigured: ``AURA_REDIS_URL`` is unset.
    """
    from engine.config import settings

    url = settings().redis.url
    if not url:
        raise NoRedisConfigured(
            "No Redis is configured for the queue runtime. Set AURA_REDIS_URL (e.g. "
            "redis://localhost:6379/0), start everything with 'aura up' (it runs an embedded "
            "Redis), or run the workflow inline ('aura run ... --runtime inline').")
    key = (os.getpid(), url)
    with _lock:
        conn = _conns.get(key)
        if conn is None:
            import redis

            conn = redis.Redis.from_url(url, socket_connect_timeout=5,
                                        health_check_interval=30)
            _conns[key] = conn
        return conn


def adopt_connection(conn: redis.Redis) -> None:
    """Uses ``conn`` (e.g. the one RQ already opened in this process) as this process's
    client for the configured URL, if it has none yet: saves a connection handshake
    in every forked work horse."""
    from engine.config import settings

    url = settings().redis.url
    if url:
        with _lock:
            _conns.setdefault((os.getpid(), url), conn)


def reset_connections() -> None:
    """Forgets cached clients (tests that restart Redis or change the URL)."""
    with _lock:
        for conn in _conns.values():
            with contextlib.suppress(Exception):  # closing a broken client: best effort
                conn.close()
        _conns.clear()


def cancel_key(execution_id: str) -> str:
    return f"aura:cancel:{execution_id}"


def deferred_key(workflow_id: str) -> str:
    return f"aura:deferred:{workflow_id}"


def lock_key(workflow_id: str) -> str:
    return f"aura:lock:wf:{workflow_id}"


def done_channel(execution_id: str) -> str:
    return f"aura:done:{execution_id}"
