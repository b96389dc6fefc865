"""Views of a node's items for the data panels: table, JSON and schema.

Items are ``{"json": {...}, "binary": {...}, "paired_item": [...]}`` dicts. The table has
one column per top-level key (nested values shown as compact JSON); the schema lists
every field path with its type and a sample value, so expressions can be written from it.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["as_json", "schema", "table"]

MAX_ROWS = 100
MAX_COLS = 30
MAX_CELL = 120


def _cell(v: Any) -> str:
    if isinstance(v, str):
        text = v
    elif v is None:
        text = "null"
    else:
        text = json.dumps(v, ensure_ascii=False, default=str)
    return text if len(text) <= MAX_CELL else text[:MAX_CELL - 1] + "…"


def table(items: list[dict[str, Any]]) -> tuple[list[str], list[list[str]]]:
    """(columns, rows of cell texts) of the items' JSON."""
    cols: list[str] = []
    for it in items[:MAX_ROWS]:
        for k in (it.get("json") or {}):
            if k not in cols and len(cols) < MAX_COLS:
                cols.append(k)
    rows = []
    for it in items[:MAX_ROWS]:
        data = it.get("json") or {}
        row = [_cell(data[c]) if c in data else "" for c in cols]
        if it.get("binary"):
            row.append(", ".join(f"{k} ({b.get('mime_type', '')})"
                                 for k, b in it["binary"].items()))
        rows.append(row)
    if any(it.get("binary") for it in items[:MAX_ROWS]):
        cols = [*cols, "binary"]
        rows = [r + [""] * (len(cols) - len(r)) for r in rows]
    return cols, rows


def as_json(items: list[dict[str, Any]]) -> str:
    """The items' JSON (what expressions see as ``$json``), pretty-printed."""
    return json.dumps([it.get("json", {}) for it in items[:MAX_ROWS]], indent=2,
                      ensure_ascii=False, default=str)


def _type(v: Any) -> str:
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int | float):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    if isinstance(v, dict):
        return "object"
    return "null"


def schema(items: list[dict[str, Any]], max_depth: int = 4) -> list[dict[str, str]]:
    """``[{path, type, sample, expression}]`` of every field seen in the items."""
    seen: dict[str, dict[str, str]] = {}

    def walk(prefix: str, expr: str, v: Any, depth: int) -> None:
        t = _type(v)
        if prefix and prefix not in seen:
            seen[prefix] = {"path": prefix, "type": t, "expression": f"{{{{ {expr} }}}}",
                            "sample": "" if t in ("object", "array") else _cell(v),
                            "depth": str(prefix.count(".") + prefix.count("["))}
        if depth >= max_depth:
            return
        if isinstance(v, dict):
            for k, sub in v.items():
                ok = k.isidentifier()
                walk(f"{prefix}.{k}" if prefix else k,
                     f"{expr}.{k}" if ok else f"{expr}[{json.dumps(k)}]", sub, depth + 1)
        elif isinstance(v, list) and v:
            walk(f"{prefix}[0]", f"{expr}[0]", v[0], depth + 1)

    for it in items[:20]:
        walk("", "$json", it.get("json") or {}, 0)
    return list(seen.values())
