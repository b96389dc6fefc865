"""``aura kb ...``: knowledge bases from the terminal (as the console operator): create,
list, ingest files and folders (Ctrl-C during an ingest on the workers offers to cancel
it; ``aura kb cancel``), search, rename, delete."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from engine.cli._common import console, fail, reporting

app = typer.Typer(no_args_is_help=True)

_JSON = typer.Option("--json", help="Print JSON.")
_SUFFIXES = (
    ".txt",
    ".text",
    ".md",
    ".markdown",
    ".rst",
    ".html",
    ".htm",
    ".pdf",
    ".docx",
    ".csv",
    ".json",
    ".jsonl",
)


def _operator() -> Any:
    from engine.cli.cmd_user import _operator as op

    return op()


@app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="The knowledge base's name.")],
    project: Annotated[str | None, typer.Option(help="Project id (default: none).")] = None,
    size: Annotated[int, typer.Option(help="Chunk size in tokens.")] = 200,
    overlap: Annotated[int, typer.Option(help="Chunk overlap in tokens.")] = 30,
    as_json: Annotated[bool, _JSON] = False,
) -> None:
    """Create an empty knowledge base (embedding model: the offline WordLlama)."""
    from engine.services import knowledge

    with reporting(as_json):
        view = knowledge.create_base(
            _operator(), name, project_id=project, chunking={"size": size, "overlap": overlap}
        )
    if as_json:
        print(json.dumps(view.to_dict(), indent=2))
        return
    console.print(
        f"[green]✓[/] Created knowledge base {view.name} ({view.id}), "
        f"model {view.model}, {view.dims} dimensions."
    )


@app.command("list")
def list_bases(as_json: Annotated[bool, _JSON] = False) -> None:
    """List knowledge bases with their document and chunk counts."""
    from engine.services import knowledge

    with reporting(as_json):
        rows = knowledge.list_bases(_operator())
    if as_json:
        print(json.dumps([r.to_dict() for r in rows], indent=2))
        return
    table = Table("id", "name", "project", "documents", "chunks", "model")
    for r in rows:
        table.add_row(r.id, r.name, r.project_id or "-", str(r.documents), str(r.chunks), r.model)
    console.print(table)


def _documents(paths: list[str]) -> list[dict[str, Any]]:
    """The documents to add: each file (a folder: the readable files inside, named
    relative to it), and each http(s) address as a URL document."""
    out: list[dict[str, Any]] = []
    for arg in paths:
        if arg.lower().startswith(("http://", "https://")):
            out.append({"name": arg, "url": arg})
            continue
        p = Path(arg)
        if p.is_dir():
            out.extend(
                {"name": f.relative_to(p).as_posix(), "data": f.read_bytes()}
                for f in sorted(p.rglob("*"))
                if f.is_file() and f.suffix.lower() in _SUFFIXES
            )
        elif p.is_file():
            out.append({"name": p.name, "data": p.read_bytes()})
        else:
            fail(f"{p} does not exist. Give files, folders or http(s) addresses to ingest.")
    return out


@app.command("ingest")
def ingest(
    kb: Annotated[str, typer.Argument(help="Knowledge base id or name.")],
    paths: Annotated[
        list[str],
        typer.Argument(
            help="Files, folders (text, Markdown, HTML, PDF, DOCX, CSV, JSON) or http(s) addresses."
        ),
    ],
    workers: Annotated[
        bool | None,
        typer.Option(
            "--workers/--here",
            help="Run on the workers (default when a Redis is configured) or in this process.",
        ),
    ] = None,
    as_json: Annotated[bool, _JSON] = False,
) -> None:
    """Add documents to a knowledge base, with a progress bar. A document that cannot be
    read is reported and the others are added (exit code 1 if any failed)."""
    from engine.cli._ingest_progress import IngestBar, follow_or_cancel
    from engine.config import settings
    from engine.services import knowledge_ingest

    docs = _documents(paths)
    if not docs:
        fail("No documents found there (readable types: " + ", ".join(_SUFFIXES) + ").")
    on_workers = bool(settings().redis.url) if workers is None else workers
    with reporting(as_json), IngestBar(show=not as_json) as bar:
        if on_workers:
            who = _operator()
            job = knowledge_ingest.start_ingest(who, kb, docs)
            if not as_json:
                console.print(f"Ingest {job.id} queued for the workers.")
            done = follow_or_cancel(bar, who, kb, job.id, ask=not as_json)
        else:
            try:
                done = knowledge_ingest.ingest_here(_operator(), kb, docs, bar.update)
            except KeyboardInterrupt:
                bar.pause()
                console.print(
                    "[yellow]Stopped.[/] The documents listed above were added; the one "
                    "in progress and those after it were not."
                )
                raise typer.Exit(130) from None
    if as_json:
        print(json.dumps(done.results, indent=2))
    if done.status == "failed":
        fail(done.error, code=1, as_json=as_json, error="ingest_failed")
    if done.status == "cancelled":
        if not as_json:
            console.print(f"[yellow]![/] {escape(done.error)}", soft_wrap=True)
        raise typer.Exit(130)
    if not as_json:
        added = sum(r["status"] != "failed" for r in done.results)
        console.print(
            f"{added} of {done.documents_total} document(s), {done.chunks_done} chunk(s)."
        )
    if done.documents_failed:
        raise typer.Exit(1)


@app.command("cancel")
def cancel(
    kb: Annotated[str, typer.Argument(help="Knowledge base id or name.")],
    job: Annotated[
        str | None,
        typer.Argument(help="The ingest's id (default: the base's one ingest under way)."),
    ] = None,
    as_json: Annotated[bool, _JSON] = False,
) -> None:
    """Cancel an ingest (or re-embed) on the workers: the documents already added stay,
    the one in progress is not added."""
    from engine.services import knowledge_ingest

    with reporting(as_json):
        who = _operator()
        if job is None:
            going = [j for j in knowledge_ingest.list_ingests(who, kb) if not j.finished]
            if len(going) != 1:
                fail(
                    "No ingest of this base is under way."
                    if not going
                    else "Several ingests are under way; give the id of one "
                    f"({', '.join(j.id for j in going)}).",
                    as_json=as_json,
                    error="not_found" if not going else "ambiguous",
                )
            job = going[0].id
        p = knowledge_ingest.cancel_ingest(who, kb, job)
    if as_json:
        print(json.dumps(p.to_dict(), indent=2))
    elif p.finished:
        console.print(f"[green]✓[/] {escape(p.error)}", soft_wrap=True)
    else:
        console.print(
            f"[green]✓[/] Cancel asked: ingest {p.id} stops after the chunks being embedded "
            f"now ({p.documents_done} of {p.documents_total} document(s) added so far)."
        )


@app.command("model")
def model(
    kb: Annotated[str, typer.Argument(help="Knowledge base id or name.")],
    name: Annotated[
        str,
        typer.Argument(
            help="The new model: wordllama/l2_supercat_256, or "
            "openai:<model>@<credential id> (an OpenAI-compatible API credential)."
        ),
    ],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
    workers: Annotated[
        bool | None,
        typer.Option(
            "--workers/--here",
            help="Re-embed on the workers (default when a Redis is configured) or in this process.",
        ),
    ] = None,
) -> None:
    """Change the embedding model: every chunk is embedded again (it warns first)."""
    from engine.cli._ingest_progress import IngestBar
    from engine.config import settings
    from engine.services import knowledge_ingest
    from engine.services.knowledge_reembed import ModelChangeNeedsConfirmation, change_model

    on_workers = bool(settings().redis.url) if workers is None else workers
    who = _operator()
    with reporting():
        try:
            change_model(who, kb, name)
        except ModelChangeNeedsConfirmation as warning:
            console.print(f"[yellow]![/] {escape(warning.message)}", soft_wrap=True)
        if not yes:
            typer.confirm("Re-embed now?", abort=True)
        with IngestBar() as bar:
            if on_workers:
                job = change_model(who, kb, name, confirm=True)
                done = bar.follow(lambda: knowledge_ingest.ingest_progress(who, kb, job.id))
            else:
                done = change_model(who, kb, name, confirm=True, here=True, on_progress=bar.update)
    if done.status == "failed":
        fail(done.error, code=1)
    console.print(f"[green]✓[/] Re-embedded {done.chunks_done} chunk(s) with {done.model}.")


@app.command("ingests")
def ingests(
    kb: Annotated[str, typer.Argument(help="Knowledge base id or name.")],
    as_json: Annotated[bool, _JSON] = False,
) -> None:
    """The knowledge base's recent ingests on the workers and how far they are."""
    from engine.services import knowledge_ingest

    with reporting(as_json):
        jobs = knowledge_ingest.list_ingests(_operator(), kb)
    if as_json:
        print(json.dumps([j.to_dict() for j in jobs], indent=2))
        return
    table = Table("id", "status", "documents", "failed", "chunks", "by", "started")
    for j in jobs:
        table.add_row(
            j.id,
            j.status,
            f"{j.documents_done}/{j.documents_total}",
            str(j.documents_failed),
            f"{j.chunks_done}/{j.chunks_total}",
            j.by,
            (j.started_at or j.created_at)[:19].replace("T", " "),
        )
    console.print(table)


@app.command("chunks")
def chunks(
    kb: Annotated[str, typer.Argument(help="Knowledge base id or name.")],
    document: Annotated[str, typer.Argument(help="Document id or name.")],
    offset: Annotated[int, typer.Option(help="Skip this many chunks.")] = 0,
    limit: Annotated[int, typer.Option(help="At most this many chunks.")] = 50,
    as_json: Annotated[bool, _JSON] = False,
) -> None:
    """A document's chunks in order: position, heading, tokens and text."""
    from engine.services import knowledge

    with reporting(as_json):
        who = _operator()
        ids = {d["name"]: d["id"] for d in knowledge.list_documents(who, kb)}
        page = knowledge.document_chunks(
            who, kb, ids.get(document, document), offset=offset, limit=limit
        )
    if as_json:
        print(json.dumps(page, indent=2))
        return
    console.print(f"[bold]{escape(page['document']['name'])}[/]: {page['total']} chunk(s)")
    for c in page["items"]:
        head = f" {c['heading']}" if c["heading"] else ""
        console.print(f"[bold]#{c['position']}[/]{escape(head)} ({c['tokens']} tokens)")
        console.print(f"    {c['text'][:500]}", markup=False, soft_wrap=True)


@app.command("search")
def search(
    kb: Annotated[str, typer.Argument(help="Knowledge base id or name.")],
    query: Annotated[str, typer.Argument(help="What to look for.")],
    k: Annotated[int, typer.Option("-k", help="How many chunks.")] = 5,
    mode: Annotated[str, typer.Option(help="vector, text or hybrid.")] = "vector",
    rerank: Annotated[
        str | None, typer.Option(help="Re-rank the best 4k with this re-ranker, e.g. keywords.")
    ] = None,
    as_json: Annotated[bool, _JSON] = False,
) -> None:
    """Show the chunks nearest to a query, with scores and sources."""
    from engine.services import knowledge

    with reporting(as_json):
        hits = knowledge.search(_operator(), kb, query, k=k, mode=mode, rerank=rerank)
    if as_json:
        print(json.dumps(hits, indent=2))
        return
    for h in hits:
        where = f"{h['document']} [{h['start']}:{h['end']}] ({', '.join(h['matched'])})"
        console.print(f"[bold]{h['score']:.3f}[/] {escape(where)}")
        console.print(f"    {h['text'][:300]}", markup=False)


@app.command("rename")
def rename(
    kb: Annotated[str, typer.Argument(help="Knowledge base id or name.")],
    name: Annotated[str, typer.Argument(help="The new name.")],
) -> None:
    """Rename a knowledge base."""
    from engine.services import knowledge

    with reporting():
        view = knowledge.rename_base(_operator(), kb, name)
    console.print(f"[green]✓[/] Renamed to {view.name}.")


@app.command("delete")
def delete(
    kb: Annotated[str, typer.Argument(help="Knowledge base id or name.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
) -> None:
    """Delete a knowledge base, its documents and vectors."""
    from engine.services import knowledge

    if not yes:
        typer.confirm(f"Delete knowledge base {kb} and everything in it?", abort=True)
    with reporting():
        knowledge.delete_base(_operator(), kb)
    console.print(f"[green]✓[/] Deleted {kb}.")
