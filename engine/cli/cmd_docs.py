"""``aura docs build|serve``: the documentation site (:mod:`engine.docsite`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from engine.cli._common import console, reporting

app = typer.Typer(no_args_is_help=True)


@app.command("build")
def build(
    out: Annotated[Path, typer.Option("--out", "-o", help="Where the site goes.")] = Path("site"),
    strict: Annotated[
        bool,
        typer.Option("--strict/--no-strict", help="Fail on a broken link or any other warning."),
    ] = True,
) -> None:
    """Build docs/ into a static site (the references generated from the code)."""
    from engine.docsite import build as build_site

    with reporting():
        site = build_site(out, strict=strict)
    console.print(f"Built the docs into {site}/ (open {site / 'index.html'}).")


@app.command("serve")
def serve(
    addr: Annotated[str, typer.Option("--addr", help="host:port to listen on.")] = "127.0.0.1:8001",
) -> None:
    """Serve the docs, reloading while you edit docs/."""
    from engine.docsite import serve as serve_site

    with reporting():
        serve_site(addr)
