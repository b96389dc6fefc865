"""The Redis side of publishing (private): one background thread per process sends
events in batches, so a hook only appends to a deque.

A batch is one pipeline (no transaction): for each event ``PUBLISH aura:events``,
``PUBLISH aura:events:<execution>`` and ``LPUSH aura:events:recent``, then one ``LTRIM``.
When Redis fails the batch is dropped, a warning is logged once, and events are dropped
for ``AURA_EVENTS_RETRY_S`` before the next attempt: a run never waits for, nor fails
because of, a Redis that is down.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import deque

from engine.events.types import GLOBAL_CHANNEL, RECENT_KEY, Event, EventSettings

__all__ = ["RedisSender"]

log = logging.getLogger("engine.events")


class RedisSender(threading.Thread):
    """Batches events to Redis from a daemon thread."""

    def __init__(self, config: EventSettings) -> None:
        super().__init__(name="aura-events", daemon=True)
        self.config = config
        self._pending: deque[Event] = deque()
        self._cond = threading.Condition()
        self._queued = 0       # events accepted or dropped so far
        self._done = 0         # events sent or dropped so far
        self._down_until = 0.0
        self._warned = False
        self._stopping = False
        self.dropped = 0
        self.sent = 0

    # -- producer side (any thread) ----------------------------------------------------
    def put(self, events: list[Event]) -> None:
        """Queues events (never blocks; drops them while Redis is down or the buffer is
        full)."""
        with self._cond:
            self._queued += len(events)
            if (time.monotonic() < self._down_until
                    or len(self._pending) + len(events) > self.config.max_pending):
                self._done += len(events)
                self.dropped += len(events)
                return
            self._pending.extend(events)
            self._cond.notify()

    def flush(self, timeout: float) -> bool:
        """Waits until everything queued so far was sent (or dropped); False on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            target = self._queued
            while self._done < target:
                left = deadline - time.monotonic()
                if left <= 0 or not self.is_alive():
                    return False
                self._cond.wait(left)
        return True

    def stop(self, timeout: float = 2.0) -> None:
        """Sends what is pending, then ends the thread."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self.is_alive():
            self.join(timeout)

    # -- the thread ----------------------------------------------------------------------
    def run(self) -> None:
        while True:
            with self._cond:
                while not self._pending and not self._stopping:
                    self._cond.wait()
                if not self._pending and self._stopping:
                    return
                batch = list(self._pending)
                self._pending.clear()
            self._send(batch)
            with self._cond:
                self._done += len(batch)
                self._cond.notify_all()

    def _send(self, batch: list[Event]) -> None:
        from engine.runtimes._redis import redis_connection

        try:
            pipe = redis_connection().pipeline(transaction=False)
            keep = self.config.recent
            for ev in batch:
                data = json.dumps(ev, separators=(",", ":"), default=str)
                pipe.publish(GLOBAL_CHANNEL, data)
                if ev.get("execution_id"):
                    pipe.publish(f"{GLOBAL_CHANNEL}:{ev['execution_id']}", data)
                if keep:
                    pipe.lpush(RECENT_KEY, data)
            if keep:
                pipe.ltrim(RECENT_KEY, 0, keep - 1)
            pipe.execute()
        except Exception as exc:
            self.dropped += len(batch)
            with self._cond:
                self._down_until = time.monotonic() + self.config.retry_s
            if not self._warned:
                self._warned = True
                log.warning("live events cannot reach Redis (%s: %s); they are dropped "
                            "until it answers again (runs are not affected)",
                            type(exc).__name__, exc)
            return
        self.sent += len(batch)
        if self._warned:
            self._warned = False
            log.warning("live events reach Redis again")
