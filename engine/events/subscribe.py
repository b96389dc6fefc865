"""Following events: :func:`subscribe` (blocking iterator, for the CLI) and
:func:`asubscribe` (asyncio, for the API's Server-Sent Events).

A subscription is live when the call returns (the Redis ``SUBSCRIBE`` is confirmed), so
a caller can subscribe, then start an execution, and miss nothing. With an
``execution_id`` it listens on that execution's channel only; otherwise on the global
one. ``workflow_id`` and ``types`` are filtered here. Without Redis it listens on the
in-process bus (:class:`engine.events.bus.LocalBus`)::

    with subscribe(execution_id=eid, types="node.finished") as sub:
        for event in sub:          # blocks; sub.get(timeout) returns None when idle
            print(event["node"], event["status"])
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import queue
import time
from collections.abc import AsyncIterator, Iterable, Iterator
from types import TracebackType
from typing import Any

from engine.events import bus
from engine.events.types import GLOBAL_CHANNEL, Event, execution_channel, matches, parse_types

__all__ = ["AsyncSubscription", "Subscription", "asubscribe", "replay_after", "subscribe"]

MAX_BUFFERED = 10_000
"""Events an in-process subscriber buffers before new ones are dropped."""


class _Filters:
    def __init__(self, execution_id: str | None, workflow_id: str | None,
                 types: str | Iterable[str] | None) -> None:
        self.execution_id = execution_id or None
        self.workflow_id = workflow_id or None
        self.types = parse_types(types)
        self.channel = execution_channel(execution_id) if execution_id else GLOBAL_CHANNEL

    def accept(self, event: Event | None) -> bool:
        return event is not None and matches(event, execution_id=self.execution_id,
                                             workflow_id=self.workflow_id, types=self.types)


def _decode(message: Any) -> Event | None:
    if not message or message.get("type") != "message":
        return None
    try:
        value = json.loads(message["data"])
    except (TypeError, ValueError):
        return None
    return value if isinstance(value, dict) else None


class Subscription(_Filters):
    """A blocking subscription; iterate it, or poll :meth:`get`. Close it when done."""

    def __init__(self, execution_id: str | None = None, workflow_id: str | None = None,
                 types: str | Iterable[str] | None = None, *, connect_timeout: float = 5.0
                 ) -> None:
        super().__init__(execution_id, workflow_id, types)
        self.closed = False
        self._pubsub: Any = None
        self._queue: queue.SimpleQueue[Event] | None = None
        if bus.uses_redis():
            from engine.runtimes._redis import redis_connection

            self._pubsub = redis_connection().pubsub()  # type: ignore[no-untyped-call]
            self._pubsub.subscribe(self.channel)
            deadline = time.monotonic() + connect_timeout
            while time.monotonic() < deadline:
                msg = self._pubsub.get_message(timeout=deadline - time.monotonic())
                if msg and msg.get("type") == "subscribe":
                    break
        else:
            q: queue.SimpleQueue[Event] = queue.SimpleQueue()
            self._queue = q
            self._sink = lambda ev: q.put(ev) if q.qsize() < MAX_BUFFERED else None
            bus.local_bus().attach(self._sink)

    def get(self, timeout: float | None = None) -> Event | None:
        """The next matching event, or None after ``timeout`` seconds (None: wait)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self.closed:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            if self._pubsub is not None:
                event = _decode(self._pubsub.get_message(
                    ignore_subscribe_messages=True, timeout=1.0 if left is None else left))
            else:
                assert self._queue is not None
                try:
                    event = self._queue.get(timeout=left)
                except queue.Empty:
                    event = None
            if self.accept(event):
                return event
            if deadline is not None and time.monotonic() >= deadline:
                return None
        return None

    def __iter__(self) -> Iterator[Event]:
        while not self.closed:
            event = self.get(1.0)
            if event is not None:
                yield event

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        if self._pubsub is not None:
            with contextlib.suppress(Exception):  # closing is best effort
                self._pubsub.close()
        else:
            bus.local_bus().detach(self._sink)

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def subscribe(execution_id: str | None = None, types: str | Iterable[str] | None = None,
              *, workflow_id: str | None = None) -> Subscription:
    """A live, blocking subscription to events (see the module docstring)."""
    return Subscription(execution_id, workflow_id, types)


class AsyncSubscription(_Filters):
    """An asyncio subscription; ``async for`` it, or await :meth:`get`."""

    def __init__(self, execution_id: str | None = None, workflow_id: str | None = None,
                 types: str | Iterable[str] | None = None) -> None:
        super().__init__(execution_id, workflow_id, types)
        self.closed = False
        self._client: Any = None
        self._pubsub: Any = None
        self._queue: asyncio.Queue[Event] | None = None

    async def start(self, connect_timeout: float = 5.0) -> AsyncSubscription:
        """Subscribes (returns once the subscription is live)."""
        if bus.uses_redis():
            import redis.asyncio as aioredis

            from engine.config import settings

            self._client = aioredis.Redis.from_url(str(settings().redis.url),
                                                   socket_connect_timeout=connect_timeout)
            self._pubsub = self._client.pubsub()
            await self._pubsub.subscribe(self.channel)
            deadline = time.monotonic() + connect_timeout
            while time.monotonic() < deadline:
                msg = await self._pubsub.get_message(timeout=deadline - time.monotonic())
                if msg and msg.get("type") == "subscribe":
                    break
        else:
            loop = asyncio.get_running_loop()
            q: asyncio.Queue[Event] = asyncio.Queue(MAX_BUFFERED)

            def sink(ev: Event) -> None:
                loop.call_soon_threadsafe(_offer, q, ev)

            self._queue, self._sink = q, sink
            bus.local_bus().attach(sink)
        return self

    async def get(self, timeout: float | None = None) -> Event | None:
        """The next matching event, or None after ``timeout`` seconds (None: wait)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self.closed:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            if self._pubsub is not None:
                event = _decode(await self._pubsub.get_message(
                    ignore_subscribe_messages=True, timeout=1.0 if left is None else left))
            else:
                assert self._queue is not None
                try:
                    event = await asyncio.wait_for(self._queue.get(), left)
                except TimeoutError:
                    event = None
            if self.accept(event):
                return event
            if deadline is not None and time.monotonic() >= deadline:
                return None
        return None

    async def __aiter__(self) -> AsyncIterator[Event]:
        while not self.closed:
            event = await self.get(1.0)
            if event is not None:
                yield event

    async def aclose(self) -> None:
        if self.closed:
            return
        self.closed = True
        if self._pubsub is not None:
            with contextlib.suppress(Exception):  # closing is best effort
                await self._pubsub.aclose()
            with contextlib.suppress(Exception):
                await self._client.aclose()
        elif self._queue is not None:
            bus.local_bus().detach(self._sink)

    async def __aenter__(self) -> AsyncSubscription:
        return self

    async def __aexit__(self, et: type[BaseException] | None, ev: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.aclose()


def _offer(q: asyncio.Queue[Event], ev: Event) -> None:
    with contextlib.suppress(asyncio.QueueFull):  # a stalled reader loses events
        q.put_nowait(ev)


async def asubscribe(execution_id: str | None = None,
                     types: str | Iterable[str] | None = None, *,
                     workflow_id: str | None = None) -> AsyncSubscription:
    """A live asyncio subscription (see the module docstring)."""
    return await AsyncSubscription(execution_id, workflow_id, types).start()


def replay_after(last_id: str, *, execution_id: str | None = None,
                 workflow_id: str | None = None, types: str | Iterable[str] | None = None
                 ) -> list[Event]:
    """Kept events published after the event ``last_id`` (for a client reconnecting with
    ``Last-Event-ID``), oldest first; empty when ``last_id`` is no longer kept."""
    kept = bus.recent(bus.event_settings().recent or 1, execution_id=execution_id,
                      workflow_id=workflow_id, types=types)
    for i, ev in enumerate(kept):
        if ev.get("id") == last_id:
            return kept[i + 1:]
    return []
