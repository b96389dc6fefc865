"""A workflow definition as a tree: the flow from each trigger along its connections
(port names on the edges), then every node with its type and parameters."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from rich.text import Text
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from tui.widgets.json_view import scalar_text

__all__ = ["WorkflowTree", "downstream"]

JSON = dict[str, Any]


def downstream(definition: JSON) -> dict[str, list[tuple[str, str, str]]]:
    """node -> [(output port, input port, target)] from the definition's connections."""
    out: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for c in definition.get("connections") or []:
        if isinstance(c, dict) and c.get("source") and c.get("target"):
            out[str(c["source"])].append((str(c.get("output") or "main"),
                                          str(c.get("input") or "main"), str(c["target"])))
    return out


def _starts(definition: JSON) -> list[str]:
    nodes = [n for n in definition.get("nodes") or [] if isinstance(n, dict)]
    targets = {c.get("target") for c in definition.get("connections") or []
               if isinstance(c, dict)}
    triggers = [str(n["name"]) for n in nodes if "trigger" in str(n.get("type", ""))]
    roots = [str(n["name"]) for n in nodes if n.get("name") not in targets]
    return list(dict.fromkeys(triggers + roots))


class WorkflowTree(Tree[Any]):
    """Shows a workflow definition; :meth:`show` replaces it."""

    DEFAULT_CSS = "WorkflowTree { background: $surface; }"

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("(no workflow selected)", id=id, classes=classes)
        self.guide_depth = 3

    def show(self, name: str, definition: JSON) -> None:
        """Displays ``definition`` under a root called ``name``."""
        self.clear()
        self.root.set_label(Text(name, style="bold"))
        types = {str(n.get("name")): str(n.get("type", "?"))
                 for n in definition.get("nodes") or [] if isinstance(n, dict)}
        edges = downstream(definition)
        flow = self.root.add(Text("Flow", style="bold cyan"), expand=True)
        for start in _starts(definition):
            self._flow(flow, start, "", types, edges, set())
        nodes = self.root.add(Text(f"Nodes ({len(types)})", style="bold cyan"))
        for node in definition.get("nodes") or []:
            if isinstance(node, dict):
                self._node(nodes, node)
        settings = definition.get("settings")
        if settings:
            branch = self.root.add(Text("Settings", style="bold cyan"))
            self._params(branch, settings)
        self.root.expand()

    def _flow(self, parent: TreeNode[Any], name: str, via: str, types: dict[str, str],
              edges: dict[str, list[tuple[str, str, str]]], seen: set[str]) -> None:
        label = Text()
        if via:
            label.append(f"{via} → ", style="dim")
        label.append(name, style="bold")
        label.append(f"  {types.get(name, '?')}", style="dim")
        if name in seen:
            parent.add_leaf(label + Text("  ↺ (shown above)", style="dim italic"))
            return
        children = edges.get(name, [])
        if not children:
            parent.add_leaf(label, name)
            return
        branch = parent.add(label, name, expand=True)
        for out_port, in_port, target in children:
            port = out_port if in_port == "main" else f"{out_port}→{in_port}"
            self._flow(branch, target, port if port != "main" else "", types, edges,
                       seen | {name})

    def _node(self, parent: TreeNode[Any], node: JSON) -> None:
        label = Text(str(node.get("name", "?")), style="bold")
        label.append(f"  {node.get('type', '?')} v{node.get('type_version', 1)}", style="dim")
        if node.get("disabled"):
            label.append("  (disabled)", style="yellow")
        branch = parent.add(label, node)
        params = node.get("parameters") or {}
        if params:
            self._params(branch.add("parameters"), params)
        creds = node.get("credentials") or {}
        if creds:
            self._params(branch.add("credentials"), creds)

    def _params(self, parent: TreeNode[Any], value: Any) -> None:
        entries = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in entries:
            key_text = Text(f"[{key}]" if isinstance(key, int) else str(key), style="bold")
            if isinstance(item, dict | list) and item:
                self._params(parent.add(key_text, item), item)
            else:
                parent.add_leaf(key_text + Text(": ") + scalar_text(item), item)
