"""The node reference, generated from the node catalog (:mod:`engine.sdk.catalog`): an
overview of every registered node type by category, and a page per type from its spec
(title, description, versions, ports, parameters with types and defaults, credentials,
permissions, whether an agent may use it as a tool) followed by its ``docs.md``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from engine.docsref._md import cell, default_text, table, type_text
from engine.sdk.spec import CATEGORIES, NodeSpec

__all__ = ["DIR", "page_name", "write"]

DIR = "reference/nodes"
"""Where the pages go, under the docs directory."""
_DOCS_LINK = re.compile(r"\]\(\.\./([A-Za-z0-9_]+)/docs\.md(#[^)]*)?\)")


def page_name(node_type: str) -> str:
    """The page of a node type, relative to :data:`DIR`."""
    return f"{node_type}.md"


def _folder(spec: NodeSpec) -> str:
    module = spec.run.split(":", 1)[0].split(".")
    return module[-2] if len(module) >= 2 else ""


def _params(spec: NodeSpec) -> list[str]:
    schema = spec.params_schema()
    required = set(schema.get("required", []))
    rows = [
        [
            f"`{name}`",
            type_text(prop),
            default_text(prop, name in required),
            prop.get("description", ""),
        ]
        for name, prop in schema.get("properties", {}).items()
    ]
    if not rows:
        return ["This node takes no parameters.", ""]
    lines = table(["Parameter", "Type", "Default", "Description"], rows)
    for name, sub in sorted(schema.get("$defs", {}).items()):
        fields = sub.get("properties", {})
        if not fields:
            continue
        needed = set(sub.get("required", []))
        lines += [f"### {name}", "", cell(sub.get("description", "")), ""]
        lines += table(
            ["Field", "Type", "Default", "Description"],
            [
                [f"`{f}`", type_text(p), default_text(p, f in needed), p.get("description", "")]
                for f, p in fields.items()
            ],
        )
    return lines


def _ports(spec: NodeSpec) -> list[str]:
    ins = ", ".join(f"`{p.name}`" for p in spec.inputs) or "none (a trigger starts the run)"
    outs = ", ".join(f"`{p.name}`" for p in spec.outputs) or "none"
    lines = [f"- **Inputs:** {ins}", f"- **Outputs:** {outs}"]
    if spec.outputs_for is not None:
        lines[-1] += " (the outputs depend on the parameters)"
    return [*lines, ""]


def _docs(spec: NodeSpec, folders: dict[str, str]) -> list[str]:
    text = spec.docs.strip()
    if not text:
        return []
    lines = text.splitlines()
    if lines and lines[0].startswith("# "):
        lines = lines[1:]  # the page has the title already
    out = []
    fenced = False
    for line in lines:
        if line.lstrip().startswith("```"):
            fenced = not fenced
        if not fenced and line.startswith("#"):
            line = "#" + line  # under "Documentation"
        out.append(line)

    def link(m: re.Match[str]) -> str:
        target = folders.get(m[1])
        return f"]({page_name(target)}{m[2] or ''})" if target else m[0]

    return ["## Documentation", "", _DOCS_LINK.sub(link, "\n".join(out)).strip(), ""]


def node_page(spec: NodeSpec, versions: list[int], folders: dict[str, str]) -> str:
    """The Markdown page of one node type (its newest version ``spec``)."""
    older = [v for v in versions if v != spec.version]
    facts = [
        f"- **Type:** `{spec.type}`, version {spec.version}"
        + (
            f" (older versions kept for saved workflows: {', '.join(map(str, older))})"
            if older
            else ""
        ),
        f"- **Category:** {spec.category}",
        f"- **Package:** {spec.package}",
    ]
    if spec.trigger:
        facts.append(f"- **Trigger:** starts executions ({spec.trigger})")
    if spec.permissions:
        facts.append(f"- **Permissions:** {', '.join(sorted(spec.permissions))}")
    if spec.tool:
        facts.append("- **Agent tool:** an AI agent may be given this node as a tool")
    if spec.aliases:
        facts.append(f"- **Also imported from:** {', '.join(f'`{a}`' for a in spec.aliases)}")
    lines = [
        f"# {spec.title}",
        "",
        cell(spec.description),
        "",
        *facts,
        "",
        "## Ports",
        "",
        *_ports(spec),
        "## Parameters",
        "",
        *_params(spec),
    ]
    if spec.credentials:
        lines += ["## Credentials", ""]
        lines += table(
            ["Slot", "Kinds", "Required", "Description"],
            [
                [f"`{c.name}`", ", ".join(c.kinds), "yes" if c.required else "no", c.description]
                for c in spec.credentials
            ],
        )
    lines += _docs(spec, folders)
    return "\n".join(lines).rstrip() + "\n"


def _overview(by_category: dict[str, list[NodeSpec]], versions: dict[str, list[int]]) -> str:
    lines = [
        "# Node reference",
        "",
        "Every node type registered in this installation, generated from the node specs "
        "by `aura docs build` (do not edit). The same specs drive the editor's forms, "
        "validation and `aura nodes show TYPE`.",
        "",
    ]
    for category, specs in by_category.items():
        lines += [f"## {category}", ""]
        lines += table(
            ["Node", "Type", "Versions", "What it does"],
            [
                [
                    f"[{s.title}]({page_name(s.type)})",
                    f"`{s.type}`",
                    ", ".join(map(str, versions[s.type])),
                    s.description,
                ]
                for s in specs
            ],
        )
    return "\n".join(lines).rstrip() + "\n"


def write(pages: Path, catalog: Any | None = None) -> list[Any]:
    """Writes the overview and a page per node type under ``pages/DIR``; returns their
    navigation entries (``{"Nodes": [...]}`` items, grouped by category)."""
    if catalog is None:
        from engine.sdk import get_catalog

        catalog = get_catalog()
    latest = sorted(catalog.latest(), key=lambda s: (s.title.lower(), s.type))
    versions = {s.type: catalog.versions(s.type) for s in latest}
    folders = {_folder(s): s.type for s in latest if _folder(s)}
    order = {c: i for i, c in enumerate(CATEGORIES)}
    by_category: dict[str, list[NodeSpec]] = {}
    for spec in sorted(latest, key=lambda s: order.get(s.category, len(order))):
        by_category.setdefault(spec.category, []).append(spec)
    root = pages / DIR
    root.mkdir(parents=True, exist_ok=True)
    (root / "index.md").write_text(_overview(by_category, versions), encoding="utf-8")
    nav: list[Any] = [{"Overview": f"{DIR}/index.md"}]
    for category, specs in by_category.items():
        entries = []
        for spec in specs:
            page = root / page_name(spec.type)
            page.write_text(node_page(spec, versions[spec.type], folders), encoding="utf-8")
            entries.append({spec.title: f"{DIR}/{page_name(spec.type)}"})
        nav.append({category: entries})
    return nav
