"""The Redis side of publishing (private): one background thread per process sends
events in batches, so a hook only appends to a deque.

The thread waits ``AURA_EVENTS_LINGER_S`` after the first event of a batch (a run's
next events usually follow within milliseconds), unless :meth:`RedisSender.kick` or
:meth:`RedisSender.flush` asks it to hurry (the end of a run does). Only the first
event after a quiet spell wakes the thread: while events keep coming it collects them
every linger on its own. A batch is one Lua
call: for each event ``PUBLISH aura:events``, ``PUBLISH aura:events:<execution>`` and
``LPUSH aura:events:recent``, then one ``LTRIM``, so its cost on the publishing process
barely grows with the batch.

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
from typing import Any

from engine.events.types import GLOBAL_CHANNEL, RECENT_KEY, Event, EventSettings

__all__ = ["PUBLISH_SCRIPT", "RedisSender"]

log = logging.getLogger("engine.events")

MAX_BATCH = 500
"""Most events sent in one call."""

PUBLISH_SCRIPT = """
local keep = tonumber(ARGV[1])
local n = (#ARGV - 1) / 3
for i = 1, n do
  local eid, data, kept = ARGV[3 * i - 1], ARGV[3 * i], ARGV[3 * i + 1]
  redis.call('PUBLISH', KEYS[1], data)
  if eid ~= '' then redis.call('PUBLISH', KEYS[1] .. ':' .. eid, data) end
  if keep > 0 then redis.call('LPUSH', KEYS[2], kept ~= '' and kept or data) end
end
if keep > 0 then redis.call('LTRIM', KEYS[2], 0, keep - 1) end
return n
"""
"""KEYS: the global channel, the recent list; ARGV: keep, then (execution id, JSON, JSON
kept in the recent list or '' for the same) triples."""

NODE_DATA = ("outputs", "logs")
"""Fields that travel on the channels but are not kept in the recent list."""


class RedisSender(threading.Thread):
    """Batches events to Redis from a daemon thread."""

    def __init__(self, config: EventSettings) -> None:
        super().__init__(name="aura-events", daemon=True)
        self.config = config
        self._pending: deque[Event] = deque()
        self._cond = threading.Condition(threading.Lock())
        self._queued = 0  # events accepted or dropped so far
        self._done = 0  # events sent or dropped so far
        self._idle = False  # the thread waits for a first event
        self._hurry = False  # a flush is waiting: skip the linger
        self._down_until = 0.0
        self._warned = False
        self._stopping = False
        self._script: Any = None
        self._conn: Any = None
        self.dropped = 0
        self.sent = 0
        self.batches = 0

    # -- producer side (any thread) ----------------------------------------------------
    def put(self, events: list[Event]) -> None:
        """Queues events (never blocks; drops them while Redis is down or the buffer is
        full)."""
        with self._cond:
            self._queued += len(events)
            if (
                time.monotonic() < self._down_until
                or len(self._pending) + len(events) > self.config.max_pending
            ):
                self._done += len(events)
                self.dropped += len(events)
                return
            self._pending.extend(events)
            if self._idle:
                self._cond.notify()

    def kick(self) -> None:
        """Sends what is pending now instead of after the linger (does not wait)."""
        with self._cond:
            if self._pending:
                self._hurry = True
                self._cond.notify_all()

    def flush(self, timeout: float) -> bool:
        """Sends at once and waits until everything queued so far was sent (or
        dropped); False on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            target = self._queued
            while self._done < target:
                left = deadline - time.monotonic()
                if left <= 0 or not self.is_alive():
                    return False
                self._hurry = True
                self._cond.notify_all()
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
        linger = self.config.linger_s
        busy = False  # a batch just went out: more events are likely soon
        while True:
            with self._cond:
                lingered = False
                if busy and not self._pending and not self._stopping and linger > 0:
                    # runs back to back: collect their events for one linger without
                    # being woken by each put (a thread switch per run, measured at
                    # ~0.4 ms of CPU per webhook); kick and flush still wake it
                    self._cond.wait(linger)
                    lingered = True
                while not self._pending and not self._stopping:
                    self._idle = True
                    self._cond.wait()
                    self._idle = False
                if not self._pending and self._stopping:
                    return
                if linger > 0 and not lingered and not self._hurry and not self._stopping:
                    self._cond.wait(linger)  # let the run's next events join the batch
                self._hurry = False
                batch = [self._pending.popleft() for _ in range(min(MAX_BATCH, len(self._pending)))]
                busy = True
            self._send(batch)
            with self._cond:
                self._done += len(batch)
                self._cond.notify_all()

    def _send(self, batch: list[Event]) -> None:
        from engine.runtimes._redis import redis_connection

        try:
            conn = redis_connection()
            if self._script is None or self._conn is not conn:
                self._script, self._conn = conn.register_script(PUBLISH_SCRIPT), conn
            args: list[Any] = [self.config.recent]
            for ev in batch:
                args.append(ev.get("execution_id") or "")
                args.append(json.dumps(ev, separators=(",", ":"), default=str))
                slim = {k: v for k, v in ev.items() if k not in NODE_DATA}
                args.append(
                    ""
                    if len(slim) == len(ev)
                    else json.dumps(slim, separators=(",", ":"), default=str)
                )
            self._script(keys=[GLOBAL_CHANNEL, RECENT_KEY], args=args)
        except Exception as exc:
            self.dropped += len(batch)
            with self._cond:
                self._down_until = time.monotonic() + self.config.retry_s
            if not self._warned:
                self._warned = True
                log.warning(
                    "live events cannot reach Redis (%s: %s); they are dropped "
                    "until it answers again (runs are not affected)",
                    type(exc).__name__,
                    exc,
                )
            return
        self.sent += len(batch)
        self.batches += 1
        if self._warned:
            self._warned = False
            log.warning("live events reach Redis again")
