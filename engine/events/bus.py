"""Where events go: Redis pub/sub when ``AURA_REDIS_URL`` is set, otherwise an
in-process bus (so inline runs still stream to subscribers in the same process, e.g.
the API server's event stream).

:func:`publish` never raises and never blocks on the network: with Redis, events are
handed to a background sender (:mod:`engine.events._sender`); in-process, they are
delivered to each subscriber's queue at once.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import threading
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

from engine.config import settings
from engine.events._sender import RedisSender
from engine.events.types import RECENT_KEY, Event, EventSettings, matches, parse_types

__all__ = [
    "LocalBus",
    "event_settings",
    "flush",
    "forked_child",
    "kick",
    "live_viewers",
    "local_bus",
    "publish",
    "recent",
    "reset",
    "uses_redis",
]

log = logging.getLogger("engine.events")

Sink = Callable[[Event], None]

_lock = threading.Lock()
_settings: EventSettings | None = None
_sender: RedisSender | None = None
_local: LocalBus | None = None
_forked = False


class LocalBus:
    """In-process pub/sub: subscribers are callables fed from the publishing thread
    (they must be quick: put the event on a queue)."""

    def __init__(self, keep: int) -> None:
        self._sinks: list[Sink] = []
        self._recent: deque[Event] = deque(maxlen=max(keep, 1))
        self._keep = keep
        self._lock = threading.Lock()

    def attach(self, sink: Sink) -> None:
        with self._lock:
            self._sinks = [*self._sinks, sink]

    def detach(self, sink: Sink) -> None:
        with self._lock:
            self._sinks = [s for s in self._sinks if s is not sink]

    def publish(self, events: list[Event]) -> None:
        if self._keep:
            self._recent.extend(events)
        for sink in self._sinks:  # a copy-on-write list: no lock needed to read it
            for ev in events:
                try:
                    sink(ev)
                except Exception:  # a broken subscriber must not break the run
                    log.debug("event subscriber failed", exc_info=True)

    def recent(self) -> list[Event]:
        """Kept events, oldest first."""
        return list(self._recent) if self._keep else []


def event_settings() -> EventSettings:
    """``AURA_EVENTS_*`` (read once per process; :func:`reset` re-reads)."""
    global _settings
    if _settings is None:
        _settings = EventSettings()
    return _settings


def uses_redis() -> bool:
    """True when events travel over Redis (``AURA_REDIS_URL`` is set). Asked about 10
    times per run: the settings read directly, no import per call."""
    return bool(settings().redis.url)


def live_viewers() -> bool:
    """Whether an event published now can reach a live viewer: over Redis (subscribers
    may be anywhere), or a subscriber of this process's bus. Events carry node data
    only then: an in-process event nobody watched is kept (for replay) without it, as
    Redis keeps its recent events."""
    if uses_redis():
        return True
    local = _local
    return local is not None and bool(local._sinks)


def local_bus() -> LocalBus:
    """This process's in-process bus."""
    global _local
    if _local is None:
        with _lock:
            if _local is None:
                _local = LocalBus(event_settings().recent)
    return _local


def _redis_sender() -> RedisSender:
    global _sender
    sender = _sender
    if sender is None or not sender.is_alive():
        with _lock:
            if _sender is None or not _sender.is_alive():
                _sender = RedisSender(event_settings())
                _sender.start()
            sender = _sender
    return sender


def publish(events: Event | list[Event]) -> None:
    """Publishes one event or several (in order). Never raises."""
    batch = [events] if isinstance(events, dict) else events
    if not batch:
        return
    try:
        if not event_settings().enabled:
            return
        if uses_redis():
            _redis_sender().put(batch)
        else:
            local_bus().publish(batch)
        offer = _offer_event or _streaming_offer()
        for event in batch:  # to the outside systems the owner configured, if any
            offer(event)
    except Exception:  # publishing must never fail a run
        log.debug("publishing events failed", exc_info=True)


_offer_event: Callable[[Event], None] | None = None


def _streaming_offer() -> Callable[[Event], None]:
    """:func:`engine.observability.streaming.offer_event`, imported at the first
    publish (as before) and then kept: an import statement per publish cost 3-5 µs."""
    global _offer_event
    from engine.observability import streaming

    _offer_event = streaming.offer_event
    return _offer_event


def flush(timeout: float | None = None) -> bool:
    """Waits (at most ``timeout``, default ``AURA_EVENTS_FLUSH_TIMEOUT_S``) until the
    events published so far by this process reached Redis. True when they did (or
    there is nothing to wait for)."""
    sender = _sender
    if sender is None:
        return True
    return sender.flush(event_settings().flush_timeout_s if timeout is None else timeout)


def kick() -> None:
    """Sends this process's pending events to Redis now (does not wait)."""
    sender = _sender
    if sender is not None:
        sender.kick()


def forked_child() -> bool:
    """True in a process forked from another (an RQ work horse), which may end with
    ``os._exit`` and lose buffered events: runs there wait for delivery."""
    return _forked


def recent(
    limit: int = 100,
    *,
    execution_id: str | None = None,
    workflow_id: str | None = None,
    types: str | Iterable[str] | None = None,
) -> list[Event]:
    """The last ``limit`` kept events passing the filters, oldest first (from Redis
    when configured, else from this process)."""
    wanted = parse_types(types)
    if uses_redis():
        from engine.runtimes._redis import redis_connection

        flush()  # this process's own events first (read your writes)

        raw = redis_connection().lrange(RECENT_KEY, 0, -1)
        events = [_decode(r) for r in reversed(raw)]  # type: ignore[arg-type]
        all_events = [e for e in events if e is not None]
    else:
        all_events = local_bus().recent()
    out = [
        e
        for e in all_events
        if matches(e, execution_id=execution_id, workflow_id=workflow_id, types=wanted)
    ]
    return out[-limit:] if limit > 0 else []


def _decode(raw: Any) -> Event | None:
    try:
        value = json.loads(raw)
    except (TypeError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def reset() -> None:
    """Stops the sender and forgets the in-process bus and settings (tests)."""
    global _sender, _local, _settings
    with _lock:
        sender, _sender, _local, _settings = _sender, None, None, None
    if sender is not None:
        sender.stop()


def _after_fork() -> None:
    """A forked child (an RQ work horse) starts without the parent's sender thread."""
    global _sender, _lock, _forked
    _sender = None
    _lock = threading.Lock()
    _forked = True


def _at_exit() -> None:
    sender = _sender
    if sender is not None and sender.is_alive():
        sender.flush(event_settings().flush_timeout_s)


os.register_at_fork(after_in_child=_after_fork)
atexit.register(_at_exit)
