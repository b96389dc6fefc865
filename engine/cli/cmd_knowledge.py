"""``aura kb ...``: knowledge bases from the terminal (as the console operator): create,
list, ingest files and folders, search, rename, delete."""

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
_SUFFIXES = (".txt", ".text", ".md", ".markdown", ".rst", ".html", ".htm", ".pdf")


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


def _files(paths: list[Path]) -> list[tuple[Path, str]]:
    """The files to add and their document names (relative to a folder given)."""
    out: list[tuple[Path, str]] = []
    for p in paths:
        if p.is_dir():
            out.extend(
                (f, f.relative_to(p).as_posix())
                for f in sorted(p.rglob("*"))
                if f.is_file() and f.suffix.lower() in _SUFFIXES
            )
        elif p.is_file():
            out.append((p, p.name))
        else:
            fail(f"{p} does not exist. Give files or folders to ingest.")
    return out


@app.command("ingest")
def ingest(
    kb: Annotated[str, typer.Argument(help="Knowledge base id or name.")],
    paths: Annotated[
        list[Path], typer.Argument(help="Files or folders (text, Markdown, HTML, PDF).")
    ],
    as_json: Annotated[bool, _JSON] = False,
) -> None:
    """Add files (folders: every readable file inside) to a knowledge base. A file that
    cannot be read is reported and the others are added."""
    from engine.services import knowledge

    files = _files(paths)
    results: list[dict[str, Any]] = []
    with reporting(as_json):
        for f, name in files:
            r = knowledge.add_documents(_operator(), kb, [{"name": name, "data": f.read_bytes()}])[
                0
            ]
            results.append(r)
            if not as_json:
                mark = "[red]✗[/]" if r["status"] == "failed" else "[green]✓[/]"
                console.print(
                    f"{mark} {name}: {r['status']}"
                    + (
                        f", {r['chunks']} chunk(s)"
                        if r["status"] != "failed"
                        else f" — {r['error']}"
                    ),
                    soft_wrap=True,
                )
    if as_json:
        print(json.dumps(results, indent=2))
    if any(r["status"] == "failed" for r in results):
        raise typer.Exit(1)


@app.command("search")
def search(
    kb: Annotated[str, typer.Argument(help="Knowledge base id or name.")],
    query: Annotated[str, typer.Argument(help="What to look for.")],
    k: Annotated[int, typer.Option("-k", help="How many chunks.")] = 5,
    mode: Annotated[str, typer.Option(help="vector, text or hybrid.")] = "vector",
    as_json: Annotated[bool, _JSON] = False,
) -> None:
    """Show the chunks nearest to a query, with scores and sources."""
    from engine.services import knowledge

    with reporting(as_json):
        hits = knowledge.search(_operator(), kb, query, k=k, mode=mode)
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
