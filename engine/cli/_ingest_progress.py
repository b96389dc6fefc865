"""``aura kb ingest``'s progress: two bars (documents, chunks) and a line per document
as it is done, for an ingest on the workers (followed through its published progress)
or one run in this process; Ctrl-C while following one on the workers offers to cancel
it (:func:`follow_or_cancel`)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from typing import Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from engine.cli._common import console
from engine.errors import ConflictError

__all__ = ["IngestBar", "follow_or_cancel", "result_line"]


def result_line(r: dict[str, Any]) -> str:
    """One document's outcome as the CLI prints it."""
    if r["status"] == "failed":
        return f"[red]✗[/] {escape(r['name'])}: failed — {escape(str(r.get('error')))}"
    n = r["chunks"]
    return f"[green]✓[/] {escape(r['name'])}: {r['status']}, {n} chunk{'' if n == 1 else 's'}"


class IngestBar:
    """Shows an ingest's progress while it lasts (``with IngestBar(show) as bar:`` then
    ``bar.update(progress)`` for every change; ``show=False`` prints nothing)."""

    def __init__(self, show: bool = True) -> None:
        self.show = show
        self._printed = 0
        self._bar = Progress(
            TextColumn("{task.description:<10}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[note]}"),
            console=console,
            transient=True,
            disable=not show,
        )
        self._docs = self._bar.add_task("documents", total=None, note="")
        self._chunks = self._bar.add_task("chunks", total=None, note="")

    def __enter__(self) -> IngestBar:
        self._bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._bar.__exit__(None, None, None)

    def pause(self) -> None:
        """Stops drawing the bars (to ask a question); :meth:`resume` draws them again."""
        self._bar.stop()

    def resume(self) -> None:
        self._bar.start()

    def update(self, p: Any) -> None:
        if not self.show:
            return
        for r in p.results[self._printed :]:
            self._bar.console.print(result_line(r), soft_wrap=True)
        self._printed = len(p.results)
        waiting = "waiting for a worker…" if p.status == "queued" else ""
        self._bar.update(
            self._docs,
            total=p.documents_total,
            completed=p.documents_done,
            note=waiting or escape(p.current),
        )
        self._bar.update(
            self._chunks, total=p.chunks_total or None, completed=p.chunks_done, note=""
        )

    def follow(self, read: Callable[[], Any], every_s: float = 0.2) -> Any:
        """Reads the progress (``read()``) until the ingest finished; the last read."""
        while True:
            p = read()
            self.update(p)
            if p.finished:
                return p
            time.sleep(every_s)


def follow_or_cancel(bar: IngestBar, who: Any, kb: str, job_id: str, *, ask: bool) -> Any:
    """Follows ingest ``job_id`` to its end; on Ctrl-C asks whether to cancel it (yes:
    cancels and follows it until it stopped; no: leaves it running and exits)."""
    from engine.services import knowledge_ingest

    def read() -> Any:
        return knowledge_ingest.ingest_progress(who, kb, job_id)

    try:
        return bar.follow(read)
    except KeyboardInterrupt:
        bar.pause()
    if ask:
        try:
            yes = typer.confirm(
                f"Cancel ingest {job_id}? The documents already added stay", default=True
            )
        except (KeyboardInterrupt, typer.Abort):
            yes = True  # Ctrl-C again, or no terminal to answer from
        if not yes:
            console.print(
                f"The ingest goes on on the workers; follow it with: aura kb ingests {kb}"
            )
            raise typer.Exit(0)
    with contextlib.suppress(ConflictError):  # it ended meanwhile: shown below
        knowledge_ingest.cancel_ingest(who, kb, job_id)
    console.print("Cancelling…")
    bar.resume()
    return bar.follow(read)
