"""``aura up``: start AURA on embedded defaults.

Today this prepares the data directory and database and reports what is available; the
studio, the embedded Redis with a worker, and the scheduler join here as they land.
"""

from __future__ import annotations

from typing import Annotated

import typer

from engine.cli._common import console, reporting


def up(
    check: Annotated[bool, typer.Option("--check", help="Prepare and report, then exit.")
                     ] = False,
) -> None:
    """Start AURA with embedded defaults (SQLite in the data directory)."""
    from engine.config import settings
    from engine.sdk import get_catalog
    from engine.services.store import get_store

    s = settings()
    with reporting():
        s.data_dir.mkdir(parents=True, exist_ok=True)
        store = get_store()
        _, total = store.workflows.list(limit=1)
    cat = get_catalog()
    console.print(f"[bold]AURA[/] data directory: {s.data_dir}")
    console.print(f"  database: {'SQLite (embedded)' if not s.db.url else 'external'}, "
                  f"schema up to date, {total} workflow(s)")
    console.print(f"  nodes: {len(cat.latest())} node types installed")
    console.print("  available now: the engine and the CLI — try "
                  "[bold]aura run docs/examples/orders.json[/]")
    console.print("  [dim]not yet started by 'up': the studio, the queue worker and the "
                  "scheduler (being built)[/]")
    if check:
        return
