"""The node palette: categories and search over the catalog; drag onto the canvas, click
to add (connected to the node it was opened from), or open it from a connection end."""

from __future__ import annotations

import dataclasses
from typing import Any

import reflex as rx

from studio.logic import canvas, specs
from studio.state.editor import EditorState

__all__ = ["PaletteEntry", "PaletteState"]


@dataclasses.dataclass
class PaletteEntry:
    type: str = ""
    title: str = ""
    description: str = ""
    category: str = ""
    icon: str = ""


class PaletteState(EditorState):
    """Which palette entries show, and where a picked node goes."""

    palette_open: bool = False
    search: str = ""
    category: str = ""
    anchor_id: str = ""
    _pending: dict[str, Any] = {}

    @rx.var
    def categories(self) -> list[str]:
        present = {e["category"] for e in specs.palette()}
        return [c for c in specs.CATEGORY_ORDER if c in present]

    @rx.var
    def entries(self) -> list[PaletteEntry]:
        needle = self.search.strip().lower()
        out = []
        for e in specs.palette():
            if needle and not all(w in e["search"] for w in needle.split()):
                continue
            if self.category and not needle and e["category"] != self.category:
                continue
            if self._pending.get("kind") == "source" and not e["has_inputs"]:
                continue
            if self._pending.get("kind") == "target" and not e["has_outputs"]:
                continue
            out.append(PaletteEntry(type=e["type"], title=e["title"],
                                    description=e["description"], category=e["category"],
                                    icon=e["icon"]))
        return out

    @rx.event
    def open_palette(self, anchor_id: str = "") -> None:
        self.palette_open = True
        self.anchor_id = anchor_id
        self._pending = {}
        self.search = ""

    @rx.event
    def toggle_palette(self) -> None:
        self.palette_open = not self.palette_open
        self._pending = {}
        self.anchor_id = ""

    @rx.event
    def close_palette(self) -> None:
        self.palette_open = False
        self._pending = {}

    @rx.event
    def set_search(self, value: str) -> None:
        self.search = value

    @rx.event
    def search_key(self, key: str) -> Any:
        """Enter adds the first match; Escape closes."""
        if key == "Escape":
            self.close_palette()
        elif key == "Enter" and self.entries:
            return self.pick(self.entries[0].type)
        return None

    @rx.event
    def set_category(self, value: str) -> None:
        self.category = "" if value == self.category else value

    @rx.event
    def on_connect_end(self, info: dict[str, Any]) -> None:
        """A connection was dropped on empty canvas: offer the nodes that fit there."""
        if not info or not info.get("node") or self.read_only:
            return
        self._pending = dict(info)
        self.palette_open = True
        self.search = ""

    @rx.event
    def pick(self, type_: str) -> Any:
        """Adds the picked node: where a dangling connection ended, or after the anchor."""
        pending, self._pending = self._pending, {}
        if pending:
            x = float(pending["x"]) - (canvas.NODE_W if pending["kind"] == "target" else 0)
            result = self._add(type_, x, float(pending["y"]) - 32, connect_from=pending)
            self.palette_open = False
            return result
        anchor = canvas.node_by_id(self._wf, self.anchor_id) if self.anchor_id else None
        if anchor is None and self._wf["nodes"]:
            anchor = self._wf["nodes"][-1]
        if anchor is not None:
            x, y = anchor["position"][0] + canvas.NODE_W + 100, anchor["position"][1]
            frm = {"node": anchor["id"], "handle": canvas.flow_node(anchor, self._wf)[
                "data"]["outputs"][0]["name"], "kind": "source"} \
                if canvas.flow_node(anchor, self._wf)["data"]["outputs"] else None
            info = specs.spec_dict(type_)
            result = self._add(type_, x, y, connect_from=frm if info["inputs"] else None)
        else:
            result = self._add(type_, 0, 0)
        added = self._wf["nodes"][-1]
        self.anchor_id = added["id"]
        self._cmd(center={"x": added["position"][0] + canvas.NODE_W / 2,
                          "y": added["position"][1] + 32})
        return result
