"""The canvas model: workflow JSON <-> React Flow nodes and edges, and every edit.

The editor keeps the workflow as its JSON dict (``Workflow.to_json_dict()``). Canvas
nodes are keyed by the node's stable ``id``; connections in the workflow use node
*names*, edges on the canvas use ids, so renaming never breaks an edge. Sticky notes are
canvas nodes of type ``sticky`` whose id is ``sticky:<note id>``.

Edits return a message in plain words when they are refused (``None`` when done).
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from engine.services.interop import import_flag
from studio.logic.specs import output_ports, spec_dict

__all__ = [
    "NODE_W",
    "STICKY",
    "add_node",
    "add_sticky",
    "connect",
    "delete",
    "disconnect",
    "edge_id",
    "flow_edges",
    "flow_node",
    "flow_nodes",
    "move",
    "node_by_id",
    "node_height",
    "rename",
    "set_node_field",
    "unique_name",
    "update_sticky",
]

NODE_W = 220
STICKY = "sticky:"
_NUM_SUFFIX = re.compile(r"^(.*?)(\d+)$")


_ALWAYS = {"id", "name", "type", "type_version", "parameters"}
_NODE_DEFAULTS: dict[str, Any] = {
    "credentials": {},
    "disabled": False,
    "notes": "",
    "on_error": "stop",
    "execute_once": False,
    "always_output_data": False,
    "retry": {"enabled": False, "max_tries": 3, "wait_s": 1.0, "backoff": 2.0, "max_wait_s": 300.0},
}


def _new_id() -> str:
    return uuid.uuid4().hex


def node_by_id(wf: dict[str, Any], node_id: str) -> dict[str, Any] | None:
    return next((n for n in wf["nodes"] if n["id"] == node_id), None)


def _by_name(wf: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {n["name"]: n for n in wf["nodes"]}


def node_height(n_in: int, n_out: int) -> int:
    """Height of a node card: room for its port labels."""
    return max(64, 28 * max(n_in, n_out, 1) + 20)


def unique_name(wf: dict[str, Any], base: str, taken: set[str] | None = None) -> str:
    """``base``, or ``base`` with the next free number ("HTTP Request2")."""
    names = taken if taken is not None else {n["name"] for n in wf["nodes"]}
    base = base.strip() or "Node"
    if base not in names:
        return base
    m = _NUM_SUFFIX.match(base)
    stem = m.group(1) if m and m.group(1) else base
    i = 1
    while f"{stem}{i}" in names:
        i += 1
    return f"{stem}{i}"


# -- to React Flow -----------------------------------------------------------------------
def flow_node(node: dict[str, Any], wf: dict[str, Any]) -> dict[str, Any]:
    """One workflow node as a React Flow node of type ``aura`` (data drawn from its spec)."""
    info = spec_dict(node["type"], node.get("type_version", 1))
    ins = [{"name": p["name"], "title": p["title"]} for p in info["inputs"]]
    outs = output_ports(node)
    x, y = node.get("position") or (0, 0)
    definition = {
        k: v
        for k, v in node.items()
        if k != "position" and (k in _ALWAYS or v != _NODE_DEFAULTS.get(k))
    }
    return {
        "id": node["id"],
        "type": "aura",
        "position": {"x": float(x), "y": float(y)},
        "ariaLabel": _spoken(node, info["title"]),
        "data": {
            "name": node["name"],
            "title": info["title"],
            "type": node["type"],
            "icon": info["icon"],
            "category": info["category"],
            "inputs": ins,
            "outputs": outs,
            "trigger": bool(info.get("trigger")),
            "unknown": bool(info.get("unknown")),
            "disabled": bool(node.get("disabled")),
            "notes": node.get("notes") or "",
            "flag": import_flag(node),
            "pinned": node["name"] in wf.get("pinned_data", {}),
            "def": definition,
        },
        "width": NODE_W,
        "height": node_height(len(ins), len(outs)),
    }


def _spoken(node: dict[str, Any], title: str) -> str:
    """What a screen reader says for a node on the canvas: its name, its type when the
    name differs, and whether it is disabled."""
    name = str(node["name"])
    out = name if name == title else f"{name} ({title})"
    return out + (", disabled" if node.get("disabled") else "")


def _sticky_node(note: dict[str, Any]) -> dict[str, Any]:
    x, y = note.get("position") or (0, 0)
    w, h = note.get("size") or (240, 160)
    return {
        "id": STICKY + note["id"],
        "type": "sticky",
        "position": {"x": x, "y": y},
        "ariaLabel": "Sticky note: " + (str(note.get("content") or "").strip().split("\n")[0][:80]),
        "data": {
            "content": note.get("content", ""),
            "color": note.get("color", "yellow"),
            "note_id": note["id"],
        },
        "width": w,
        "height": h,
        "style": {"width": w, "height": h},
        "zIndex": -1,
    }


def flow_nodes(wf: dict[str, Any]) -> list[dict[str, Any]]:
    """Sticky notes (drawn underneath) then nodes."""
    return [_sticky_node(s) for s in wf.get("sticky_notes", [])] + [
        flow_node(n, wf) for n in wf["nodes"]
    ]


def edge_id(source_id: str, output: str, target_id: str, input_: str) -> str:
    return f"{source_id}:{output}->{target_id}:{input_}"


def _flow_edge(c: dict[str, Any], ids: dict[str, str]) -> dict[str, Any] | None:
    s, t = ids.get(c["source"]), ids.get(c["target"])
    if s is None or t is None:
        return None
    out, inp = c.get("output", "main"), c.get("input", "main")
    src = c["source"] if out == "main" else f"{c['source']} ({out})"
    dst = c["target"] if inp == "main" else f"{c['target']} ({inp})"
    return {
        "id": edge_id(s, out, t, inp),
        "ariaLabel": f"Connection from {src} to {dst}",
        "source": s,
        "target": t,
        "sourceHandle": out,
        "targetHandle": inp,
        "type": "aura",
    }


def flow_edges(wf: dict[str, Any]) -> list[dict[str, Any]]:
    ids = {n["name"]: n["id"] for n in wf["nodes"]}
    return [e for c in wf["connections"] if (e := _flow_edge(c, ids)) is not None]


# -- edits -------------------------------------------------------------------------------
def add_node(
    wf: dict[str, Any],
    type_: str,
    x: float,
    y: float,
    *,
    version: int | None = None,
    name: str | None = None,
) -> dict[str, Any]:
    """Appends a node of ``type_`` at (x, y) with a unique name; returns it."""
    info = spec_dict(type_, version)
    default = info["title"].split(", ")[0]  # "No Operation, do nothing" -> "No Operation"
    node = {
        "id": _new_id(),
        "name": unique_name(wf, name or default),
        "type": type_,
        "type_version": info.get("version") or 1,
        "parameters": {},
        "credentials": {},
        "position": [round(x), round(y)],
        "disabled": False,
        "notes": "",
    }
    wf["nodes"].append(node)
    return node


def move(wf: dict[str, Any], moves: list[dict[str, Any]]) -> list[str]:
    """Applies ``[{id, x, y}]`` to nodes and sticky notes; returns the ids moved."""
    nodes = {n["id"]: n for n in wf["nodes"]}
    notes = {STICKY + s["id"]: s for s in wf.get("sticky_notes", [])}
    done = []
    for m in moves:
        target = nodes.get(m.get("id", "")) or notes.get(m.get("id", ""))
        if target is None:
            continue
        target["position"] = [round(float(m["x"])), round(float(m["y"]))]
        done.append(m["id"])
    return done


def _reaches(wf: dict[str, Any], start: str, goal: str) -> bool:
    """True if node ``goal`` is downstream of ``start`` (names)."""
    children: dict[str, list[str]] = {}
    for c in wf["connections"]:
        children.setdefault(c["source"], []).append(c["target"])
    seen, stack = {start}, [start]
    while stack:
        cur = stack.pop()
        if cur == goal:
            return True
        for k in children.get(cur, ()):
            if k not in seen:
                seen.add(k)
                stack.append(k)
    return False


def check_connection(
    wf: dict[str, Any], source_id: str, output: str, target_id: str, input_: str
) -> str | None:
    """Why this connection cannot be made, or None if it can."""
    src, dst = node_by_id(wf, source_id), node_by_id(wf, target_id)
    if src is None or dst is None:
        return "Both ends of a connection must be nodes."
    if source_id == target_id:
        return f"'{src['name']}' cannot be connected to itself."
    outs = [p["name"] for p in output_ports(src)]
    if output not in outs:
        return f"'{src['name']}' has no output '{output}' (outputs: {', '.join(outs) or 'none'})."
    info = spec_dict(dst["type"], dst.get("type_version", 1))
    ins = [p["name"] for p in info["inputs"]]
    if not ins:
        return f"'{dst['name']}' is a trigger: it starts the workflow and takes no input."
    if input_ not in ins:
        return f"'{dst['name']}' has no input '{input_}' (inputs: {', '.join(ins)})."
    key = (src["name"], output, dst["name"], input_)
    if any(
        (c["source"], c.get("output", "main"), c["target"], c.get("input", "main")) == key
        for c in wf["connections"]
    ):
        return "These ports are already connected."
    if _reaches(wf, dst["name"], src["name"]):
        return (
            f"Connecting '{src['name']}' to '{dst['name']}' would make a loop; workflows "
            "run left to right without cycles."
        )
    return None


def connect(
    wf: dict[str, Any], source_id: str, output: str, target_id: str, input_: str
) -> str | None:
    """Adds a connection after :func:`check_connection`; returns the refusal, if any."""
    problem = check_connection(wf, source_id, output, target_id, input_)
    if problem:
        return problem
    src, dst = node_by_id(wf, source_id), node_by_id(wf, target_id)
    assert src is not None and dst is not None
    wf["connections"].append(
        {"source": src["name"], "output": output, "target": dst["name"], "input": input_}
    )
    return None


def disconnect(wf: dict[str, Any], edge_ids: list[str]) -> int:
    """Removes the connections behind these edge ids; returns how many went."""
    ids = {n["name"]: n["id"] for n in wf["nodes"]}
    wanted = set(edge_ids)
    before = len(wf["connections"])
    wf["connections"] = [
        c
        for c in wf["connections"]
        if edge_id(
            ids.get(c["source"], ""),
            c.get("output", "main"),
            ids.get(c["target"], ""),
            c.get("input", "main"),
        )
        not in wanted
    ]
    return before - len(wf["connections"])


def delete(wf: dict[str, Any], ids: list[str]) -> list[str]:
    """Deletes nodes (with their connections and pinned data) and sticky notes."""
    wanted = set(ids)
    gone = {n["name"] for n in wf["nodes"] if n["id"] in wanted}
    wf["nodes"] = [n for n in wf["nodes"] if n["id"] not in wanted]
    wf["connections"] = [
        c for c in wf["connections"] if c["source"] not in gone and c["target"] not in gone
    ]
    for name in gone:
        wf.get("pinned_data", {}).pop(name, None)
    notes = wf.get("sticky_notes", [])
    wf["sticky_notes"] = [s for s in notes if STICKY + s["id"] not in wanted]
    return sorted(gone)


_NAME_OK = re.compile(r'^[^"\n\r\t]+$')


def rename(wf: dict[str, Any], node_id: str, new: str) -> str | None:
    """Renames a node, rewriting connections, pinned data and ``$node("old")`` references."""
    node = node_by_id(wf, node_id)
    if node is None:
        return "That node no longer exists."
    new = new.strip()
    old = node["name"]
    if not new:
        return "A node needs a name."
    if len(new) > 128 or not _NAME_OK.match(new):
        return "Node names are at most 128 characters, without quotes, tabs or line breaks."
    if new == old:
        return None
    if new in _by_name(wf):
        return f"Another node is already named '{new}'."
    node["name"] = new
    for c in wf["connections"]:
        if c["source"] == old:
            c["source"] = new
        if c["target"] == old:
            c["target"] = new
    pins = wf.get("pinned_data", {})
    if old in pins:
        pins[new] = pins.pop(old)
    pattern = re.compile(r"""\$node\(\s*(['"])""" + re.escape(old) + r"""\1\s*\)""")
    for n in wf["nodes"]:
        n["parameters"] = _rewrite(n.get("parameters", {}), pattern, new)
    return None


def _rewrite(value: Any, pattern: re.Pattern[str], new: str) -> Any:
    if isinstance(value, str):
        return pattern.sub(lambda m: f"$node({m.group(1)}{new}{m.group(1)})", value)
    if isinstance(value, dict):
        return {k: _rewrite(v, pattern, new) for k, v in value.items()}
    if isinstance(value, list):
        return [_rewrite(v, pattern, new) for v in value]
    return value


def set_node_field(wf: dict[str, Any], node_id: str, field: str, value: Any) -> str | None:
    """Sets a node setting (``disabled``, ``notes``, ``on_error``...)."""
    node = node_by_id(wf, node_id)
    if node is None:
        return "That node no longer exists."
    if field not in {
        "disabled",
        "notes",
        "on_error",
        "execute_once",
        "always_output_data",
        "retry",
        "type_version",
        "credentials",
    }:
        return f"'{field}' is not a node setting."
    node[field] = value
    if field == "on_error" and value != "route":
        wf["connections"] = [
            c
            for c in wf["connections"]
            if not (c["source"] == node["name"] and c.get("output") == "error")
        ]
    return None


def add_sticky(wf: dict[str, Any], x: float, y: float, content: str = "") -> dict[str, Any]:
    note = {
        "id": _new_id(),
        "content": content or "## Note\nDouble-click to edit.",
        "position": [round(x), round(y)],
        "size": [260, 160],
        "color": "yellow",
    }
    wf.setdefault("sticky_notes", []).append(note)
    return note


def update_sticky(wf: dict[str, Any], flow_id: str, **fields: Any) -> dict[str, Any] | None:
    """Changes a sticky note's ``content``, ``color`` or ``size``."""
    for s in wf.get("sticky_notes", []):
        if STICKY + s["id"] == flow_id:
            for k, v in fields.items():
                if k in {"content", "color", "size"} and v is not None:
                    s[k] = v
            return s
    return None
