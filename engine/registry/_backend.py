"""Where instance records live (private): Redis when ``AURA_REDIS_URL`` is set, else a
dict in this process (a single-process install still lists itself).

Redis layout: a hash ``aura:registry:instance:<id>`` per instance with a TTL refreshed
by every heartbeat, and the sorted set ``aura:registry:index`` (id -> last heartbeat,
epoch seconds) to list them without ``SCAN``.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Protocol

from engine.registry.types import INDEX_KEY, Instance, instance_key

__all__ = ["Backend", "LocalBackend", "RedisBackend", "backend"]


class Backend(Protocol):
    def write(self, inst: Instance) -> None:
        """Stores the record (and refreshes its TTL and index entry)."""

    def remove(self, instance_id: str) -> None:
        """Deletes the record and its index entry."""

    def records(self) -> list[tuple[str, dict[str, str] | None]]:
        """Every indexed id with its record (None: the record expired)."""

    def mark(self, instance_id: str, health: str) -> None:
        """Stores the health the check computed (if the record still exists)."""


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class RedisBackend:
    """Records in Redis (see the module docstring)."""

    def __init__(self, conn: Any) -> None:
        self.r = conn

    def write(self, inst: Instance) -> None:
        key = instance_key(inst.id)
        pipe = self.r.pipeline(transaction=True)
        pipe.hset(key, mapping=inst.to_record())
        pipe.pexpire(key, max(1, int(inst.ttl_s * 1000)))
        pipe.zadd(INDEX_KEY, {inst.id: inst.last_heartbeat.timestamp()})
        pipe.execute()

    def remove(self, instance_id: str) -> None:
        pipe = self.r.pipeline(transaction=True)
        pipe.delete(instance_key(instance_id))
        pipe.zrem(INDEX_KEY, instance_id)
        pipe.execute()

    def records(self) -> list[tuple[str, dict[str, str] | None]]:
        ids = [_text(i) for i in self.r.zrange(INDEX_KEY, 0, -1)]
        if not ids:
            return []
        pipe = self.r.pipeline(transaction=False)
        for i in ids:
            pipe.hgetall(instance_key(i))
        out: list[tuple[str, dict[str, str] | None]] = []
        for i, raw in zip(ids, pipe.execute(), strict=True):
            rec = {_text(k): _text(v) for k, v in raw.items()} if raw else None
            out.append((i, rec))
        return out

    def mark(self, instance_id: str, health: str) -> None:
        key = instance_key(instance_id)
        # only while the record exists: HSET on an expired key would recreate it
        self.r.eval("if redis.call('EXISTS', KEYS[1]) == 1 then "
                    "redis.call('HSET', KEYS[1], 'health', ARGV[1]) end", 1, key, health)


class LocalBackend:
    """Records in this process (no Redis configured)."""

    def __init__(self) -> None:
        self._data: dict[str, tuple[dict[str, str], float]] = {}
        self._lock = threading.Lock()

    def write(self, inst: Instance) -> None:
        with self._lock:
            self._data[inst.id] = (inst.to_record(), time.monotonic() + inst.ttl_s)

    def remove(self, instance_id: str) -> None:
        with self._lock:
            self._data.pop(instance_id, None)

    def records(self) -> list[tuple[str, dict[str, str] | None]]:
        now = time.monotonic()
        with self._lock:
            return [(i, dict(rec) if expires > now else None)
                    for i, (rec, expires) in self._data.items()]

    def mark(self, instance_id: str, health: str) -> None:
        with self._lock:
            got = self._data.get(instance_id)
            if got is not None:
                got[0]["health"] = health

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


_local = LocalBackend()


def backend() -> Backend:
    """Redis when configured, else this process's local records."""
    from engine.runtimes._redis import redis_configured, redis_connection

    if redis_configured():
        return RedisBackend(redis_connection())
    return _local
