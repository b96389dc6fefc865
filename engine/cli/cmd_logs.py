"""``aura logs``: recent execution events, or (``--follow``) live ones as they happen.

Reads ``aura:events:recent`` and subscribes to the event channels in Redis
(:mod:`engine.events`), so it sees every execution of every worker. One line per event::

    12:00:00.125  node.finished       3f2a9c1e  Orders / Set  succeeded  1.2 ms  1 → 1 items
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

import typer
from rich.text import Text

from engine.cli._common import console, err_console, fail, reporting
from engine.cli.render import STATUS_STYLE

__all__ = ["format_event", "logs"]


def _time(ts: Any) -> str:
    try:
        return datetime.fromisoformat(str(ts)).astimezone().strftime("%H:%M:%S.%f")[:-3]
    except ValueError:
        return str(ts)[:12]


def _count(counts: Any) -> str:
    return str(sum(counts.values())) if isinstance(counts, dict) else "0"


def format_event(ev: dict[str, Any]) -> Text:
    """One event as a styled line."""
    kind = str(ev.get("type", "?"))
    status = str(ev.get("status") or "")
    line = Text(f"{_time(ev.get('ts'))}  ", style="dim")
    line.append(f"{kind:<19} ", style="bold" if kind.startswith("execution.") else "")
    line.append(f"{str(ev.get('execution_id') or '')[:8]}  ", style="cyan")
    where = str(ev.get("workflow_name") or ev.get("workflow_id") or "")
    if ev.get("node"):
        where += f" / {ev['node']}"
    line.append(where)
    if kind not in ("node.started", "execution.started") and status:
        line.append("  ")
        line.append(status, style=STATUS_STYLE.get(status, ""))
    if ev.get("duration_ms") is not None:
        line.append(f"  {float(ev['duration_ms']):.1f} ms", style="dim")
    if kind == "node.finished":
        line.append(
            f"  {_count(ev.get('input_counts'))} → {_count(ev.get('output_counts'))} items",
            style="dim",
        )
    elif kind == "execution.finished":
        line.append(f"  {ev.get('nodes', 0)} nodes, {ev.get('items', 0)} items", style="dim")
    elif kind in ("execution.started", "execution.queued"):
        line.append(f"  ({ev.get('mode', '')})", style="dim")
    elif kind == "execution.waiting" and ev.get("node"):
        until = f" until {ev['until']}" if ev.get("until") else ""
        line.append(f"  at {ev['node']}{until}", style="dim")
    err = ev.get("error")
    if isinstance(err, dict) and err.get("message"):
        line.append(f"  {err['message']}", style="red")
    return line


def _print(ev: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps(ev, ensure_ascii=False), flush=True)
    else:
        console.print(format_event(ev), soft_wrap=True)


def _resolve(execution: str | None, workflow: str | None) -> tuple[str | None, str | None]:
    from engine.errors import NotFoundError
    from engine.services import executions, workflows

    eid, wid = execution, workflow
    if execution:
        try:
            eid = str(executions.get(execution)["id"])
        except NotFoundError:
            eid = execution  # not recorded (yet, or not kept): follow it by id anyway
    if workflow:
        wid = str(workflows.find(workflow).id)
    return eid, wid


def logs(
    follow: Annotated[
        bool,
        typer.Option(
            "--follow", "-f", help="Keep printing events as they happen (Ctrl-C to stop)."
        ),
    ] = False,
    execution: Annotated[
        str | None,
        typer.Option(
            "--execution",
            "-e",
            help="Only this execution (id or unique prefix); --follow stops when it ends.",
        ),
    ] = None,
    workflow: Annotated[
        str | None,
        typer.Option("--workflow", "-w", help="Only this workflow (id, prefix or name)."),
    ] = None,
    types: Annotated[
        list[str] | None,
        typer.Option(
            "--types",
            "-t",
            help="Only these event types, comma-separated or repeated ('node.*' for a prefix).",
        ),
    ] = None,
    lines: Annotated[
        int,
        typer.Option(
            "--lines",
            "-n",
            min=0,
            help="Recent events to print (with --follow: before the live ones).",
        ),
    ] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """Print recent execution events (started, node started/finished, finished,
    waiting, queued) from every worker; with --follow, stream them live.

    Needs AURA_REDIS_URL ('aura up' starts Redis for you): without Redis, events are
    only visible inside the process that runs the workflow.
    """
    from engine import events

    if not events.uses_redis():
        fail(
            "No Redis is configured, so events stay inside the process that runs each "
            "workflow. Start 'aura up' (commands in its data directory find it by themselves) "
            "or set AURA_REDIS_URL.",
            as_json=as_json,
        )
    with reporting(as_json):
        eid, wid = _resolve(execution, workflow)
    try:
        sub = events.subscribe(eid, types, workflow_id=wid) if follow else None
        kept = events.recent(lines, execution_id=eid, workflow_id=wid, types=types)
    except Exception as exc:
        fail(
            f"Cannot read events from Redis: {type(exc).__name__}: {exc}. Is it running?",
            as_json=as_json,
        )
    seen = {str(e.get("id")) for e in kept}
    for ev in kept:
        _print(ev, as_json)
    if sub is None:
        if not kept and not as_json:
            err_console.print(
                "No events yet. Run a workflow, or follow them live with 'aura logs --follow'."
            )
        return
    if eid and any(e.get("type") == "execution.finished" for e in kept):
        sub.close()
        return
    err_console.print("[dim]Following events (Ctrl-C to stop)…[/]")
    try:
        with sub:
            for ev in sub:
                if str(ev.get("id")) in seen:
                    continue
                _print(ev, as_json)
                if eid and ev.get("type") == "execution.finished":
                    return
    except KeyboardInterrupt:
        return
