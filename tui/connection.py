"""Is the server there? A monitor that probes ``/healthz`` and, when the server stops
answering, retries with exponential backoff while telling the UI what it is doing
("reconnecting in 4 s, attempt 3").

The monitor is plain asyncio (no Textual): the app runs :meth:`ConnectionMonitor.run`
as a worker and renders each :class:`ConnectionState` it reports.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from tui.errors import ApiError, Unreachable
from tui.models import Health

__all__ = ["Backoff", "ConnectionMonitor", "ConnectionState"]


@dataclass(frozen=True)
class Backoff:
    """Delays between reconnection attempts: ``base * factor**(n-1)``, at most ``cap``."""

    base: float = 1.0
    factor: float = 2.0
    cap: float = 30.0

    def delay(self, attempt: int) -> float:
        """Seconds to wait before attempt ``attempt + 1`` (attempt counts from 1)."""
        return float(min(self.cap, self.base * self.factor ** max(0, attempt - 1)))


@dataclass(frozen=True)
class ConnectionState:
    """What the console knows about the link to the server.

    ``status`` is "connecting" (first contact), "connected", or "reconnecting" (the
    server stopped answering; ``attempt`` failed tries so far, next try in
    ``retry_in`` seconds).
    """

    status: str = "connecting"
    url: str = ""
    attempt: int = 0
    retry_in: float = 0.0
    error: str = ""
    health: Health | None = None
    since: datetime | None = None

    @property
    def connected(self) -> bool:
        return self.status == "connected"

    def describe(self) -> str:
        """One line for the connection bar."""
        if self.status == "connected":
            ready = "" if self.health is None or self.health.ready is not False else \
                "  (not ready: " + ", ".join(f"{k} {v}" for k, v in
                                            self.health.checks.items() if v != "ok") + ")"
            return f"● connected to {self.url}{ready}"
        if self.status == "reconnecting":
            return (f"⟳ {self.error or 'The server does not answer.'} Reconnecting in "
                    f"{math.ceil(self.retry_in)} s (attempt {self.attempt}) · ctrl+r: now · "
                    "data shown may be stale")
        return f"… connecting to {self.url}"


class ConnectionMonitor:
    """Probes the server every ``interval`` seconds; backs off while it is down.

    Args:
        url: shown in messages.
        probe: an async call that raises :class:`~tui.errors.Unreachable` when the
            server does not answer (the client's ``health``).
        report: receives every new state (and each second of a countdown).
        interval: seconds between probes while connected.
        backoff: delays between attempts while disconnected.
    """

    def __init__(self, url: str, probe: Callable[[], Awaitable[Health]],
                 report: Callable[[ConnectionState], None], *, interval: float = 5.0,
                 backoff: Backoff | None = None) -> None:
        self.url = url
        self.probe = probe
        self.report = report
        self.interval = interval
        self.backoff = backoff or Backoff()
        self.state = ConnectionState(url=url)
        self._wake = asyncio.Event()

    def check_now(self) -> None:
        """Probes at once (after a failed request, or when the user asks)."""
        self._wake.set()

    def _set(self, state: ConnectionState) -> None:
        self.state = state
        self.report(state)

    async def _sleep(self, seconds: float) -> bool:
        """Sleeps, unless woken; True when woken early."""
        self._wake.clear()
        try:
            await asyncio.wait_for(self._wake.wait(), timeout=max(0.0, seconds))
        except TimeoutError:
            return False
        return True

    async def run(self) -> None:
        """Probes forever (cancel the task to stop)."""
        attempt = 0
        while True:
            try:
                health = await self.probe()
            except (Unreachable, ApiError) as exc:
                attempt += 1
                delay = self.backoff.delay(attempt)
                loop = asyncio.get_running_loop()
                deadline = loop.time() + delay
                while (left := deadline - loop.time()) > 0:
                    self._set(ConnectionState("reconnecting", self.url, attempt, left,
                                              exc.message, None, self.state.since))
                    if await self._sleep(min(1.0, left)):
                        break
                continue
            if not self.state.connected or self.state.health != health:
                since = self.state.since if self.state.connected else datetime.now(UTC)
                self._set(ConnectionState("connected", self.url, 0, 0.0, "", health, since))
            attempt = 0
            await self._sleep(self.interval)
