"""The editor: the open workflow, canvas edits, undo and redo, save and publish.

The workflow lives here as its JSON dict (``_wf``, a backend-only var). The browser
keeps the live canvas; it reports committed changes (``on_moves``, ``on_connect``,
``on_delete``...) and receives changes made here as commands in ``flow_cmds`` (see
:class:`studio.components.flow.AuraCanvas`): a ``reset`` with the whole graph, or a
patch of changed nodes and edges.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import reflex as rx

from studio.auth import AuthState
from studio.logic import backend, canvas, clipboard, form_rules, layout

__all__ = ["EditorState"]

MAX_CMDS = 40
MAX_UNDO = 60


class EditorState(AuthState):
    """The workflow open in the editor."""

    current_id: str = ""
    name: str = ""
    version: int = 0
    published: int = 0
    active: bool = False
    dirty: bool = False
    can_undo: bool = False
    can_redo: bool = False
    loaded: bool = False
    load_error: str = ""
    node_count: int = 0
    flow_cmds: list[dict[str, Any]] = []
    read_only: bool = False
    viewer_only: bool = False
    _wf: dict[str, Any] = {}
    _undo: list[str] = []
    _redo: list[str] = []
    _seq: int = 0

    # -- loading -----------------------------------------------------------------------
    @rx.event
    def load(self) -> Any:
        """Opens the workflow named by the URL (``/workflows/<id>``)."""
        wid = str(self.router.url.path).rstrip("/").rsplit("/", 1)[-1]
        self.loaded = False
        self.read_only = False
        p = self.principal_or_none()
        if p is None:
            return None
        try:
            data, info = backend.load_definition(p, wid)
        except Exception as exc:
            self.load_error = backend.message_of(exc)
            self.loaded = True
            return None
        self.load_error = ""
        self.current_id = wid
        self._open(data, info)
        # who may not change the workflow gets it read-only (the backend refuses anyway)
        self.viewer_only = self.read_only = not info.get("can_edit", False)
        return self._fresh_page()

    @staticmethod
    def _fresh_page() -> list[Any]:
        """Events closing what was open when another workflow (or this one again) loads."""
        from studio.state.history import HistoryState
        from studio.state.node_panel import NodePanelState
        from studio.state.palette import PaletteState
        from studio.state.run import RunState

        return [
            RunState.clear,
            PaletteState.close_palette,
            NodePanelState.close_panel,
            HistoryState.close_history,
        ]

    def _open(self, data: dict[str, Any], info: dict[str, Any]) -> None:
        self._wf = data
        self.name = info["name"]
        self.version = info["version"]
        self.published = info["published"] or 0
        self.active = info["active"]
        self._undo, self._redo = [], []
        self.dirty = False
        self._sync_flags()
        self._reset(fit=True)
        self.loaded = True

    # -- commands to the browser ---------------------------------------------------------
    def _cmd(self, **cmd: Any) -> None:
        self._seq += 1
        cmds = list(self.flow_cmds)
        if len(cmds) >= MAX_CMDS:
            cmds = [
                {
                    "seq": self._seq,
                    "reset": True,
                    "nodes": canvas.flow_nodes(self._wf),
                    "edges": canvas.flow_edges(self._wf),
                }
            ]
            self._seq += 1
        cmds.append({"seq": self._seq, **cmd})
        self.flow_cmds = cmds

    def _reset(self, fit: bool = False, select: list[str] | None = None) -> None:
        self._seq += 1
        self.flow_cmds = [
            {
                "seq": self._seq,
                "reset": True,
                "fit": fit,
                "nodes": canvas.flow_nodes(self._wf),
                "edges": canvas.flow_edges(self._wf),
                "select": select,
            }
        ]
        self.node_count = len(self._wf["nodes"])

    def _patch_nodes(self, ids: list[str], **extra: Any) -> None:
        """Sends the current drawing of these nodes (and all edges touching them)."""
        wanted = set(ids)
        nodes = [canvas.flow_node(n, self._wf) for n in self._wf["nodes"] if n["id"] in wanted]
        edges = [
            e for e in canvas.flow_edges(self._wf) if e["source"] in wanted or e["target"] in wanted
        ]
        self._cmd(nodes=nodes, edges=edges, **extra)
        self.node_count = len(self._wf["nodes"])

    # -- history -------------------------------------------------------------------------
    def _snapshot(self) -> None:
        """Remembers the workflow before an edit (for undo) and marks it unsaved."""
        self._undo = [*self._undo[-(MAX_UNDO - 1) :], json.dumps(self._wf)]
        self._redo = []
        self.dirty = True
        self._sync_flags()

    def _sync_flags(self) -> None:
        self.can_undo = bool(self._undo)
        self.can_redo = bool(self._redo)

    @rx.event
    def undo(self) -> Any:
        if not self._undo or self.read_only:
            return None
        self._redo = [*self._redo, json.dumps(self._wf)]
        self._wf = json.loads(self._undo[-1])
        self._undo = self._undo[:-1]
        self.dirty = True
        self._sync_flags()
        self._reset()
        return self._refresh_panel()

    @rx.event
    def redo(self) -> Any:
        if not self._redo or self.read_only:
            return None
        self._undo = [*self._undo, json.dumps(self._wf)]
        self._wf = json.loads(self._redo[-1])
        self._redo = self._redo[:-1]
        self.dirty = True
        self._sync_flags()
        self._reset()
        return self._refresh_panel()

    @staticmethod
    def _refresh_panel() -> Any:
        from studio.state.node_panel import NodePanelState

        return NodePanelState.refresh

    # -- canvas events -----------------------------------------------------------------
    @rx.event
    def on_moves(self, moves: list[dict[str, Any]]) -> None:
        if self.read_only or not moves:
            return
        before = json.dumps(self._wf)
        if canvas.move(self._wf, moves):
            self._undo = [*self._undo[-(MAX_UNDO - 1) :], before]
            self._redo = []
            self.dirty = True
            self._sync_flags()

    @rx.event
    def on_connect(self, c: dict[str, Any]) -> Any:
        if self.read_only:
            return None
        problem = canvas.check_connection(
            self._wf, c["source"], c["output"], c["target"], c["input"]
        )
        if problem:
            return rx.toast.warning(problem)
        self._snapshot()
        canvas.connect(self._wf, c["source"], c["output"], c["target"], c["input"])
        self._patch_nodes([c["source"], c["target"]])
        return None

    @rx.event
    def on_delete(self, d: dict[str, Any]) -> None:
        if self.read_only:
            self._reset()
            return
        nodes, edges = d.get("nodes") or [], d.get("edges") or []
        if not nodes and not edges:
            return
        self._snapshot()
        canvas.disconnect(self._wf, edges)
        canvas.delete(self._wf, nodes)
        self.node_count = len(self._wf["nodes"])
        # other edges whose ends were deleted are gone in the browser as well

    @rx.event
    def on_drop_node(self, type_: str, pos: dict[str, Any]) -> Any:
        return self._add(type_, float(pos.get("x", 0)), float(pos.get("y", 0)))

    def _add(
        self, type_: str, x: float, y: float, connect_from: dict[str, Any] | None = None
    ) -> Any:
        if self.read_only:
            return None
        self._snapshot()
        node = canvas.add_node(self._wf, type_, x, y)
        ids = [node["id"]]
        note = None
        if connect_from:
            src, kind = connect_from.get("node", ""), connect_from.get("kind", "source")
            handle = connect_from.get("handle") or "main"
            ins = canvas.flow_node(node, self._wf)["data"]
            if kind == "source" and ins["inputs"]:
                note = canvas.connect(self._wf, src, handle, node["id"], ins["inputs"][0]["name"])
            elif kind == "target" and ins["outputs"]:
                note = canvas.connect(self._wf, node["id"], ins["outputs"][0]["name"], src, handle)
            ids.append(src)
        self._patch_nodes(ids, select=[node["id"]])
        return rx.toast.warning(note) if note else None

    @rx.event
    def on_paste(self, text: str, at: dict[str, Any]) -> Any:
        if self.read_only:
            return None
        before = json.dumps(self._wf)
        where = (float(at["x"]), float(at["y"])) if at and "x" in at else None
        ids, problem = clipboard.paste(self._wf, text, where)
        if problem:
            return rx.toast.warning(problem)
        self._undo = [*self._undo[-(MAX_UNDO - 1) :], before]
        self._redo = []
        self.dirty = True
        self._sync_flags()
        flow_ids = [i for i in ids if not i.startswith(canvas.STICKY)]
        notes = [
            n for n in canvas.flow_nodes(self._wf) if n["id"] in set(ids) and n["type"] == "sticky"
        ]
        self._patch_nodes(flow_ids, select=ids)
        if notes:
            self._cmd(nodes=notes)
        return rx.toast.success(f"Pasted {len(ids)} element{'s' if len(ids) != 1 else ''}.")

    @rx.event
    def duplicate_nodes(self, ids: list[str]) -> Any:
        if not ids:
            return None
        text = clipboard.dumps(clipboard.fragment(self._wf, ids))
        return self.on_paste(text, {})

    @rx.event
    def toggle_disabled(self, ids: list[str]) -> None:
        if self.read_only:
            return
        nodes = [n for n in self._wf["nodes"] if n["id"] in set(ids)]
        if not nodes:
            return
        self._snapshot()
        value = not all(n.get("disabled") for n in nodes)
        for n in nodes:
            n["disabled"] = value
        self._patch_nodes([n["id"] for n in nodes])

    @rx.event
    def tidy(self) -> None:
        if self.read_only or not self._wf["nodes"]:
            return
        self._snapshot()
        layout.tidy(self._wf)
        self._patch_nodes([n["id"] for n in self._wf["nodes"]], move=True, fit=True)

    @rx.event
    def add_sticky(self) -> None:
        if self.read_only:
            return
        self._snapshot()
        xs = [n["position"][0] for n in self._wf["nodes"]] or [0]
        ys = [n["position"][1] for n in self._wf["nodes"]] or [0]
        note = canvas.add_sticky(self._wf, min(xs), min(ys) - 220)
        flow = [n for n in canvas.flow_nodes(self._wf) if n["id"] == canvas.STICKY + note["id"]]
        self._cmd(nodes=flow, select=[flow[0]["id"]])

    def _sticky(self, flow_id: str, **fields: Any) -> None:
        self._snapshot()
        note = canvas.update_sticky(self._wf, flow_id, **fields)
        if note is not None:
            flow = [n for n in canvas.flow_nodes(self._wf) if n["id"] == flow_id]
            self._cmd(nodes=flow, move=True)

    @rx.event
    def on_action(self, name: str, node_id: str, payload: dict[str, Any]) -> Any:
        """Buttons on nodes and sticky notes."""
        from studio.state.node_panel import NodePanelState
        from studio.state.run import RunState

        if name == "open":
            return NodePanelState.open_node(node_id)
        if name == "run_to":
            return RunState.run(node_id)
        if name == "toggle_disabled":
            return self.toggle_disabled([node_id])
        if name == "sticky_text" and not self.read_only:
            self._sticky(node_id, content=str(payload.get("content", "")))
        if name == "sticky_resize" and not self.read_only:
            self._snapshot()
            canvas.move(self._wf, [{"id": node_id, "x": payload["x"], "y": payload["y"]}])
            canvas.update_sticky(self._wf, node_id, size=[payload["width"], payload["height"]])
        return None

    @rx.event
    def on_shortcut(self, action: str, ids: list[str]) -> Any:
        from studio.state.node_panel import NodePanelState
        from studio.state.palette import PaletteState
        from studio.state.run import RunState

        simple = {
            "undo": self.undo,
            "redo": self.redo,
            "tidy": self.tidy,
            "sticky": self.add_sticky,
        }
        if action in simple:
            return simple[action]()
        if action == "save":
            return EditorState.save
        if action == "run":
            return RunState.run("")
        if action == "duplicate":
            return self.duplicate_nodes(ids)
        if action == "toggle_disabled":
            return self.toggle_disabled(ids)
        if action in ("open", "rename") and ids:
            return NodePanelState.open_node(ids[0])
        if action == "palette":
            return PaletteState.open_palette(ids[0] if ids else "")
        if action == "pin" and ids:
            return RunState.toggle_pin(ids[0])
        return None

    # -- workflow-level edits -----------------------------------------------------------
    @rx.event
    def rename_workflow(self, name: str) -> None:
        name = name.strip()
        if not name or name == self._wf.get("name") or self.read_only:
            return
        self._snapshot()
        self._wf["name"] = name[:200]
        self.name = self._wf["name"]

    @rx.event
    def save(self) -> Any:
        """Stores the canvas as a new version of the workflow."""
        if self.viewer_only:
            return rx.toast.error(
                "Read only: you may not change this workflow. Ask an admin for the editor role."
            )
        if self.read_only or not self.current_id:
            return None
        refused = form_rules.workflow_refusals(self._wf)
        if refused:
            from studio.state.node_panel import NodePanelState

            first = refused[0]
            more = f" ({len(refused) - 1} more like it)" if len(refused) > 1 else ""
            return [
                NodePanelState.open_node(first["id"]),
                rx.toast.error(
                    f"Not saved: node '{first['node']}': {first['message']}{more}", duration=10000
                ),
            ]
        try:
            number = backend.save(
                self.principal(),
                self.current_id,
                copy.deepcopy(self._wf),
                "Saved in the editor",
                base_version=self.version,
            )
        except Exception as exc:
            return self.refuse(exc, duration=10000)
        changed = number != self.version
        self.version = number
        self.dirty = False
        from studio.state.history import HistoryState

        return [
            HistoryState.refresh,
            rx.toast.success(
                f"Saved as version {number}." if changed else "No changes since the last save."
            ),
        ]

    @rx.event
    def publish(self) -> Any:
        """Saves, then marks the saved version as the one triggers run."""
        if self.viewer_only:
            return self.save()
        if self.read_only:
            return None
        if self.dirty:
            result = self.save()
            if self.dirty:
                return result
        try:
            self.published = backend.publish(self.principal(), self.current_id, self.version)
        except Exception as exc:
            return self.refuse(exc)
        from studio.state.history import HistoryState

        return [HistoryState.refresh, rx.toast.success(f"Version {self.published} is published.")]

    @rx.event
    def export(self) -> Any:
        data = copy.deepcopy(self._wf)
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in self.name)[:60]
        return rx.download(
            data=json.dumps(data, indent=2, ensure_ascii=False),
            filename=f"{safe or 'workflow'}.json",
        )

    def workflow_dict(self) -> dict[str, Any]:
        """A copy of the workflow as it is on the canvas now."""
        return copy.deepcopy(self._wf)
