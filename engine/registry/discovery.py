"""Reading the registry: :func:`instances`, :func:`check_health` and :func:`pick`.

``instances()`` computes each instance's health from its heartbeat age when read, so it
is right even between health checks; :func:`check_health` (run every other heartbeat
by every registered process) stores ``unhealthy`` in the records of instances that
missed two heartbeats and removes expired ones from the index.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from engine.errors import NotFoundError
from engine.registry._backend import backend
from engine.registry.balance import Strategy, strategy
from engine.registry.types import EXPIRED, UNHEALTHY, Instance

__all__ = ["HealthReport", "check_health", "instances", "pick"]


@dataclass
class HealthReport:
    """What one health check saw and did."""

    healthy: int = 0
    unhealthy: int = 0
    marked: int = 0
    removed: int = 0


def instances(kind: str | None = None, *, healthy_only: bool = False) -> list[Instance]:
    """Registered instances (of ``kind``), ordered by kind then start time; expired ones
    are left out."""
    now = datetime.now(UTC)
    out: list[Instance] = []
    for _, rec in backend().records():
        if rec is None:
            continue
        inst = Instance.from_record(rec, now)
        if inst.health == EXPIRED or (kind is not None and inst.kind != kind):
            continue
        if healthy_only and not inst.healthy:
            continue
        out.append(inst)
    return sorted(out, key=lambda i: (i.kind, i.started_at, i.id))


def check_health(now: datetime | None = None) -> HealthReport:
    """Marks instances that missed two heartbeats ``unhealthy`` and removes expired ones
    (their record is gone or older than its TTL)."""
    now = now or datetime.now(UTC)
    be = backend()
    report = HealthReport()
    for iid, rec in be.records():
        if rec is None:
            be.remove(iid)
            report.removed += 1
            continue
        inst = Instance.from_record(rec, now)
        if inst.health == EXPIRED:
            be.remove(iid)
            report.removed += 1
        elif inst.health == UNHEALTHY:
            report.unhealthy += 1
            if rec.get("health") != UNHEALTHY:
                be.mark(iid, UNHEALTHY)
                report.marked += 1
        else:
            report.healthy += 1
    return report


def pick(kind: str, how: str | Strategy = "round_robin", *,
         rng: random.Random | None = None,
         candidates: Sequence[Instance] | None = None) -> Instance:
    """One healthy ``kind`` instance chosen by a strategy (``round_robin``,
    ``least_connections``, ``random``, ``weighted`` or a :class:`Strategy`).

    Args:
        rng: a seeded random generator for ``random``/``weighted`` (tests).
        candidates: choose among these instead of reading the registry (e.g. a list
            read once for many picks); unhealthy ones are still skipped.

    Raises:
        NotFoundError: no healthy instance of that kind is registered.
        ValidationError: an unknown strategy name.
    """
    chooser = strategy(how, rng)
    pool = [i for i in (candidates if candidates is not None else instances(kind))
            if i.kind == kind and i.healthy]
    if not pool:
        raise NotFoundError(f"No healthy '{kind}' instance is registered; start one (e.g. "
                            f"'aura {kind}') or check 'aura services'.",
                            details={"kind": kind})
    return chooser.choose(pool, kind)
