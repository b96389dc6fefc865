"""Short-lived keys every process of an installation shares: the configured Redis, or
None when there is none (then a caller keeps its keys in its own process)."""

from __future__ import annotations

from typing import Any

__all__ = ["shared_redis"]


def shared_redis() -> Any:
    """The Redis connection of ``AURA_REDIS_URL`` (``redis.Redis``), or None when no
    Redis is configured."""
    from engine.config import settings

    if not settings().redis.url:
        return None
    from engine.runtimes import redis_connection

    return redis_connection()
