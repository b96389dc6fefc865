"""Dashboard (key 1): the fleet at a glance.

Services come from the service registry (``/api/v1/services``) and fall back to the API
server's own health; queue depths and workers from ``/api/v1/queues`` and
``/api/v1/workers`` when the server has them. Executions per minute, failures, success
rate and median duration over the last hour come from the server's analytics API
(``/api/v1/analytics``, computed by its database); for servers without it, or users who
may not read it, they are counted from ``/executions`` (see :mod:`tui.metrics`).
Whatever the server cannot tell is shown as "n/a".
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, VerticalScroll
from textual.widgets import DataTable, Label

from tui.errors import ApiError, NotAvailable
from tui.metrics import Activity, activity, format_duration, from_analytics
from tui.models import Health, QueueInfo, Service, WorkerInfo
from tui.screens.base import ConsoleScreen
from tui.widgets.metric import MetricCard
from tui.widgets.status_badge import status_text

__all__ = ["DashboardScreen"]

REFRESH_S = 5.0


def _uptime(seconds: float | None) -> str:
    return format_duration(seconds * 1000) if seconds is not None else "n/a"


def _na(value: int | None) -> str:
    return "n/a" if value is None else str(value)


def _versions(services: list[Service]) -> str:
    """ "all on AURA 0.1.0", or each version with its count while an upgrade rolls."""
    counts = Counter(svc.version or "unknown version" for svc in services)
    if len(counts) == 1:
        return f"all on AURA {next(iter(counts))}"
    return "versions " + ", ".join(f"{v} ({n})" for v, n in sorted(counts.items()))


class DashboardScreen(ConsoleScreen):
    """Services, workers, queues and execution activity (the last hour's figures from the
    server's analytics API when it has one)."""

    TITLE_TEXT = "Dashboard"
    BINDINGS = [Binding("r", "reload", "Refresh")]

    def __init__(self) -> None:
        super().__init__()
        self.last_activity: Activity | None = None

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="dashboard"):
            with Grid(id="cards"):
                yield MetricCard("Runs / min", sparkline=True, id="card-rate")
                yield MetricCard("Failed (1 h)", sparkline=True, id="card-failures")
                yield MetricCard("Running", id="card-active")
                yield MetricCard("Workers", id="card-workers")
            yield Label("Services", classes="section-title")
            yield DataTable(id="services", cursor_type="row", zebra_stripes=True)
            yield Label("", id="services-note", classes="note")
            yield Label("Queues", classes="section-title")
            yield DataTable(id="queues", cursor_type="row", zebra_stripes=True)
            yield Label("", id="queues-note", classes="note")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#services", DataTable).add_columns(
            "Service", "Kind", "Health", "Uptime", "Load", "Host"
        )
        self.query_one("#queues", DataTable).add_columns(
            "Queue", "Queued", "Started", "Scheduled", "Failed"
        )
        self.every(REFRESH_S, self.refresh_data)

    def action_reload(self) -> None:
        """Refreshes every figure now."""
        self.refresh_data()

    async def _optional(self, call: Any) -> Any:
        """The result, the NotAvailable error, or None after another error."""
        try:
            return await call
        except NotAvailable as exc:
            return exc

    async def reload(self) -> None:
        client = self.client
        now = datetime.now(UTC)
        figures, counts, services, queues, workers, health, version = await asyncio.gather(
            self._figures(now),
            asyncio.gather(
                *(
                    client.executions(status=s, limit=1)
                    for s in ("running", "queued", "waiting", "failed", "crashed")
                )
            ),
            self._optional(client.services()),
            self._optional(client.queues()),
            self._optional(client.workers()),
            client.health(),
            client.version(),
        )
        self.last_activity = figures
        self._show_activity(self.last_activity, [p.total for p in counts])
        self._show_services(services, health, version)
        self._show_fleet(
            queues,
            workers,
            [p.total for p in counts],
            [] if isinstance(services, NotAvailable) else services,
        )

    async def _figures(self, now: datetime) -> Activity:
        """The last hour's figures from the server's analytics API; counted here from the
        execution list when the server has none or the user may not read it."""
        client = self.client
        since = now - timedelta(hours=1)
        try:
            return from_analytics(await client.analytics(since=since))
        except NotAvailable:
            pass
        except ApiError as exc:
            if exc.status != 403:
                raise
        recent = await client.executions(since=since, limit=1000)
        return activity(recent.items, now, truncated=recent.total > 1000)

    def _show_activity(self, act: Activity, active: list[int]) -> None:
        more = "≥" if act.truncated else ""
        self.query_one("#card-rate", MetricCard).show(
            str(act.last_minute),
            f"{more}{act.total} in 1 h\np50 {format_duration(act.median_ms)}",
            act.per_minute,
        )
        rate = act.success_rate
        self.query_one("#card-failures", MetricCard).show(
            str(act.failures),
            "no runs yet" if rate is None else f"{rate:.0%} ok",
            act.failures_per_minute,
            alert=act.failures > 0,
        )
        running, queued, waiting, *_ = active
        self.query_one("#card-active", MetricCard).show(
            str(running), f"{queued} queued\n{waiting} waiting"
        )

    def _show_services(
        self, services: list[Service] | NotAvailable, health: Health, version: str
    ) -> None:
        table = self.query_one("#services", DataTable)
        note = self.query_one("#services-note", Label)
        table.clear()
        if isinstance(services, NotAvailable):
            state = "ready" if health.ready else "degraded"
            table.add_row(
                "api (this server)",
                "api",
                status_text(state),
                _uptime(health.uptime_s),
                "n/a",
                self.client.url,
                key="api",
            )
            checks = ", ".join(f"{k}: {v}" for k, v in health.checks.items())
            note.update(
                f"AURA {version}. Service registry: not available on this server "
                f"({services.path} answered 404); showing the API server only. "
                f"Checks: {checks}"
            )
            return
        # 80 columns hold six: the pid is part of every service name already, and the
        # versions (one, unless an upgrade is rolling) are summed up in the note below
        for svc in services:
            table.add_row(
                svc.name,
                svc.kind,
                status_text(svc.status),
                _uptime(svc.uptime_s),
                _na(svc.load),
                svc.host or "n/a",
            )
        note.update(
            f"{len(services)} service(s) in the registry, {_versions(services)}."
            if services
            else "The service registry is empty: no process has registered yet."
        )

    def _show_fleet(
        self,
        queues: list[QueueInfo] | NotAvailable,
        workers: list[WorkerInfo] | NotAvailable,
        active: list[int],
        services: list[Service],
    ) -> None:
        table = self.query_one("#queues", DataTable)
        note = self.query_one("#queues-note", Label)
        card = self.query_one("#card-workers", MetricCard)
        table.clear()
        notes = []
        if isinstance(queues, NotAvailable):
            running, queued, waiting, failed, crashed = active
            table.add_row(
                "(from /executions)",
                str(queued),
                str(running),
                str(waiting),
                str(failed + crashed),
                key="executions",
            )
            notes.append(
                "Queue API: not available on this server; counts are executions "
                "queued, running, waiting and failed."
            )
        else:
            for q in queues:
                table.add_row(
                    q.name, _na(q.queued), _na(q.started), _na(q.scheduled), _na(q.failed)
                )
        registered = [s for s in services if s.kind == "worker"]
        if isinstance(workers, NotAvailable) and registered:
            healthy = sum(1 for s in registered if s.status == "healthy")
            card.show(
                str(len(registered)),
                f"{healthy} healthy\n(registry)",
                alert=healthy < len(registered),
            )
            notes.append(
                "Worker API: not available on this server (worker count and "
                "health from the service registry; states n/a)."
            )
        elif isinstance(workers, NotAvailable):
            card.show("n/a", "no worker\nAPI")
            notes.append("Worker API: not available on this server.")
        else:
            busy = sum(1 for w in workers if w.state in ("busy", "running", "started"))
            card.show(
                str(len(workers)), f"{busy} busy\n{len(workers) - busy} idle", alert=not workers
            )
        note.update(" ".join(notes))
