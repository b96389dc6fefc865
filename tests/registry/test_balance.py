"""The load-balancing strategies of ``engine.registry.pick``: round robin cycles, least
connections picks the least active, weighted follows the weights, random covers all;
and ``pick`` over instances registered in Redis."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime

import pytest

from engine import registry
from engine.errors import NotFoundError, ValidationError
from engine.registry import Instance

NOW = datetime.now(UTC)


def _inst(id: str, *, active: int = 0, weight: float = 1.0, health: str = "healthy",
          kind: str = "worker") -> Instance:
    return Instance(id=id, kind=kind, host="h", pid=1, version="0", started_at=NOW,
                    last_heartbeat=NOW, interval_s=5, ttl_s=30, active=active,
                    weight=weight, health=health)


POOL = [_inst("c"), _inst("a"), _inst("b")]


def test_round_robin_cycles_in_a_stable_order() -> None:
    rr = registry.RoundRobin()
    picks = [registry.pick("worker", rr, candidates=POOL).id for _ in range(7)]
    assert picks == ["a", "b", "c", "a", "b", "c", "a"]
    # the named strategy keeps one cursor per kind
    other = [_inst("x", kind="k2"), _inst("y", kind="k2")]
    named = [registry.pick("k2", "round_robin", candidates=other).id for _ in range(4)]
    assert sorted(named) == ["x", "x", "y", "y"] and named[0] != named[1]


def test_least_connections_picks_the_least_active() -> None:
    pool = [_inst("a", active=3), _inst("b", active=1), _inst("c", active=2)]
    assert registry.pick("worker", "least_connections", candidates=pool).id == "b"
    tied = [_inst("a", active=1), _inst("b", active=0), _inst("c", active=0)]
    lc = registry.LeastConnections()
    assert [registry.pick("worker", lc, candidates=tied).id for _ in range(4)] == [
        "b", "c", "b", "c"]


def test_weighted_respects_the_weights() -> None:
    pool = [_inst("a", weight=1), _inst("b", weight=3), _inst("c", weight=6),
            _inst("z", weight=0)]
    rng = random.Random(1234)
    n = 20_000
    counts = Counter(registry.pick("worker", "weighted", rng=rng, candidates=pool).id
                     for _ in range(n))
    assert counts["z"] == 0
    for id, share in (("a", 0.1), ("b", 0.3), ("c", 0.6)):
        assert abs(counts[id] / n - share) < 0.02, counts


def test_random_covers_every_instance() -> None:
    rng = random.Random(99)
    counts = Counter(registry.pick("worker", "random", rng=rng, candidates=POOL).id
                     for _ in range(600))
    assert set(counts) == {"a", "b", "c"} and min(counts.values()) > 150


def test_only_healthy_instances_of_the_kind_are_picked() -> None:
    pool = [_inst("a", health="unhealthy"), _inst("b"), _inst("c", kind="api")]
    assert {registry.pick("worker", "random", candidates=pool).id for _ in range(20)} == {"b"}
    with pytest.raises(NotFoundError, match="No healthy 'scheduler'"):
        registry.pick("scheduler", candidates=pool)
    with pytest.raises(ValidationError, match="least_connections"):
        registry.pick("worker", "fastest", candidates=pool)


def test_pick_reads_the_registry(registry_env: str, kind: str) -> None:
    busy = registry.register(kind, id=f"{kind}-busy")
    idle = registry.register(kind, id=f"{kind}-idle")
    try:
        busy.set_active(5)
        busy.beat()
        assert registry.pick(kind, "least_connections").id == idle.id
        assert {registry.pick(kind).id for _ in range(2)} == {busy.id, idle.id}
    finally:
        busy.stop()
        idle.stop()
