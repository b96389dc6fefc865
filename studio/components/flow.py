"""React Flow (``@xyflow/react`` 12) wrapped as Reflex components, with AURA's node types.

``<ReactFlow>`` runs *uncontrolled*: it owns the live canvas (dragging, selecting,
zooming) in the browser, and Python only hears about committed changes: a drag that
ended, a connection made, elements deleted, a node opened. Python changes the canvas
by appending commands to ``cmds`` (see :class:`AuraCanvas`), which the browser applies.
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import Any

import reflex as rx
from reflex.vars.function import FunctionStringVar

from studio.components.flow_js import CANVAS_JS, EVENT_HELPERS_JS, NODES_JS

__all__ = [
    "AuraCanvas",
    "AuraDraggable",
    "Background",
    "Controls",
    "MiniMap",
    "ReactFlow",
    "aura_canvas",
    "aura_draggable",
    "background",
    "controls",
    "mini_map",
    "react_flow",
]

XYFLOW = "@xyflow/react@12.12.1"
LUCIDE = "lucide-react@1.26.0"
_EXTRA_ICONS = (
    "box",
    "circle-help",
    "sticky-note",
    "play",
    "power",
    "pencil",
    "trash-2",
    "pin",
    "triangle-alert",
)

_moves = FunctionStringVar.create("auraMoves")
_conn = FunctionStringVar.create("auraConn")
_conn_end = FunctionStringVar.create("auraConnEnd")
_deleted = FunctionStringVar.create("auraDeleted")


@lru_cache(maxsize=1)
def _icon_names() -> tuple[str, ...]:
    from engine.sdk import get_catalog

    names = {s.icon for s in get_catalog().all()} | set(_EXTRA_ICONS)
    return tuple(sorted(n for n in names if n and n.replace("-", "").isalnum()))


@cache
def _icon_import(name: str) -> rx.ImportVar:
    """The same deep default import ``rx.icon(name)`` uses (so both can share it)."""
    return rx.icon(name.replace("-", "_")).import_var


def _icon_var(name: str) -> str:
    return str(_icon_import(name).name)


class _XYFlow(rx.Component):
    """Base of the ``@xyflow/react`` components: brings its stylesheet."""

    library = XYFLOW

    def add_imports(self) -> dict[str, Any]:
        return {"": "@xyflow/react/dist/style.css"}


class ReactFlow(_XYFlow):
    """The canvas (uncontrolled: ``default_nodes``/``default_edges`` seed it)."""

    tag = "ReactFlow"

    default_nodes: rx.Var[list[dict[str, Any]]]
    default_edges: rx.Var[list[dict[str, Any]]]
    node_types: rx.Var[dict[str, Any]]
    edge_types: rx.Var[dict[str, Any]]
    default_edge_options: rx.Var[dict[str, Any]]
    fit_view: rx.Var[bool]
    min_zoom: rx.Var[float]
    max_zoom: rx.Var[float]
    snap_to_grid: rx.Var[bool]
    snap_grid: rx.Var[list[int]]
    nodes_draggable: rx.Var[bool]
    nodes_connectable: rx.Var[bool]
    elements_selectable: rx.Var[bool]
    delete_key_code: rx.Var[list[str] | str | None]
    multi_selection_key_code: rx.Var[list[str] | str]
    selection_key_code: rx.Var[str]
    pan_on_scroll: rx.Var[bool]
    zoom_on_double_click: rx.Var[bool]
    only_render_visible_elements: rx.Var[bool]
    color_mode: rx.Var[str]
    is_valid_connection: rx.Var[Any]
    connection_radius: rx.Var[int]
    pro_options: rx.Var[dict[str, Any]]

    on_node_drag_stop: rx.EventHandler[lambda e, node, nodes: [_moves.call(nodes)]]
    on_selection_drag_stop: rx.EventHandler[lambda e, nodes: [_moves.call(nodes)]]
    on_connect: rx.EventHandler[lambda c: [_conn.call(c)]]
    on_connect_end: rx.EventHandler[lambda e, s: [_conn_end.call(e, s)]]
    on_delete: rx.EventHandler[lambda d: [_deleted.call(d)]]
    on_node_double_click: rx.EventHandler[lambda e, node: [node.id]]  # type: ignore[attr-defined]

    def add_custom_code(self) -> list[str]:
        return [EVENT_HELPERS_JS, NODES_JS]

    def add_imports(self) -> dict[str, Any]:
        icons = [_icon_import(n) for n in _icon_names()]
        return {
            "react": ["createContext", "useContext", "memo", "useState", "useEffect"],
            XYFLOW: [
                "Handle",
                "Position",
                "NodeResizer",
                "BaseEdge",
                "EdgeLabelRenderer",
                "getBezierPath",
            ],
            LUCIDE: icons,
        }

    def add_hooks(self) -> list[str | rx.Var]:
        return []


def _icons_js() -> str:
    pairs = ", ".join(f'"{n}": {_icon_var(n)}' for n in _icon_names())
    return f"const AURA_ICONS = {{ {pairs} }};"


class _IconMap(ReactFlow):
    """ReactFlow with the icon map of every node type in the catalog."""

    def add_custom_code(self) -> list[str]:
        return [_icons_js()]


class Background(_XYFlow):
    tag = "Background"
    variant: rx.Var[str]
    gap: rx.Var[int]
    size: rx.Var[float]
    color: rx.Var[str]


class Controls(_XYFlow):
    tag = "Controls"
    show_interactive: rx.Var[bool]
    position: rx.Var[str]


class MiniMap(_XYFlow):
    tag = "MiniMap"
    pannable: rx.Var[bool]
    zoomable: rx.Var[bool]
    node_stroke_width: rx.Var[int]
    position: rx.Var[str]


class AuraCanvas(rx.Component):
    """The glue around ``<ReactFlow>`` (defined in :data:`CANVAS_JS`).

    Props: ``cmds`` (the editor's command list: each ``{seq, reset?, nodes, edges,
    remove_nodes, remove_edges, select, fit, move}``), ``run`` (node id -> run status),
    ``read_only``. Events: node dropped from the palette, a file dropped from the desktop
    (name, text, size), pasted text, shortcuts, and actions from node toolbars and sticky
    notes.
    """

    tag = "AuraCanvas"

    cmds: rx.Var[list[dict[str, Any]]]
    run: rx.Var[dict[str, Any]]
    read_only: rx.Var[bool]

    on_drop_node: rx.EventHandler[lambda t, p: [t, p]]
    on_paste: rx.EventHandler[lambda text, at: [text, at]]
    on_drop_file: rx.EventHandler[lambda name, text, size: [name, text, size]]
    on_shortcut: rx.EventHandler[lambda action, ids: [action, ids]]
    on_action: rx.EventHandler[lambda name, node_id, payload: [name, node_id, payload]]

    def add_imports(self) -> dict[str, Any]:
        return {
            "react": ["useRef", "useEffect", "useCallback", "useMemo", "createContext"],
            XYFLOW: ["ReactFlowProvider", "useReactFlow", "useStore"],
        }

    def add_custom_code(self) -> list[str]:
        return [EVENT_HELPERS_JS, CANVAS_JS]


class AuraDraggable(rx.Component):
    """A palette entry: drag it onto the canvas, or click it (``on_pick``); a button for
    the keyboard (Enter or Space adds it) named ``label`` for screen readers."""

    tag = "AuraDraggable"

    node_type: rx.Var[str]
    label: rx.Var[str]
    on_pick: rx.EventHandler[lambda t: [t]]

    def add_custom_code(self) -> list[str]:
        return [EVENT_HELPERS_JS, CANVAS_JS]

    def add_imports(self) -> dict[str, Any]:
        return {
            "react": ["useRef", "useEffect", "useCallback", "useMemo", "createContext"],
            XYFLOW: ["ReactFlowProvider", "useReactFlow", "useStore"],
        }


def react_flow(*children: rx.Component, **props: Any) -> rx.Component:
    """The canvas with AURA's node and edge types and helpers."""
    props.setdefault("node_types", rx.Var("auraNodeTypes"))
    props.setdefault("edge_types", rx.Var("auraEdgeTypes"))
    props.setdefault("is_valid_connection", rx.Var("auraValidConn"))
    return _IconMap.create(*children, **props)


aura_canvas = AuraCanvas.create
aura_draggable = AuraDraggable.create
background = Background.create
controls = Controls.create
mini_map = MiniMap.create
