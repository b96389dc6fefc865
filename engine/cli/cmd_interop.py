"""``aura workflow import --from n8n|node-red|auto`` and ``export --to n8n``: the report
tables and totals printed for imports from other tools."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from engine.cli._common import console, err_console, fail, reporting

__all__ = ["export_foreign", "import_foreign"]

FORMATS = ("n8n", "node-red", "auto")


def _row(w: dict[str, Any]) -> tuple[str, ...]:
    r = w["report"]
    c = r["counts"]
    state = (
        "[red]error[/]"
        if r["error"]
        else ("[green]full[/]" if r["fully_mapped"] else "[yellow]partial[/]")
    )
    return (
        Path(w["source"]).name[:48],
        (w["name"] or "")[:40],
        state,
        f"{c['mapped'] + c['mapped_with_notes']}/{c['nodes']}",
        f"{c['translated']}/{c['expressions']}",
        str(c["credentials"]),
        (w["id"] or "")[:12],
    )


def import_foreign(
    source: Path | None, fmt: str, *, dry_run: bool, report: Path | None, as_json: bool
) -> None:
    """Converts (and unless ``dry_run`` stores) n8n / Node-RED workflows; prints totals."""
    from engine.services import interop

    if fmt not in FORMATS:
        fail(f"--from must be one of {', '.join(FORMATS)}, not '{fmt}'.")
    if source is None:
        fail("Give the file or folder to import: aura workflow import --from n8n FILE|DIR")
    with reporting(as_json):
        result = interop.import_files(source, fmt=fmt, dry_run=dry_run)
    if report is not None:
        report.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    if as_json:
        print(
            json.dumps(
                {
                    "totals": result["totals"],
                    "workflows": [
                        {k: w[k] for k in ("source", "name", "id")}
                        | {"error": w["report"]["error"]}
                        for w in result["workflows"]
                    ],
                },
                indent=2,
            )
        )
        return
    t = Table(
        title="Import" + (" (dry run: nothing stored)" if dry_run else ""), title_justify="left"
    )
    for col in ("File", "Workflow", "Mapped", "Nodes", "Expressions", "Creds", "Id"):
        t.add_column(col)
    for w in result["workflows"]:
        t.add_row(*_row(w))
    console.print(t)
    failed = [w for w in result["workflows"] if w["report"]["error"]]
    for w in failed[:20]:
        err_console.print(f"[red]error[/] {Path(w['source']).name}: {w['report']['error']}")
    _needs(result["workflows"])
    tot = result["totals"]
    console.print(
        f"{tot['imported']}/{tot['workflows']} workflows imported ({tot['failed']} failed), "
        f"{tot['fully_mapped']} fully mapped; nodes: {tot['known_mapped']}/{tot['known']} "
        f"of the types AURA has mapped ({tot['pct_known_mapped']}%), "
        f"{tot['mapped_with_notes']} with notes to check, {tot['not_supported']} "
        f"placeholders of {tot['nodes']}; expressions: {tot['translated']}/"
        f"{tot['expressions']} translated ({tot['pct_translated']}%); "
        f"{tot['credentials']} credentials to create."
    )
    if report is not None:
        console.print(f"Report written to {report}")
    if tot["failed"]:
        raise typer.Exit(1)


def _needs(workflows: list[dict[str, Any]]) -> None:
    """What the user must do next: credentials to create, node types to replace."""
    creds = [(w["name"], c) for w in workflows for c in w["report"]["credentials"]]
    if creds:
        t = Table(title="Credentials to create (then pick them on the nodes)", title_justify="left")
        for col in ("Workflow", "Node", "From", "AURA kind", "Slot"):
            t.add_column(col)
        for name, c in creds[:30]:
            t.add_row(
                name[:30],
                c["node"][:30],
                f"{c['source_kind']} {c['source_name']}"[:40],
                c["kind"] or "[yellow]none yet[/]",
                c["slot"] or "",
            )
        console.print(t)
        if len(creds) > 30:
            console.print(f"… and {len(creds) - 30} more (see --report).")
    missing = Counter(
        n["source_type"]
        for w in workflows
        for n in w["report"]["nodes"]
        if n["status"] == "not_supported"
    )
    if missing:
        top = ", ".join(f"{k} x{v}" for k, v in missing.most_common(8))
        console.print(
            f"Placeholders to replace ({sum(missing.values())}): {top}"
            + (" …" if len(missing) > 8 else "")
        )


def export_foreign(ref: str | None, fmt: str, *, output: Path | None, pretty: bool) -> None:
    """Writes one workflow in another tool's format (n8n)."""
    from engine.services import interop

    if fmt != "n8n":
        fail(f"--to must be 'aura' or 'n8n', not '{fmt}'.")
    if not ref:
        fail("Say which workflow: --id ID (a stored workflow or a .json file).")
    with reporting():
        data = interop.export_to_n8n(ref)
    text = json.dumps(data, indent=2 if pretty else None, ensure_ascii=False)
    if output is None:
        print(text)
    else:
        output.write_text(text)
        console.print(f"Exported '{data['name']}' as n8n JSON to {output}")
