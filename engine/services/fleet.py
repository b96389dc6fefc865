"""The fleet: the API servers, workers and schedulers that heartbeat into the service
registry (the service API of :mod:`engine.registry`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["instances", "register"]


def instances(kind: str | None = None, *, healthy_only: bool = False) -> list[Any]:
    """Registered instances (of ``kind``), ordered by kind then start time
    (:class:`engine.registry.Instance`: ``kind``, ``healthy``, ``to_json()``...)."""
    from engine.registry import instances as registered

    return list(registered(kind, healthy_only=healthy_only))


def register(
    kind: str, meta: dict[str, Any] | None = None, *, active: Callable[[], int] | None = None
) -> Any:
    """Registers this process as a ``kind`` instance and starts its heartbeat; returns
    the :class:`engine.registry.Registration`."""
    from engine.registry import register as registration

    return registration(kind, meta, active=active)
