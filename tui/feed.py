"""The live feed: execution events from the server's SSE stream (``GET /api/v1/events``)
when it has one, otherwise events derived from polling ``/executions`` every 2 s.

The feed is plain asyncio. It calls ``publish`` for each :class:`~tui.models.Event` and
``on_mode`` whenever its source changes ("stream", "polling", "offline"); it keeps the
last events in :attr:`LiveFeed.history` for screens opened later. While polling it asks
for the stream again every ``probe_interval`` seconds, so a server that gains the events
route lights up without restarting the console.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime

from tui.client import ApiClient
from tui.errors import ApiError, AuthRequired, NotAvailable, Unreachable
from tui.models import Event, ExecutionSummary

__all__ = ["FEED_MODES", "LiveFeed", "events_from_changes"]

FEED_MODES = {
    "connecting": "connecting to the event stream…",
    "stream": "live: server event stream",
    "polling": "polling /executions every {interval:g} s (this server has no event stream)",
    "offline": "offline: waiting for the server",
}
_FINISHED = {"succeeded", "failed", "cancelled", "crashed"}


def _event_type(status: str) -> str:
    if status == "running":
        return "execution.started"
    if status in _FINISHED:
        return "execution.finished"
    return f"execution.{status}"


def events_from_changes(before: dict[str, str], rows: list[ExecutionSummary]
                        ) -> list[Event]:
    """Events for the executions in ``rows`` that are new or changed status since
    ``before`` (id -> status); updates ``before`` in place. Oldest first."""
    out: list[Event] = []
    for row in reversed(rows):
        if before.get(row.id) == row.status:
            continue
        before[row.id] = row.status
        at = (row.finished_at if row.status in _FINISHED else row.started_at) \
            or row.created_at or datetime.now(UTC)
        out.append(Event(_event_type(row.status), at, row.id, row.workflow_id or "",
                         row.workflow_name, "", row.status, row.error_message,
                         {"execution_id": row.id, "status": row.status}, "poll"))
    return out


class LiveFeed:
    """Streams or polls; see the module docstring.

    Args:
        client: the API client (read each loop, so a new sign-in is picked up).
        publish: receives every event.
        on_mode: receives the feed's mode on every change.
        poll_interval: seconds between polls without a stream.
        probe_interval: seconds between attempts to get a stream while polling.
        retry_s: pause after the server dropped the stream or could not be reached.
    """

    def __init__(self, client: Callable[[], ApiClient], publish: Callable[[Event], None],
                 on_mode: Callable[[str], None], *, poll_interval: float = 2.0,
                 probe_interval: float = 30.0, retry_s: float = 2.0,
                 history: int = 2000) -> None:
        self.client = client
        self.publish = publish
        self.on_mode = on_mode
        self.poll_interval = poll_interval
        self.probe_interval = probe_interval
        self.retry_s = retry_s
        self.mode = "connecting"
        self.history: deque[Event] = deque(maxlen=history)
        self.emitted = 0
        self._seen: dict[str, str] = {}
        self._baseline = False
        self._last_id = ""

    def describe(self) -> str:
        """The current mode as a sentence for the screens."""
        return FEED_MODES.get(self.mode, self.mode).format(interval=self.poll_interval)

    def _set_mode(self, mode: str) -> None:
        if mode != self.mode:
            self.mode = mode
            self.on_mode(mode)

    def _emit(self, event: Event) -> None:
        self.history.append(event)
        self.emitted += 1
        self.publish(event)

    def since(self, seq: int) -> list[Event]:
        """The kept events after the first ``seq`` ever emitted (0: all kept)."""
        first = self.emitted - len(self.history)
        return list(self.history)[max(0, seq - first):]

    async def run(self) -> None:
        """Runs until cancelled."""
        while True:
            try:
                await self._stream()
                await asyncio.sleep(self.retry_s)  # the server closed the stream
            except NotAvailable:
                await self._poll(self.probe_interval)
            except (Unreachable, AuthRequired):
                self._set_mode("offline")
                await asyncio.sleep(self.retry_s)
            except ApiError:
                await self._poll(self.probe_interval)

    async def _stream(self) -> None:
        async for event in self.client().events(self._last_id,
                                                 lambda: self._set_mode("stream")):
            if event.data.get("id"):
                self._last_id = str(event.data["id"])
            self._emit(event)

    async def poll_once(self) -> list[Event]:
        """One poll of the newest executions; returns (and publishes) what changed."""
        page = await self.client().executions(limit=50)
        if not self._baseline:  # the first poll only learns what exists
            events_from_changes(self._seen, page.items)
            self._baseline = True
            return []
        events = events_from_changes(self._seen, page.items)
        for event in events:
            self._emit(event)
        return events

    async def _poll(self, duration: float) -> None:
        loop = asyncio.get_running_loop()
        until = loop.time() + duration
        while loop.time() < until:
            try:
                await self.poll_once()
                self._set_mode("polling")
            except (Unreachable, AuthRequired):
                self._set_mode("offline")
            except ApiError:
                self._set_mode("polling")
            await asyncio.sleep(self.poll_interval)
