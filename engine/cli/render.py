"""Rich rendering of executions and node outputs for the terminal."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

__all__ = ["STATUS_STYLE", "render_execution", "status_text"]

STATUS_STYLE = {
    "succeeded": "green", "failed": "red", "crashed": "red", "cancelled": "yellow",
    "running": "cyan", "queued": "blue", "waiting": "magenta", "disabled": "dim",
    "pinned": "blue", "reused": "blue",
}


def status_text(status: str) -> Text:
    return Text(status, style=STATUS_STYLE.get(status, ""))


def render_execution(console: Console, execution: dict[str, Any], *, max_items: int = 5,
                     show_data: bool = True) -> None:
    """Prints a summary table, then each node's output items (first ``max_items``)."""
    runs = execution.get("node_runs", [])
    table = Table(title=f"Execution {execution.get('id', '')[:12]}", title_justify="left",
                  expand=False)
    table.add_column("#", justify="right", style="dim")
    table.add_column("Node")
    table.add_column("Type", style="dim")
    table.add_column("Status")
    table.add_column("Items out", justify="right")
    table.add_column("Time", justify="right")
    for r in runs:
        counts = r.get("output_counts", {})
        out = ", ".join(f"{p}: {n}" for p, n in counts.items()) if len(counts) > 1 else str(
            sum(counts.values()))
        ms = r.get("duration_ms")
        table.add_row(str(r.get("index", "")), r["node"], r.get("type", ""),
                      status_text(r["status"]), out, f"{ms:.1f} ms" if ms is not None else "")
    console.print(table)
    if show_data:
        for r in runs:
            outputs = r.get("outputs") or {}
            for port, items in outputs.items():
                if not items:
                    continue
                label = r["node"] if len(outputs) == 1 else f"{r['node']} → {port}"
                total = (r.get("output_counts") or {}).get(port, len(items))
                shown = [i.get("json", i) if isinstance(i, dict) else i
                         for i in items[:max_items]]
                more = max(0, total - len(shown))
                console.print(_items_view(label, shown, more))
    status = execution.get("status", "")
    err = execution.get("error")
    line = Text("Result: ") + status_text(status)
    if execution.get("started_at") and execution.get("finished_at"):
        from datetime import datetime

        d = (datetime.fromisoformat(execution["finished_at"])
             - datetime.fromisoformat(execution["started_at"])).total_seconds() * 1000
        line += Text(f" in {d:.0f} ms", style="dim")
    console.print(line)
    if err:
        where = f" in node '{err['node']}'" if err.get("node") else ""
        console.print(Text(f"Error{where}: {err.get('message')}", style="bold red"))


def _cell(v: Any) -> str:
    text = v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "…"


def _items_view(label: str, shown: list[Any], more: int) -> Any:
    """A table when items are flat objects with few keys (like n8n's table view),
    otherwise pretty JSON."""
    subtitle = f"{more} more item(s); use --json for all" if more > 0 else None
    keys: list[str] = []
    flat = all(isinstance(x, dict) for x in shown)
    if flat:
        for x in shown:
            for k in x:
                if k not in keys:
                    keys.append(k)
    if flat and 0 < len(keys) <= 8:
        t = Table(title=label, title_justify="left", caption=subtitle, caption_justify="right")
        for k in keys:
            t.add_column(k, overflow="fold")
        for x in shown:
            t.add_row(*[_cell(x[k]) if k in x else "" for k in keys])
        return t
    body = json.dumps(shown if len(shown) != 1 else shown[0], indent=2, ensure_ascii=False,
                      default=str)
    if len(body) > 4000:
        body = body[:4000] + "\n…"
    return Panel(Syntax(body, "json", word_wrap=True, theme="ansi_dark"), title=label,
                 title_align="left", subtitle=subtitle, subtitle_align="right", expand=False)
