"""Event vocabulary: type names, Redis channel and key names, settings and filtering.

An event is a small JSON object (a ``dict``), never secrets; ``node.finished`` may
carry the node's output, capped (see :mod:`engine.events.publisher`)::

    {"type": "node.finished", "id": "6277e3b5c1a40-1a2b-7",
     "ts": "2025-01-31T12:00:00.123456+00:00", "execution_id": "...",
     "workflow_id": "...", "workflow_name": "Orders", "mode": "webhook",
     "node": "Set", "node_type": "core.set", "status": "succeeded", "duration_ms": 1.2,
     "input_counts": {"main": 3}, "output_counts": {"main": 3}, "seq": 4,
     "outputs": {"main": [{"json": {...}}, ...]}, "logs": []}

Channels: every event goes to :data:`GLOBAL_CHANNEL` (``aura:events``) and to the
execution's own channel (``aura:events:<execution_id>``); the last
``AURA_EVENTS_RECENT`` events are kept in the capped list :data:`RECENT_KEY`
(``aura:events:recent``, newest first) for ``aura logs`` and for replay after a
reconnect (``Last-Event-ID``), without node data (``outputs``, ``logs``): those travel
on the channels only.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from engine.config import EventSettings
from engine.observability import correlation

__all__ = [
    "EVENT_TYPES",
    "EXECUTION_FINISHED",
    "EXECUTION_QUEUED",
    "EXECUTION_STARTED",
    "EXECUTION_WAITING",
    "GLOBAL_CHANNEL",
    "NODE_FINISHED",
    "NODE_STARTED",
    "RECENT_KEY",
    "Event",
    "EventSettings",
    "execution_channel",
    "matches",
    "new_event",
    "parse_types",
]

Event = dict[str, Any]
"""One event: a JSON-able dict with at least ``type``, ``id`` and ``ts``."""

EXECUTION_QUEUED = "execution.queued"
EXECUTION_STARTED = "execution.started"
NODE_STARTED = "node.started"
NODE_FINISHED = "node.finished"
EXECUTION_WAITING = "execution.waiting"
EXECUTION_FINISHED = "execution.finished"
EVENT_TYPES: tuple[str, ...] = (
    EXECUTION_QUEUED,
    EXECUTION_STARTED,
    NODE_STARTED,
    NODE_FINISHED,
    EXECUTION_WAITING,
    EXECUTION_FINISHED,
)
"""Every type the engine publishes, in lifecycle order."""

GLOBAL_CHANNEL = "aura:events"
RECENT_KEY = "aura:events:recent"


def execution_channel(execution_id: str) -> str:
    """The pub/sub channel of one execution's events."""
    return f"{GLOBAL_CHANNEL}:{execution_id}"


_seq = itertools.count(1)
_pid = f"{os.getpid():x}"


def _after_fork() -> None:
    global _pid
    _pid = f"{os.getpid():x}"


os.register_at_fork(after_in_child=_after_fork)


def new_event(type: str, **fields: Any) -> Event:
    """An event of ``type`` stamped with a unique ``id`` (``<time µs>-<pid>-<seq>``, all
    hex), the current UTC time ``ts`` and the correlation id bound where it is made
    (:mod:`engine.observability.correlation`), if any."""
    now = datetime.now(UTC)
    event = {
        "type": type,
        "id": f"{int(now.timestamp() * 1e6):x}-{_pid}-{next(_seq):x}",
        "ts": now.isoformat(),
        **fields,
    }
    cid = correlation.current()
    if cid is not None:
        event.setdefault("correlation_id", cid)
    return event


def parse_types(types: str | Iterable[str] | None) -> frozenset[str] | None:
    """Type filters from ``"a,b"`` or ``["a", "b,c"]``; None for no filter. A filter
    ending in ``.`` or ``.*`` matches a prefix (``node.*``: every node event)."""
    if types is None:
        return None
    parts = [types] if isinstance(types, str) else list(types)
    out = {t.strip() for p in parts for t in str(p).split(",") if t.strip()}
    return frozenset(out) or None


def matches(
    event: Event,
    *,
    execution_id: str | None = None,
    workflow_id: str | None = None,
    types: frozenset[str] | None = None,
) -> bool:
    """Whether ``event`` passes the filters (``None``: no filter)."""
    if execution_id and event.get("execution_id") != execution_id:
        return False
    if workflow_id and event.get("workflow_id") != workflow_id:
        return False
    if types:
        kind = str(event.get("type", ""))
        if kind not in types and not any(
            t.endswith((".", ".*")) and kind.startswith(t.rstrip("*")) for t in types
        ):
            return False
    return True
