"""A JSON viewer: any JSON value as a collapsible tree, with typed colours, item counts
and a cap on how many children are shown per level (big outputs stay responsive)."""

from __future__ import annotations

import json
from typing import Any

from rich.highlighter import ReprHighlighter
from rich.text import Text
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

__all__ = ["JsonView", "scalar_text"]

_highlight = ReprHighlighter()


def scalar_text(value: Any) -> Text:
    text = Text(json.dumps(value, ensure_ascii=False, default=str))
    if len(text) > 200:
        text = text[:199] + Text("…")
    return _highlight(text)


def _key(key: str | int) -> Text:
    return Text(f"[{key}]" if isinstance(key, int) else str(key), style="bold")


class JsonView(Tree[Any]):
    """A tree of a JSON value; ``enter``/``space`` fold, ``e`` expands everything.

    Args:
        label: the root's label (e.g. "output").
        data: the value to show.
        max_children: children shown per object or array before "… N more".
    """

    DEFAULT_CSS = "JsonView { background: $surface; }"
    BINDINGS = [("e", "expand_all", "Expand all"), ("E", "collapse_all", "Collapse")]

    def __init__(self, label: str = "json", data: Any = None, *, max_children: int = 200,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(label, id=id, classes=classes)
        self.max_children = max_children
        self.guide_depth = 3
        self.set_data(data, label)

    def set_data(self, data: Any, label: str | None = None) -> None:
        """Shows ``data`` (replacing what was shown), as many levels open as fit."""
        self.clear()
        if label is not None:
            self.root.set_label(Text(label, style="bold"))
        self.root.data = data
        self._fill(self.root, data)
        if isinstance(data, dict | list) and not data:
            self.root.add_leaf(Text("(empty)", style="dim italic"))
        self._auto_expand()

    def _auto_expand(self, budget: int = 40) -> None:
        """Opens levels breadth-first while about ``budget`` lines stay visible."""
        queue = [self.root]
        shown = 0
        while queue:
            node = queue.pop(0)
            if node is not self.root and shown + len(node.children) > budget:
                break
            node.expand()
            shown += len(node.children)
            queue.extend(c for c in node.children if c.allow_expand)

    def _fill(self, node: TreeNode[Any], data: Any) -> None:
        entries: list[tuple[str | int, Any]]
        if isinstance(data, dict):
            entries = list(data.items())
        elif isinstance(data, list):
            entries = list(enumerate(data))
        else:
            node.add_leaf(scalar_text(data), data)
            return
        for key, value in entries[: self.max_children]:
            self._add(node, key, value)
        hidden = len(entries) - self.max_children
        if hidden > 0:
            node.add_leaf(Text(f"… {hidden} more", style="dim italic"))

    def _add(self, parent: TreeNode[Any], key: str | int, value: Any) -> None:
        if isinstance(value, dict | list):
            size = len(value)
            kind = "{}" if isinstance(value, dict) else "[]"
            label = _key(key) + Text(f" {kind[0]}{size}{kind[1]}", style="dim")
            branch = parent.add(label, value)
            self._fill(branch, value)
        else:
            parent.add_leaf(_key(key) + Text(": ") + scalar_text(value), value)

    def action_expand_all(self) -> None:
        """Opens every level."""
        self.root.expand_all()

    def action_collapse_all(self) -> None:
        """Folds everything below the root."""
        for child in self.root.children:
            child.collapse_all()
