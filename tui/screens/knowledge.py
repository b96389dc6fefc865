"""Knowledge (key 7): the knowledge bases the user can read with their document and
chunk counts, and for the highlighted base its documents and its ingest job (the one in
progress, else the latest) with a progress bar; ``x`` cancels that job while it runs.

It reads ``/api/v1/knowledge-bases``, ``/knowledge-bases/{id}/documents`` and
``/knowledge-bases/{id}/ingests`` (and ``/projects`` for the projects' names). The
knowledge API sends no live events, so the screen polls at the app's poll interval
while it is shown. A poll never moves the cursor: the highlighted base and document stay
highlighted (by id), and tables are only redrawn when what they show changed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.css.query import NoMatches
from textual.widgets import DataTable, Label, ProgressBar

from tui.client import API
from tui.errors import ApiError, AuthRequired
from tui.models import items_of
from tui.models_knowledge import IngestJob, KbDocument, KnowledgeBase
from tui.screens.base import ConsoleScreen
from tui.widgets.status_badge import status_text

__all__ = ["KnowledgeScreen"]

NAME_MAX = 24
PROJECT_MAX = 16
MODEL_MIN = 12
EMPTY = (
    "No knowledge bases you can read yet. Create one in the studio (Knowledge) or with "
    "`aura kb create NAME`, then add documents with `aura kb ingest`."
)
NO_API = (
    "This server has no knowledge API (/api/v1/knowledge-bases answered 404): it is older "
    "than this console."
)
NO_WORKERS = "No ingest jobs: this server has no workers (no Redis)."


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _when(at: datetime | None) -> str:
    return at.astimezone().strftime("%m-%d %H:%M") if at else "-"


def _job_line(job: IngestJob, more: int) -> Text:
    """What the job did so far, in words."""
    what = "Re-embed" if job.kind == "reembed" else "Ingest"
    head = Text(f"{what} {job.id[:8]} ")
    head.append_text(status_text(job.status))
    head.append(
        f"  {job.documents_done} of {job.documents_total} documents, "
        f"{job.chunks_done} of {job.chunks_total} chunks"
    )
    if job.documents_failed:
        head.append(f", {job.documents_failed} failed", style="red")
    if job.current and not job.finished:
        head.append(f" · now: {job.current}")
    if job.cancel_requested and not job.finished:
        head.append(" · cancelling…", style="yellow")
    if more:
        head.append(f" (+{more} more in progress)")
    if job.error:
        head.append(f"\n{job.error}", style="red")
    for name, error in job.failures[:2]:
        head.append(f"\n{name}: {error}", style="red")
    return head


class KnowledgeScreen(ConsoleScreen):
    """Knowledge bases, the documents of the highlighted one and its ingest progress."""

    TITLE_TEXT = "Knowledge"
    BINDINGS = [
        Binding("d", "focus_documents", "Documents"),
        Binding("x", "cancel_ingest", "Cancel ingest"),
        Binding("escape", "focus_bases", "Bases", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.bases: list[KnowledgeBase] = []
        self.documents: list[KbDocument] = []
        self.job: IngestJob | None = None
        self.no_workers = False
        self._projects: dict[str, str] = {}
        self._base_rows: list[tuple[Any, ...]] = []
        self._doc_rows: list[tuple[Any, ...]] = []
        self._docs_of: str | None = None

    def compose_body(self) -> ComposeResult:
        yield Label("Knowledge bases", classes="section-title")
        yield DataTable(id="kb-table", cursor_type="row", zebra_stripes=True)
        yield Label("", id="kb-empty", classes="note")
        yield Label("Documents", id="kb-docs-title", classes="section-title")
        with Vertical(id="kb-ingest"):
            yield Label("", id="kb-ingest-text")
            yield ProgressBar(id="kb-ingest-bar", show_eta=False)
        yield DataTable(id="kb-docs", cursor_type="row", zebra_stripes=True)
        yield Label("", id="kb-error", classes="note error-line error")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#kb-table", DataTable).add_columns(
            "Name", "Project", "Docs", "Chunks", "Updated", "Model"
        )
        self.query_one("#kb-docs", DataTable).add_columns(
            "Document", "Type", "Chunks", "Chars", "Updated"
        )
        self.query_one("#kb-ingest").display = False
        self.query_one("#kb-empty").display = False
        self.query_one("#kb-error").display = False
        self.query_one("#kb-table", DataTable).focus()
        self.every(self.aura.poll_interval, self.refresh_data)

    @property
    def selected(self) -> KnowledgeBase | None:
        """The highlighted knowledge base."""
        table = self.query_one("#kb-table", DataTable)
        if not self.bases or not 0 <= table.cursor_row < len(self.bases):
            return None
        return self.bases[table.cursor_row]

    def _show_error(self, message: str) -> None:
        line = self.query_one("#kb-error", Label)
        line.update(message)
        line.display = bool(message)

    def action_cancel_ingest(self) -> None:
        """Cancels the shown ingest of the highlighted base (the documents already added
        stay; the one in progress is not added)."""
        base, job = self.selected, self.job
        if base is None or job is None or job.finished:
            self.notify("No ingest of this knowledge base is under way.", timeout=3)
            return

        async def go() -> None:
            await self.client.post(f"{API}/knowledge-bases/{base.id}/ingests/{job.id}/cancel")
            self.notify(f"Cancelling ingest {job.id[:8]}.", timeout=3)
            await self.reload()

        self.run_worker(self.guard(go()), group="action")

    # -- data -------------------------------------------------------------------------
    async def reload(self) -> None:
        try:
            data = await self.client.get(f"{API}/knowledge-bases")
            if not self._projects or any(
                b.get("project_id") not in self._projects for b in items_of(data)
            ):
                await self._load_projects()
        except ApiError as exc:
            if isinstance(exc, AuthRequired):
                raise
            self._show_error(
                NO_API
                if exc.status == 404
                else f"Could not list the knowledge bases: {exc.message}"
            )
            return
        self._show_error("")
        bases = [KnowledgeBase.from_json(d) for d in items_of(data)]
        self._fill_bases(bases)
        self._docs_worker()

    async def _load_projects(self) -> None:
        try:
            data = await self.client.get(f"{API}/projects")
        except ApiError as exc:
            if isinstance(exc, AuthRequired):
                raise
            return  # the ids are shown instead of the names
        self._projects = {str(p["id"]): str(p.get("name") or "") for p in items_of(data)}

    def _fill_bases(self, bases: list[KnowledgeBase]) -> None:
        table = self.query_one("#kb-table", DataTable)
        names = [_clip(b.name, NAME_MAX) for b in bases]
        projects = [
            _clip(
                self._projects.get(b.project_id) or b.project_id[:8],
                PROJECT_MAX if self.size.width < 120 else 2 * PROJECT_MAX,
            )
            for b in bases
        ]
        # Docs 5, Chunks 6, Updated 11, two cells of padding per column, the scrollbar
        room = (
            self.size.width
            - 2
            - 12
            - max(map(len, names), default=4)
            - max(map(len, projects), default=7)
            - 5
            - 6
            - 11
        )
        rows = [
            (
                Text(name, style="bold"),
                project,
                str(b.documents),
                str(b.chunks),
                _when(b.updated_at),
                _clip(b.model, max(MODEL_MIN, room)),
            )
            for b, name, project in zip(bases, names, projects, strict=True)
        ]
        empty = self.query_one("#kb-empty", Label)
        empty.update(EMPTY)
        empty.display = not bases
        keep = self.selected.id if self.selected else None
        if rows == self._base_rows and [b.id for b in bases] == [b.id for b in self.bases]:
            self.bases = bases
            return
        self.bases = bases
        self._base_rows = rows
        table.clear()
        for b, row in zip(bases, rows, strict=True):
            table.add_row(*row, key=b.id)
        ids = [b.id for b in bases]
        if keep in ids:
            table.move_cursor(row=ids.index(keep), animate=False)
        if not bases:
            self._fill_documents(None, [], None, no_workers=False)

    def on_resize(self) -> None:
        if self.bases:
            self._base_rows = []
            self._fill_bases(self.bases)

    @work(group="documents", exclusive=True)
    async def _docs_worker(self) -> None:
        try:
            await self.guard(self._load_documents())
        except NoMatches as exc:  # the screen was closed (or the app quit) mid-load
            self.log.warning(f"documents load abandoned: {exc}")

    async def _load_documents(self) -> None:
        base = self.selected
        if base is None:
            return
        try:
            data = await self.client.get(f"{API}/knowledge-bases/{base.id}/documents")
        except ApiError as exc:
            if exc.status != 404:
                raise
            self.refresh_data()  # deleted meanwhile: the next list no longer shows it
            return
        job: IngestJob | None = None
        more = 0
        no_workers = False
        try:
            jobs = [
                IngestJob.from_json(d)
                for d in items_of(await self.client.get(f"{API}/knowledge-bases/{base.id}/ingests"))
            ]
        except ApiError as exc:
            if exc.status != 409:
                raise
            jobs, no_workers = [], True  # no Redis on the server: no ingest jobs
        running = [j for j in jobs if not j.finished]
        job = running[0] if running else (jobs[0] if jobs else None)
        more = max(0, len(running) - 1)
        if self.selected is None or self.selected.id != base.id:
            return  # the user moved on: the load for the newly highlighted base shows it
        docs = [KbDocument.from_json(d) for d in items_of(data)]
        self._fill_documents(base, docs, job, no_workers=no_workers, more=more)

    def _fill_documents(
        self,
        base: KnowledgeBase | None,
        docs: list[KbDocument],
        job: IngestJob | None,
        *,
        no_workers: bool,
        more: int = 0,
    ) -> None:
        title = self.query_one("#kb-docs-title", Label)
        if base is None:
            title.update("Documents")
        elif docs:
            title.update(f"Documents of {base.name} ({len(docs)})")
        else:
            title.update(
                f"Documents of {base.name}: none yet (add some in the studio or with "
                "`aura kb ingest`)"
            )
        self.job, self.no_workers = job, no_workers
        box = self.query_one("#kb-ingest")
        text = self.query_one("#kb-ingest-text", Label)
        bar = self.query_one("#kb-ingest-bar", ProgressBar)
        if job is not None:
            text.update(_job_line(job, more))
            total = max(1, job.documents_total)
            bar.update(total=total, progress=total if job.finished else job.documents_done)
            bar.display = True
        elif no_workers:
            text.update(Text(NO_WORKERS, style="dim"))
            bar.display = False
        box.display = job is not None or no_workers
        table = self.query_one("#kb-docs", DataTable)
        rows = [
            (
                _clip(d.name, 40),
                _clip(d.content_type, 20),
                str(d.chunks),
                str(d.chars),
                _when(d.updated_at),
            )
            for d in docs
        ]
        keep_id = (
            self.documents[table.cursor_row].id
            if self._docs_of == (base.id if base else None)
            and 0 <= table.cursor_row < len(self.documents)
            else None
        )
        same = rows == self._doc_rows and [d.id for d in docs] == [d.id for d in self.documents]
        self.documents = docs
        self._docs_of = base.id if base else None
        if same:
            return
        self._doc_rows = rows
        table.clear()
        for d, row in zip(docs, rows, strict=True):
            table.add_row(*row, key=d.id)
        ids = [d.id for d in docs]
        if keep_id in ids:
            table.move_cursor(row=ids.index(keep_id), animate=False)

    @on(DataTable.RowHighlighted, "#kb-table")
    def _base_highlighted(self) -> None:
        if self.selected is not None and self.selected.id != self._docs_of:
            self._docs_worker()

    # -- actions ----------------------------------------------------------------------
    def action_focus_documents(self) -> None:
        """Moves to the documents of the highlighted base."""
        self.query_one("#kb-docs", DataTable).focus()

    def action_focus_bases(self) -> None:
        """Back to the knowledge bases."""
        self.query_one("#kb-table", DataTable).focus()
