"""``aura nodes list|show``: the node catalog."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.markdown import Markdown
from rich.table import Table

from engine.cli._common import console, reporting

app = typer.Typer(no_args_is_help=True)


@app.command("list")
def list_nodes(
    category: Annotated[str | None, typer.Option(help="Only this category.")] = None,
    all_versions: Annotated[bool, typer.Option("--all-versions", help="Show old versions too.")
                            ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List installed node types."""
    from engine.sdk import get_catalog

    cat = get_catalog()
    specs = cat.all() if all_versions else cat.latest()
    if category:
        specs = [s for s in specs if s.category.lower() == category.lower()]
    if as_json:
        print(json.dumps([{"type": s.type, "version": s.version, "title": s.title,
                           "category": s.category, "description": s.description,
                           "package": s.package} for s in specs], indent=2))
        return
    t = Table(title=f"{len(specs)} node types")
    for col in ("Type", "Ver", "Title", "Category", "Description"):
        t.add_column(col)
    for s in sorted(specs, key=lambda s: (s.category, s.type)):
        t.add_row(s.type, str(s.version), s.title, s.category, s.description)
    console.print(t)
    for mod, err in cat.load_errors.items():
        console.print(f"[yellow]warning:[/] {mod} failed to load: {err}")


@app.command("show")
def show(
    type_: Annotated[str, typer.Argument(metavar="TYPE", help="e.g. core.http_request")],
    version: Annotated[int | None, typer.Option(help="Type version (default newest).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the spec as JSON.")] = False,
) -> None:
    """Show a node type: ports, parameters and documentation."""
    from engine.sdk import get_catalog

    with reporting(as_json):
        spec = get_catalog().get(type_, version)
    if as_json:
        print(json.dumps(spec.to_dict(), indent=2))
        return
    console.print(f"[bold]{spec.title}[/]  [dim]{spec.type} v{spec.version} · {spec.category}[/]")
    console.print(spec.description)
    console.print(f"Inputs: {', '.join(p.name for p in spec.inputs) or '(trigger)'}   "
                  f"Outputs: {', '.join(p.name for p in spec.outputs)}"
                  + ("  (depend on parameters)" if spec.outputs_for else ""))
    t = Table(title="Parameters", title_justify="left")
    for col in ("Name", "Type", "Default", "Description"):
        t.add_column(col)
    schema = spec.params_schema()
    required = set(schema.get("required", []))
    for name, prop in schema.get("properties", {}).items():
        kind = prop.get("type") or ("one of" if "anyOf" in prop or "enum" in prop else "object")
        if "enum" in prop:
            kind = " | ".join(map(str, prop["enum"]))
        default = "(required)" if name in required else json.dumps(prop.get("default"))
        t.add_row(name, str(kind), default[:30], prop.get("description", ""))
    console.print(t)
    if spec.credentials:
        console.print("Credentials: " + ", ".join(
            f"{c.name} ({'/'.join(c.kinds)})" for c in spec.credentials))
    if spec.docs:
        console.print(Markdown(spec.docs))
