"""``aura execution list|show``: recorded executions."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from engine.cli._common import console, reporting
from engine.cli.render import render_execution, status_text

app = typer.Typer(no_args_is_help=True)


@app.command("list")
def list_cmd(
    workflow: Annotated[str | None, typer.Option(help="Workflow id or name.")] = None,
    status: Annotated[str | None, typer.Option(help="queued, running, waiting, succeeded, "
                                               "failed, cancelled or crashed.")] = None,
    limit: Annotated[int, typer.Option(help="Rows to show.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List executions, newest first."""
    from engine.services import executions

    with reporting(as_json):
        rows, total = executions.list_(workflow=workflow, status=status, limit=limit)
    if as_json:
        print(json.dumps({"total": total, "items": rows}, indent=2, default=str))
        return
    if not rows:
        console.print("No executions yet. Run a workflow: aura run FILE.json")
        return
    t = Table(title=f"Executions ({len(rows)} of {total})", title_justify="left")
    for col in ("Id", "Workflow", "Mode", "Status", "Started", "Duration"):
        t.add_column(col)
    for r in rows:
        dur = r.get("duration_ms")
        t.add_row(r["id"][:12], r.get("workflow_name") or "", r.get("mode") or "",
                  status_text(r["status"]), str(r.get("started_at") or "")[:19],
                  f"{dur:.0f} ms" if dur is not None else "")
    console.print(t)


@app.command("show")
def show_cmd(
    id: Annotated[str, typer.Argument(help="Execution id (or a unique prefix).")],
    items: Annotated[int, typer.Option("--items", help="Items shown per node output.")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show one execution with each node's status and output."""
    from engine.services import executions

    with reporting(as_json):
        data = executions.get(id)
    if as_json:
        print(json.dumps(data, indent=2, default=str, ensure_ascii=False))
        return
    render_execution(console, data, max_items=items)
