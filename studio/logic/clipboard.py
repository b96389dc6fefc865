"""Copy and paste: selected nodes as workflow JSON, and pasting such JSON back.

What is copied is a small workflow (``format``, ``nodes``, ``connections`` between the
copied nodes, their ``pinned_data`` and sticky notes), so it can be pasted into another
workflow, another browser, or a text file and imported.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from engine.errors import AuraError
from engine.graph import FORMAT, NodeDef, StickyNote
from engine.graph.io import parse_json
from studio.logic.canvas import STICKY, _new_id, unique_name

__all__ = ["fragment", "paste"]


def fragment(wf: dict[str, Any], ids: list[str]) -> dict[str, Any]:
    """The selected nodes (and sticky notes) as a workflow fragment."""
    wanted = set(ids)
    nodes = [copy.deepcopy(n) for n in wf["nodes"] if n["id"] in wanted]
    names = {n["name"] for n in nodes}
    return {
        "format": FORMAT,
        "nodes": nodes,
        "connections": [dict(c) for c in wf["connections"]
                        if c["source"] in names and c["target"] in names],
        "pinned_data": {k: v for k, v in wf.get("pinned_data", {}).items() if k in names},
        "sticky_notes": [dict(s) for s in wf.get("sticky_notes", [])
                         if STICKY + s["id"] in wanted],
    }


def _parse(text: str) -> dict[str, Any]:
    data = parse_json(text, what="pasted text")
    if isinstance(data, list):
        data = {"nodes": data}
    elif isinstance(data, dict) and "type" in data and "nodes" not in data:
        data = {"nodes": [data]}
    if not isinstance(data, dict) or not isinstance(data.get("nodes"), list):
        raise ValueError("The clipboard does not hold AURA nodes (copy nodes from a canvas, "
                         "or a workflow JSON file's text).")
    return data


def paste(wf: dict[str, Any], text: str, at: tuple[float, float] | None = None,
          offset: float = 40) -> tuple[list[str], str | None]:
    """Adds pasted nodes with new ids and unique names; returns (new canvas ids, problem).

    ``at`` puts the fragment's top-left corner there; otherwise it lands ``offset``
    pixels below-right of where it was copied from.
    """
    try:
        data = _parse(text)
        nodes = [NodeDef.model_validate(n).model_dump(mode="json") for n in data["nodes"]]
        notes = [StickyNote.model_validate(s).model_dump(mode="json")
                 for s in data.get("sticky_notes") or []]
    except (AuraError, ValueError) as exc:
        msg = getattr(exc, "message", None) or str(exc).splitlines()[0]
        return [], f"Nothing pasted: {msg}"
    if not nodes and not notes:
        return [], "Nothing pasted: the clipboard holds no nodes."
    xs = [n["position"][0] for n in nodes] + [s["position"][0] for s in notes]
    ys = [n["position"][1] for n in nodes] + [s["position"][1] for s in notes]
    dx, dy = (at[0] - min(xs), at[1] - min(ys)) if at else (offset, offset)
    taken = {n["name"] for n in wf["nodes"]}
    renamed: dict[str, str] = {}
    new_ids = []
    for n in nodes:
        new = unique_name(wf, n["name"], taken)
        taken.add(new)
        renamed[n["name"]] = new
        n.update(id=_new_id(), name=new,
                 position=[round(n["position"][0] + dx), round(n["position"][1] + dy)])
        wf["nodes"].append(n)
        new_ids.append(n["id"])
    for c in data.get("connections") or []:
        if not isinstance(c, dict):
            continue
        if c.get("source") in renamed and c.get("target") in renamed:
            wf["connections"].append({"source": renamed[c["source"]],
                                      "output": str(c.get("output") or "main"),
                                      "target": renamed[c["target"]],
                                      "input": str(c.get("input") or "main")})
    for name, items in (data.get("pinned_data") or {}).items():
        if name in renamed and isinstance(items, list):
            wf.setdefault("pinned_data", {})[renamed[name]] = items
    for s in notes:
        s.update(id=_new_id(),
                 position=[round(s["position"][0] + dx), round(s["position"][1] + dy)])
        wf.setdefault("sticky_notes", []).append(s)
        new_ids.append(STICKY + s["id"])
    return new_ids, None


def dumps(fragment_: dict[str, Any]) -> str:
    return json.dumps(fragment_, indent=2, ensure_ascii=False)
