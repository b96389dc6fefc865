"""``aura workflow ...``: import, export, list, show, validate, activate, deactivate
(flags like n8n's)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.tree import Tree

from engine.cli._common import console, fail, reporting

app = typer.Typer(no_args_is_help=True)


@app.command("validate")
def validate_cmd(
    target: Annotated[str, typer.Argument(help="Workflow JSON file, or a stored id/name.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Check a workflow: node types, connections, cycles, parameters. Exit 2 if invalid."""
    from engine.graph import validate
    from engine.sdk import get_catalog
    from engine.services import workflows

    with reporting(as_json):
        wf = workflows.load_any(target)
        report = validate(wf, get_catalog())
    if as_json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        for p in report.errors:
            console.print(f"[red]error[/]   {p.message}  [dim]{p.path}[/]")
        for p in report.warnings:
            console.print(f"[yellow]warning[/] {p.message}  [dim]{p.path}[/]")
        if report.ok:
            console.print(f"[green]✓[/] '{wf.name}' is valid ({len(wf.nodes)} nodes, "
                          f"{len(wf.connections)} connections).")
    if not report.ok:
        raise typer.Exit(2)


@app.command("schema")
def schema() -> None:
    """Print the JSON Schema of the workflow file format."""
    from engine.graph import workflow_json_schema

    print(json.dumps(workflow_json_schema(), indent=2))


@app.command("import")
def import_cmd(
    source: Annotated[Path | None, typer.Argument(help="With --from: an n8n or Node-RED "
                                                  "file, or a folder of them.")] = None,
    input: Annotated[Path | None, typer.Option("--input", help="A workflow file (one "
                                               "workflow or a list), or a directory with "
                                               "--separate.")] = None,
    separate: Annotated[bool, typer.Option("--separate", help="--input is a directory of "
                                           "workflow files.")] = False,
    from_: Annotated[str | None, typer.Option("--from", help="Import from another tool: "
                                              "n8n, node-red or auto.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="With --from: convert and "
                                          "report, store nothing.")] = False,
    report: Annotated[Path | None, typer.Option("--report", help="With --from: write the "
                                                "full import report (JSON) here.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the imported ids as JSON.")
                       ] = False,
) -> None:
    """Import workflows into the store (each becomes a new workflow with version 1), or
    convert n8n / Node-RED workflows with --from (see docs/migrate-from-n8n.md)."""
    from engine.services import workflows

    if from_ is not None or source is not None:
        from engine.cli.cmd_interop import import_foreign

        import_foreign(source or input, from_ or "auto", dry_run=dry_run, report=report,
                       as_json=as_json)
        return
    if input is None:
        fail("Say what to import: --input FILE, or FILE --from n8n|node-red|auto.")
    with reporting(as_json):
        if separate:
            if not input.is_dir():
                fail(f"--separate needs a directory, and {input} is not one.")
            files = sorted(input.glob("*.json"))
            if not files:
                fail(f"No .json files in {input}.")
        else:
            if not input.is_file():
                fail(f"{input} is not a file. Use --separate to import a directory.")
            files = [input]
        imported = workflows.import_files(files)
    if as_json:
        print(json.dumps(imported, indent=2))
        return
    for w in imported:
        console.print(f"[green]imported[/] {w['name']}  [dim]{w['id']}[/]")
    console.print(f"{len(imported)} workflow(s) imported.")


@app.command("export")
def export_cmd(
    id: Annotated[str | None, typer.Option("--id", help="Workflow id or name to export.")
                  ] = None,
    all_: Annotated[bool, typer.Option("--all", help="Export every workflow.")] = False,
    output: Annotated[Path | None, typer.Option("--output", help="File (or directory with "
                                                "--separate); stdout when omitted.")] = None,
    separate: Annotated[bool, typer.Option("--separate", help="One file per workflow in the "
                                           "--output directory.")] = False,
    published: Annotated[bool, typer.Option("--published", help="Export the published "
                                            "version instead of the draft.")] = False,
    pretty: Annotated[bool, typer.Option("--pretty/--compact", help="Indent the JSON.")] = True,
    to: Annotated[str, typer.Option("--to", help="Format: aura, or n8n (for workflows whose "
                                    "nodes map back).")] = "aura",
) -> None:
    """Export workflows as JSON files (secrets are never included)."""
    from engine.services import workflows

    if to != "aura":
        from engine.cli.cmd_interop import export_foreign

        export_foreign(id, to, output=output, pretty=pretty)
        return
    if not id and not all_:
        fail("Say which workflows: --id ID or --all.")
    if separate and output is None:
        fail("--separate needs --output DIRECTORY.")
    with reporting():
        defs = workflows.export(None if all_ else id, published=published)
    indent = 2 if pretty else None
    if separate:
        assert output is not None
        output.mkdir(parents=True, exist_ok=True)
        for d in defs:
            (output / f"{d['id']}.json").write_text(json.dumps(d, indent=indent,
                                                               ensure_ascii=False))
        console.print(f"Exported {len(defs)} workflow(s) to {output}/")
        return
    payload: Any = defs if all_ else defs[0]
    text = json.dumps(payload, indent=indent, ensure_ascii=False)
    if output is None:
        print(text)
    else:
        output.write_text(text)
        console.print(f"Exported {len(defs)} workflow(s) to {output}")


@app.command("list")
def list_cmd(
    search: Annotated[str | None, typer.Option(help="Text in the name.")] = None,
    tag: Annotated[str | None, typer.Option(help="Only workflows with this tag.")] = None,
    active: Annotated[bool | None, typer.Option("--active/--inactive", help="Filter by "
                                                "activation.", show_default=False)] = None,
    limit: Annotated[int, typer.Option(help="Rows to show.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List stored workflows."""
    from engine.services import workflows

    with reporting(as_json):
        rows, total = workflows.list_(search=search, tag=tag, active=active, limit=limit)
    if as_json:
        print(json.dumps({"total": total, "items": rows}, indent=2, default=str))
        return
    if not rows:
        console.print("No workflows yet. Import one: aura workflow import --input FILE.json")
        return
    t = Table(title=f"Workflows ({len(rows)} of {total})", title_justify="left")
    for col in ("Id", "Name", "Active", "Version", "Tags", "Updated"):
        t.add_column(col)
    for r in rows:
        t.add_row(r["id"][:12], r["name"], "yes" if r["active"] else "no",
                  str(r.get("version") or ""), ", ".join(r.get("tags") or []),
                  str(r.get("updated_at", ""))[:19])
    console.print(t)


@app.command("show")
def show_cmd(
    target: Annotated[str, typer.Argument(help="Workflow id, name, or file.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the definition JSON.")] = False,
) -> None:
    """Show a workflow as a tree of nodes and connections."""
    from engine.graph import Graph
    from engine.services import workflows

    with reporting(as_json):
        wf = workflows.load_any(target)
    if as_json:
        print(json.dumps(wf.to_json_dict(), indent=2, ensure_ascii=False))
        return
    g = Graph(wf)
    tree = Tree(f"[bold]{wf.name}[/] [dim]({len(wf.nodes)} nodes)[/]")
    seen: set[str] = set()

    def add(branch: Tree, name: str, via: str) -> None:
        n = g.nodes[name]
        label = f"{via}[bold]{name}[/] [dim]{n.type} v{n.type_version}[/]"
        if n.disabled:
            label += " [yellow](disabled)[/]"
        if name in seen:
            branch.add(label + " [dim]↺ see above[/]")
            return
        seen.add(name)
        sub = branch.add(label)
        for c in g.outgoing.get(name, ()):
            port = "" if c.output == "main" else f"[cyan]{c.output}[/] → "
            inp = "" if c.input == "main" else f"[dim]into {c.input}:[/] "
            add(sub, c.target, port + inp)
    for root in g.roots():
        add(tree, root, "")
    for n in wf.nodes:
        if n.name not in seen:
            add(tree, n.name, "[dim]unreachable:[/] ")
    console.print(tree)


def _audit(action: str, rec: Any) -> None:
    from engine.auth.audit import record
    from engine.cli.cmd_user import _operator
    from engine.services.store import get_store

    record(get_store(), _operator(), action, "workflow", rec.id, {"name": rec.name})


@app.command("activate")
def activate_cmd(
    target: Annotated[str, typer.Argument(help="Workflow id (or its first 6+ characters) "
                                          "or name.")],
) -> None:
    """Turn a stored workflow's triggers on (its draft is published first when no version
    is); its webhooks answer from now on. Audited."""
    from engine.services import webhooks, workflows

    with reporting():
        rec = workflows.find(target)
        out = webhooks.activate(rec.id)
        _audit("workflow.activated", rec)
    console.print(f"Activated '{rec.name}' (published version {out['published_version']}).")
    for hook in out["webhooks"]:
        console.print(f"  {hook['method']} /webhook/{hook['path']}  ({hook['node']})")


@app.command("deactivate")
def deactivate_cmd(
    target: Annotated[str, typer.Argument(help="Workflow id (or its first 6+ characters) "
                                          "or name.")],
) -> None:
    """Turn a stored workflow's triggers off (its webhooks answer 404 from now on). Audited."""
    from engine.services import webhooks, workflows

    with reporting():
        rec = workflows.find(target)
        webhooks.deactivate(rec.id)
        _audit("workflow.deactivated", rec)
    console.print(f"Deactivated '{rec.name}'.")
