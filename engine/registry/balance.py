"""Load-balancing strategies: how :func:`engine.registry.pick` chooses one instance.

* ``round_robin``: each in turn (instances ordered by id; one cursor per kind and
  process);
* ``least_connections``: the lowest reported ``active`` count (ties in turn);
* ``random``: uniformly at random;
* ``weighted``: at random in proportion to ``weight`` (``meta["weight"]``, default 1;
  zero or negative weights are never picked unless all are).

Strategies are small objects with ``choose(candidates, kind)``; pass your own to
:func:`~engine.registry.pick` for anything else.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Sequence
from typing import Protocol

from engine.errors import ValidationError
from engine.registry.types import Instance

__all__ = ["STRATEGIES", "LeastConnections", "RandomChoice", "RoundRobin", "Strategy",
           "Weighted", "strategy"]


class Strategy(Protocol):
    name: str

    def choose(self, candidates: Sequence[Instance], kind: str) -> Instance:
        """One of ``candidates`` (never empty)."""
        ...


class RoundRobin:
    """Each instance in turn."""

    name = "round_robin"

    def __init__(self) -> None:
        self._next: dict[str, int] = {}
        self._lock = threading.Lock()

    def choose(self, candidates: Sequence[Instance], kind: str) -> Instance:
        ordered = sorted(candidates, key=lambda i: i.id)
        with self._lock:
            n = self._next.get(kind, 0)
            self._next[kind] = n + 1
        return ordered[n % len(ordered)]


class LeastConnections:
    """The least loaded instance; ties are served in turn."""

    name = "least_connections"

    def __init__(self) -> None:
        self._ties = RoundRobin()

    def choose(self, candidates: Sequence[Instance], kind: str) -> Instance:
        low = min(i.active for i in candidates)
        return self._ties.choose([i for i in candidates if i.active == low], kind)


class RandomChoice:
    """Uniformly at random (``rng``: a seeded :class:`random.Random` for tests)."""

    name = "random"

    def __init__(self, rng: random.Random | None = None) -> None:
        self.rng = rng or random.Random()

    def choose(self, candidates: Sequence[Instance], kind: str) -> Instance:
        return self.rng.choice(sorted(candidates, key=lambda i: i.id))


class Weighted:
    """At random, in proportion to each instance's ``weight``."""

    name = "weighted"

    def __init__(self, rng: random.Random | None = None) -> None:
        self.rng = rng or random.Random()

    def choose(self, candidates: Sequence[Instance], kind: str) -> Instance:
        ordered = sorted(candidates, key=lambda i: i.id)
        weights = [max(0.0, i.weight) for i in ordered]
        if not any(weights):
            return self.rng.choice(ordered)
        return self.rng.choices(ordered, weights=weights)[0]


STRATEGIES: dict[str, Strategy] = {s.name: s for s in (
    RoundRobin(), LeastConnections(), RandomChoice(), Weighted())}
"""The process-wide strategy objects by name (they keep round-robin cursors)."""


def strategy(name: str | Strategy, rng: random.Random | None = None) -> Strategy:
    """The strategy called ``name`` (with ``rng``: a fresh random/weighted one using it).

    Raises:
        ValidationError: an unknown name.
    """
    if not isinstance(name, str):
        return name
    if rng is not None and name == "random":
        return RandomChoice(rng)
    if rng is not None and name == "weighted":
        return Weighted(rng)
    try:
        return STRATEGIES[name]
    except KeyError:
        raise ValidationError(f"Unknown load-balancing strategy {name!r}; use one of "
                              f"{', '.join(STRATEGIES)}.") from None
