"""What changed between two versions of a workflow, in words a person can read."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["diff"]

_SKIP = {"position"}


def _short(v: Any) -> str:
    text = json.dumps(v, ensure_ascii=False, default=str)
    return text if len(text) <= 80 else text[:79] + "…"


def _walk(a: Any, b: Any, path: str, out: list[str]) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        for k in list(dict.fromkeys([*a, *b])):
            if k in _SKIP and not path:
                continue
            p = f"{path}.{k}" if path else str(k)
            if k not in a:
                out.append(f"{p}: set to {_short(b[k])}")
            elif k not in b:
                out.append(f"{p}: removed (was {_short(a[k])})")
            else:
                _walk(a[k], b[k], p, out)
    elif a != b:
        out.append(f"{path}: {_short(a)} → {_short(b)}")


def diff(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, str]]:
    """``[{kind, what, detail}]`` from ``old`` to ``new`` (kind: added, removed, changed,
    moved)."""
    out: list[dict[str, str]] = []
    if old.get("name") != new.get("name"):
        out.append({"kind": "changed", "what": "Name",
                    "detail": f"{old.get('name')} → {new.get('name')}"})
    a = {n["id"]: n for n in old.get("nodes", [])}
    b = {n["id"]: n for n in new.get("nodes", [])}
    for nid, n in b.items():
        if nid not in a:
            out.append({"kind": "added", "what": f"Node '{n['name']}'", "detail": n["type"]})
    for nid, n in a.items():
        if nid not in b:
            out.append({"kind": "removed", "what": f"Node '{n['name']}'", "detail": n["type"]})
    for nid in a.keys() & b.keys():
        changes: list[str] = []
        if a[nid]["name"] != b[nid]["name"]:
            changes.append(f"renamed from '{a[nid]['name']}'")
        _walk({k: v for k, v in a[nid].items() if k != "name"},
              {k: v for k, v in b[nid].items() if k != "name"}, "", changes)
        if changes:
            out.append({"kind": "changed", "what": f"Node '{b[nid]['name']}'",
                        "detail": "; ".join(changes)})
        elif a[nid].get("position") != b[nid].get("position"):
            out.append({"kind": "moved", "what": f"Node '{b[nid]['name']}'", "detail": ""})

    def conns(d: dict[str, Any]) -> set[str]:
        return {f"{c['source']}.{c.get('output', 'main')} → {c['target']}."
                f"{c.get('input', 'main')}" for c in d.get("connections", [])}

    for c in sorted(conns(new) - conns(old)):
        out.append({"kind": "added", "what": "Connection", "detail": c})
    for c in sorted(conns(old) - conns(new)):
        out.append({"kind": "removed", "what": "Connection", "detail": c})
    for key, label in (("settings", "Settings"), ("pinned_data", "Pinned data"),
                       ("sticky_notes", "Sticky notes"), ("tags", "Tags"),
                       ("description", "Description")):
        changes = []
        _walk(old.get(key), new.get(key), "", changes)
        if changes:
            out.append({"kind": "changed", "what": label, "detail": "; ".join(changes[:5])})
    return out
