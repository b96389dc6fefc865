"""The registry's vocabulary: :class:`Instance` (one registered process), health states,
Redis key names and ``AURA_REGISTRY_*`` settings.

Health of an instance, from the age of its last heartbeat (``interval``: its own
heartbeat interval, ``ttl``: its record's lifetime):

* ``healthy``: age at most two intervals;
* ``unhealthy``: missed heartbeats for more than two intervals (still listed: it may be
  stuck or partitioned);
* ``expired``: older than the TTL; the record is gone (Redis expired it) and the health
  check removes it from the index.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from engine.config import RegistrySettings

__all__ = ["EXPIRED", "HEALTHY", "INDEX_KEY", "UNHEALTHY", "Instance", "RegistrySettings",
           "health_of", "instance_key"]

HEALTHY = "healthy"
UNHEALTHY = "unhealthy"
EXPIRED = "expired"
MISSED_BEATS = 2
"""Heartbeat intervals an instance may miss before it is unhealthy."""

INDEX_KEY = "aura:registry:index"
"""Sorted set: instance id -> time of its last heartbeat (epoch seconds)."""


def instance_key(instance_id: str) -> str:
    """The hash holding one instance's record (expires with its TTL)."""
    return f"aura:registry:instance:{instance_id}"


def health_of(age_s: float, interval_s: float, ttl_s: float) -> str:
    """``healthy``, ``unhealthy`` or ``expired`` for a heartbeat ``age_s`` seconds old."""
    if age_s > ttl_s:
        return EXPIRED
    if age_s > MISSED_BEATS * interval_s:
        return UNHEALTHY
    return HEALTHY


def _dt(value: Any) -> datetime:
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return datetime.fromtimestamp(0, UTC)


@dataclass(frozen=True)
class Instance:
    """One registered process as seen by the registry (see the module docstring)."""

    id: str
    kind: str
    host: str
    pid: int
    version: str
    started_at: datetime
    last_heartbeat: datetime
    interval_s: float
    ttl_s: float
    active: int = 0
    weight: float = 1.0
    health: str = HEALTHY
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def healthy(self) -> bool:
        return self.health == HEALTHY

    def uptime_s(self, now: datetime | None = None) -> float:
        """Seconds since the process registered."""
        return ((now or datetime.now(UTC)) - self.started_at).total_seconds()

    def age_s(self, now: datetime | None = None) -> float:
        """Seconds since its last heartbeat."""
        return ((now or datetime.now(UTC)) - self.last_heartbeat).total_seconds()

    def to_json(self, now: datetime | None = None) -> dict[str, Any]:
        """The JSON form of ``GET /api/v1/services``."""
        now = now or datetime.now(UTC)
        return {"id": self.id, "name": self.id, "kind": self.kind, "health": self.health,
                "host": self.host, "pid": self.pid, "version": self.version,
                "started_at": self.started_at.isoformat(),
                "uptime_s": round(self.uptime_s(now), 3),
                "last_heartbeat": self.last_heartbeat.isoformat(),
                "heartbeat_age_s": round(self.age_s(now), 3),
                "interval_s": self.interval_s, "ttl_s": self.ttl_s,
                "active": self.active, "weight": self.weight, "meta": self.meta}

    def to_record(self) -> dict[str, str]:
        """The fields of its Redis hash (all strings)."""
        return {"id": self.id, "kind": self.kind, "host": self.host, "pid": str(self.pid),
                "version": self.version, "started_at": self.started_at.isoformat(),
                "last_heartbeat": self.last_heartbeat.isoformat(),
                "interval_s": repr(self.interval_s), "ttl_s": repr(self.ttl_s),
                "active": str(self.active), "weight": repr(self.weight),
                "health": self.health, "meta": json.dumps(self.meta, default=str)}

    @classmethod
    def from_record(cls, rec: dict[str, str], now: datetime | None = None) -> Instance:
        """Parses a hash; ``health`` is recomputed from the heartbeat age at ``now``."""
        last = _dt(rec.get("last_heartbeat"))
        interval = float(rec.get("interval_s") or 5.0)
        ttl = float(rec.get("ttl_s") or 30.0)
        try:
            meta = json.loads(rec.get("meta") or "{}")
        except ValueError:
            meta = {}
        age = ((now or datetime.now(UTC)) - last).total_seconds()
        return cls(id=rec.get("id", "?"), kind=rec.get("kind", ""),
                   host=rec.get("host", ""), pid=int(rec.get("pid") or 0),
                   version=rec.get("version", ""), started_at=_dt(rec.get("started_at")),
                   last_heartbeat=last, interval_s=interval, ttl_s=ttl,
                   active=int(rec.get("active") or 0),
                   weight=float(rec.get("weight") or 1.0),
                   health=health_of(age, interval, ttl),
                   meta=meta if isinstance(meta, dict) else {})
