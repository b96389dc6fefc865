"""Field paths shared by the data nodes: ``user.address.city``, ``items[0].sku``, ``items.0``.

With dot notation off, the path is one literal key (``"a.b"`` is the key ``a.b``). A key
that exists literally (``{"a.b": 1}``) is found even with dot notation on.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["MISSING", "del_path", "get_path", "has_path", "parse_fields", "set_path",
           "split_path"]

MISSING: Any = object()
_INDEX = re.compile(r"\[(\d+)\]")


def split_path(path: str, dotted: bool = True) -> list[str]:
    """``"a.b[0].c"`` -> ``["a", "b", "0", "c"]`` (or ``[path]`` without dot notation)."""
    if not dotted:
        return [path]
    return [p for p in _INDEX.sub(r".\1", path).split(".") if p != ""] or [path]


def get_path(obj: Any, path: str, dotted: bool = True) -> Any:
    """The value at ``path`` in ``obj``, or :data:`MISSING`."""
    if isinstance(obj, dict) and path in obj:
        return obj[path]
    cur = obj
    for part in split_path(path, dotted):
        if isinstance(cur, dict) and part in cur:
            cur = cur[part]
        elif isinstance(cur, list) and part.lstrip("-").isdigit() and -len(cur) <= int(
                part) < len(cur):
            cur = cur[int(part)]
        else:
            return MISSING
    return cur


def has_path(obj: Any, path: str, dotted: bool = True) -> bool:
    return get_path(obj, path, dotted) is not MISSING


def set_path(obj: dict[str, Any], path: str, value: Any, dotted: bool = True) -> None:
    """Sets ``path`` in ``obj``, creating intermediate objects (and replacing non-objects)."""
    parts = split_path(path, dotted)
    cur: Any = obj
    for part in parts[:-1]:
        if isinstance(cur, list) and part.isdigit() and int(part) < len(cur):
            nxt = cur[int(part)]
            if not isinstance(nxt, dict | list):
                nxt = cur[int(part)] = {}
        else:
            nxt = cur.get(part)
            if not isinstance(nxt, dict | list):
                nxt = cur[part] = {}
        cur = nxt
    last = parts[-1]
    if isinstance(cur, list) and last.isdigit() and int(last) < len(cur):
        cur[int(last)] = value
    elif isinstance(cur, dict):
        cur[last] = value


def del_path(obj: dict[str, Any], path: str, dotted: bool = True) -> Any:
    """Removes ``path`` from ``obj``; returns the removed value or :data:`MISSING`.

    Parent objects left empty are kept (like n8n).
    """
    if path in obj:
        return obj.pop(path)
    parts = split_path(path, dotted)
    parent = get_path(obj, ".".join(parts[:-1]), dotted) if len(parts) > 1 else obj
    if isinstance(parent, dict) and parts[-1] in parent:
        return parent.pop(parts[-1])
    return MISSING


def parse_fields(value: str | list[str] | None) -> list[str]:
    """A list of field names from a list or comma-separated text; blanks dropped."""
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else value
    return [str(f).strip() for f in items if str(f).strip()]
