"""``aura execution list|show|prune``: recorded executions, and retention by hand."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from engine.cli._common import console, fail, reporting
from engine.cli.render import render_execution, status_text

app = typer.Typer(no_args_is_help=True)


@app.command("list")
def list_cmd(
    workflow: Annotated[str | None, typer.Option(help="Workflow id or name.")] = None,
    status: Annotated[
        str | None,
        typer.Option(help="queued, running, waiting, succeeded, failed, cancelled or crashed."),
    ] = None,
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
    # at 80 columns only the workflow name may shrink: ids, times and durations stay whole
    t.add_column("Id", no_wrap=True)
    t.add_column("Workflow", overflow="ellipsis", min_width=8)
    for col in ("Mode", "Status", "Started (UTC)", "Duration"):
        t.add_column(col, no_wrap=True)
    for r in rows:
        dur = r.get("duration_ms")
        t.add_row(
            r["id"][:8],
            r.get("workflow_name") or "",
            r.get("mode") or "",
            status_text(r["status"]),
            str(r.get("started_at") or "")[:16].replace("T", " "),
            f"{dur:.0f} ms" if dur is not None else "",
        )
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


@app.command("prune")
def prune_cmd(
    days: Annotated[
        int | None,
        typer.Option(
            "--days",
            min=0,
            help="Delete executions "
            "finished longer ago than this (default "
            "AURA_EXEC_RETENTION_DAYS; 0: no age limit).",
        ),
    ] = None,
    keep: Annotated[
        int | None,
        typer.Option(
            "--keep",
            min=0,
            help="Keep at most this many "
            "executions (default AURA_EXEC_RETENTION_COUNT;"
            " 0: no count limit).",
        ),
    ] = None,
    audit_days: Annotated[
        int | None,
        typer.Option(
            "--audit-days",
            min=0,
            help="Delete "
            "audit events older than this (default "
            "AURA_RETENTION_AUDIT_DAYS; 0: keep).",
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only count what would be deleted.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Apply the retention limits now: delete finished executions beyond them (never
    queued, running or waiting ones) and old audit events, then give the space back
    (SQLite). The scheduler does the same every AURA_RETENTION_INTERVAL_S."""
    from dataclasses import replace

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from engine.observability.retention import RetentionPolicy, apply_retention, preview
    from engine.services.store import get_store

    policy = RetentionPolicy.from_settings()
    if days is not None:
        policy = replace(policy, max_age_days=days or None)
    if keep is not None:
        policy = replace(policy, max_count=keep or None)
    if audit_days is not None:
        policy = replace(policy, audit_days=audit_days or None)
    with reporting(as_json):
        store = get_store()
    if dry_run:
        would = preview(store, policy=policy)
        if as_json:
            print(json.dumps({"would_delete": would}, indent=2))
        else:
            console.print(f"Executions kept: {policy.describe()}.")
            console.print(
                f"Would delete {would['executions']:,} execution(s) and "
                f"{would['audit_events']:,} audit event(s); nothing was deleted."
            )
        return
    bar = Progress(
        TextColumn("Deleting executions"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        disable=as_json,
        transient=False,
    )
    task = bar.add_task("prune", total=None)

    def progress(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    with bar:
        report = apply_retention(store, policy=policy, trigger="manual", progress=progress)
    if as_json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        console.print(f"Executions kept: {policy.describe()}.")
        console.print(
            f"Deleted {report.executions_deleted:,} execution(s) and "
            f"{report.audit_deleted:,} audit event(s) in {report.duration_s:g} s."
        )
        if report.bytes_before is not None and report.bytes_after is not None:
            console.print(
                f"Database file: {_mb(report.bytes_before)} -> {_mb(report.bytes_after)}."
            )
    if report.error:
        fail(
            f"Retention stopped early: {report.error}. Run it again; what was deleted "
            "stays deleted.",
            as_json=as_json,
            code=1,
        )


def _mb(n: int) -> str:
    return f"{n / 1_048_576:.1f} MB"
