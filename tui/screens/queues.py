"""Queues and workers (key 4): job counts per queue (queued, started, scheduled,
failed), per-project quotas with their running, waiting and held executions, the jobs of
one state, worker states with their current jobs, and requeueing failed jobs.

It reads ``/api/v1/queues``, ``/queues/{name}/jobs`` and ``/api/v1/workers`` when the
server has them. Without them it shows what ``/executions`` tells (executions queued,
running, waiting and failed; running executions as the current jobs), says which API is
missing, and "requeue" retries the failed execution instead.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Label, Select

from tui.errors import NotAvailable
from tui.models import ExecutionSummary, Job, QueueInfo, Quotas, WorkerInfo
from tui.screens.base import ConsoleScreen
from tui.widgets.status_badge import status_text

__all__ = ["JOB_STATES", "QueuesScreen"]

JOB_STATES = ["failed", "queued", "started", "scheduled"]
AS_EXECUTIONS = {
    "queued": ("queued",),
    "started": ("running",),
    "scheduled": ("waiting",),
    "failed": ("failed", "crashed"),
}
REFRESH_S = 5.0


@dataclass(frozen=True)
class JobRow:
    """A row of the jobs table: an RQ job, or an execution standing in for one."""

    key: str
    queue: str
    execution_id: str
    state: str
    at: datetime | None
    error: str
    is_job: bool


def _ago(at: datetime | None) -> str:
    if at is None:
        return "-"
    seconds = int((datetime.now(UTC) - at).total_seconds())
    if seconds < 120:
        return f"{seconds} s ago"
    if seconds < 7200:
        return f"{seconds // 60} min ago"
    return at.astimezone().strftime("%m-%d %H:%M")


def _from_job(job: Job) -> JobRow:
    return JobRow(job.id, job.queue, job.execution_id, job.state, job.enqueued_at, job.error, True)


def _from_execution(ex: ExecutionSummary) -> JobRow:
    return JobRow(
        ex.id,
        ex.workflow_name,
        ex.id,
        ex.status,
        ex.finished_at or ex.started_at or ex.created_at,
        ex.error_message,
        False,
    )


class QueuesScreen(ConsoleScreen):
    """Queues, jobs and workers."""

    TITLE_TEXT = "Queues & workers"
    BINDINGS = [
        Binding("q", "requeue", "Requeue"),
        Binding("s", "next_state", "Job state"),
        Binding("enter", "open", "Open", show=False),
        Binding("r", "reload", "Refresh"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.state = "failed"
        self.jobs: list[JobRow] = []
        self.queue_api = True

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="queues-body"):
            yield Label("", id="qs-note", classes="note")
            yield Label("Queues", classes="section-title")
            yield DataTable(id="qs-queues", cursor_type="row", zebra_stripes=True)
            yield Label("Project quotas", classes="section-title", id="qs-quotas-title")
            yield DataTable(id="qs-quotas", cursor_type="row", zebra_stripes=True)
            with Horizontal(classes="section-bar"):
                yield Label("Jobs", classes="section-title")
                yield Select(
                    [(s, s) for s in JOB_STATES], value="failed", allow_blank=False, id="qs-state"
                )
            yield DataTable(id="qs-jobs", cursor_type="row", zebra_stripes=True)
            yield Label("Workers", classes="section-title")
            yield DataTable(id="qs-workers", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#qs-queues", DataTable).add_columns(
            "Queue", "Queued", "Started", "Scheduled", "Failed"
        )
        self.query_one("#qs-quotas", DataTable).add_columns(
            "Project", "Quota", "Running", "Waiting", "Held by quota"
        )
        self.query_one("#qs-jobs", DataTable).add_columns(
            "State", "Queue / workflow", "Execution", "When", "Error"
        )
        self.query_one("#qs-workers", DataTable).add_columns(
            "Worker", "State", "Queues", "Current job", "Host", "Heartbeat"
        )
        self.query_one("#qs-jobs", DataTable).focus()
        self.every(REFRESH_S, self.refresh_data)

    async def reload(self) -> None:
        client = self.client
        missing: list[str] = []
        try:
            queues: list[QueueInfo] | None = await client.queues()
        except NotAvailable as exc:
            queues = None
            missing.append(f"queue API ({exc.path})")
        try:
            workers: list[WorkerInfo] | None = await client.workers()
        except NotAvailable as exc:
            workers = None
            missing.append(f"worker API ({exc.path})")
        self.queue_api = queues is not None
        note = self.query_one("#qs-note", Label)
        note.update(
            "Not available on this server: " + ", ".join(missing) + ". Shown "
            "instead: executions by status from /executions (started = running, "
            "scheduled = waiting), workers from the service registry, running "
            "executions as current jobs; requeue retries the execution."
            if missing
            else ""
        )
        note.display = bool(missing)
        counts = await self._execution_counts()
        self._show_queues(queues, counts)
        await self._show_quotas()
        await self._load_jobs(queues)
        await self._show_workers(workers)

    async def _execution_counts(self) -> dict[str, int]:
        pages = await asyncio.gather(
            *(
                self.client.executions(status=s, limit=1)
                for s in ("queued", "running", "waiting", "failed", "crashed")
            )
        )
        q, r, w, f, c = (p.total for p in pages)
        return {"queued": q, "started": r, "scheduled": w, "failed": f + c}

    def _show_queues(self, queues: list[QueueInfo] | None, counts: dict[str, int]) -> None:
        table = self.query_one("#qs-queues", DataTable)
        table.clear()
        if queues is None:
            table.add_row(
                "executions",
                *(str(counts[s]) for s in ("queued", "started", "scheduled", "failed")),
            )
            return
        for q in queues:
            table.add_row(
                q.name,
                *(
                    "n/a" if v is None else str(v)
                    for v in (q.queued, q.started, q.scheduled, q.failed)
                ),
                key=q.name,
            )

    async def _show_quotas(self) -> None:
        table = self.query_one("#qs-quotas", DataTable)
        title = self.query_one("#qs-quotas-title", Label)
        table.clear()
        try:
            quotas: Quotas | None = await self.client.quotas()
        except NotAvailable:
            quotas = None
        if quotas is None:
            title.update("Project quotas")
            table.add_row("n/a (no quota API on this server)", "-", "-", "-", "-")
            return
        default = "no limit" if quotas.default_quota is None else str(quotas.default_quota)
        title.update(f"Project quotas (default {default} at once)")
        for p in quotas.items:
            quota = "no limit" if p.quota is None else str(p.quota)
            table.add_row(
                p.name,
                quota + (" (own)" if p.overridden else ""),
                str(p.running),
                str(p.queued),
                str(p.held),
                key=p.project_id,
            )

    async def _load_jobs(self, queues: list[QueueInfo] | None) -> None:
        rows: list[JobRow] = []
        if queues is not None:
            try:
                for q in queues:
                    rows += [_from_job(j) for j in await self.client.jobs(q.name, self.state)]
            except NotAvailable:
                queues = None
        if queues is None:
            for status in AS_EXECUTIONS[self.state]:
                page = await self.client.executions(status=status, limit=50)
                rows += [_from_execution(e) for e in page.items]
        self.jobs = rows
        table = self.query_one("#qs-jobs", DataTable)
        keep = table.cursor_row
        table.clear()
        for row in rows:
            table.add_row(
                status_text(row.state),
                row.queue,
                row.execution_id[:8] or "-",
                _ago(row.at),
                row.error[:70],
            )
        if rows:
            table.move_cursor(row=min(keep, len(rows) - 1), animate=False)

    async def _show_workers(self, workers: list[WorkerInfo] | None) -> None:
        table = self.query_one("#qs-workers", DataTable)
        table.clear()
        if workers is not None:
            for w in workers:
                table.add_row(
                    w.name,
                    status_text(w.state),
                    ", ".join(w.queues),
                    w.current_job[:8] or "-",
                    w.host or "-",
                    _ago(w.last_heartbeat),
                )
            if not workers:
                table.add_row("(no workers)", status_text("down"), "-", "-", "-", "-")
            return
        try:
            registered = [svc for svc in await self.client.services() if svc.kind == "worker"]
        except NotAvailable:
            registered = []
        for svc in registered:  # who is there (registry), not what each one does
            host = f"{svc.host}:{svc.pid}" if svc.pid else svc.host or "-"
            table.add_row(
                svc.name, status_text(svc.status), "n/a", "n/a", host, _ago(svc.last_seen)
            )
        running = await self.client.executions(status="running", limit=20)
        for ex in running.items:
            table.add_row(
                "(some worker)",
                status_text("busy"),
                "n/a",
                f"{ex.id[:8]} {ex.workflow_name}",
                "n/a",
                _ago(ex.started_at),
            )
        if not running.items and not registered:
            table.add_row(
                "n/a (no worker API)", status_text("idle"), "n/a", "nothing running", "n/a", "-"
            )

    @property
    def selected_job(self) -> JobRow | None:
        table = self.query_one("#qs-jobs", DataTable)
        return self.jobs[table.cursor_row] if 0 <= table.cursor_row < len(self.jobs) else None

    @on(Select.Changed, "#qs-state")
    def _state_changed(self, event: Select.Changed) -> None:
        self.state = str(event.value)
        self.refresh_data()

    def action_next_state(self) -> None:
        """Shows the jobs of the next state (failed → queued → started → scheduled)."""
        nxt = JOB_STATES[(JOB_STATES.index(self.state) + 1) % len(JOB_STATES)]
        self.query_one("#qs-state", Select).value = nxt

    def action_reload(self) -> None:
        """Refreshes now."""
        self.refresh_data()

    @on(DataTable.RowSelected, "#qs-jobs")
    def action_open(self) -> None:
        """Opens the execution of the highlighted job."""
        from tui.screens.execution_detail import ExecutionDetailScreen

        job = self.selected_job
        if job is not None and job.execution_id:
            self.app.push_screen(ExecutionDetailScreen(job.execution_id))

    def action_requeue(self) -> None:
        """Puts the highlighted failed job back on its queue (or retries the execution)."""
        job = self.selected_job
        if job is None:
            return
        if job.state not in ("failed", "crashed"):
            self.notify("Only failed jobs can be requeued.", severity="warning")
            return
        self.run_worker(self.guard(self._requeue(job)), group="action")

    async def _requeue(self, job: JobRow) -> None:
        if job.is_job:
            await self.client.requeue(job.queue, job.key)
            self.notify(f"Requeued job {job.key[:8]} on {job.queue}.", timeout=3)
        else:
            new_id = await self.client.retry_execution(job.execution_id)
            self.notify(
                f"Requeued: execution {job.execution_id[:8]} retried as {new_id[:8]}.", timeout=3
            )
        await self.reload()
