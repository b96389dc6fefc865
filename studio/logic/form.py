"""The parameter form: field descriptors of a node type (derived once, for the editor and
the save checks alike, by :mod:`engine.sdk.fields`) and value edits by path;
:mod:`.form_rules` applies the spec's rules (``show``/``hide``, ``options_by``) to values.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from engine.sdk.fields import describe_schema, fields_of
from studio.logic.specs import spec_or_none

__all__ = [
    "default_item",
    "describe",
    "describe_schema",
    "get_path",
    "parse_path",
    "remove_path",
    "set_path",
]


def describe(type_: str, version: int | None = None) -> list[dict[str, Any]]:
    """Field descriptors of a node type's parameters, in declaration order."""
    spec = spec_or_none(type_, version)
    if spec is None:
        return []
    schema = spec.params_schema()
    return fields_of(schema, schema.get("$defs", {}))


def default_item(fields: list[dict[str, Any]]) -> dict[str, Any]:
    """A new collection entry: each sub-field's default (or an empty value)."""
    empty = {
        "boolean": False,
        "number": 0,
        "collection": [],
        "key_value": [],
        "list": [],
        "json": {},
    }
    return {
        f["key"]: copy.deepcopy(f["default"])
        if f["default"] is not None
        else copy.deepcopy(empty.get(f["kind"], ""))
        for f in fields
    }


# -- values by path ------------------------------------------------------------------------
def parse_path(path: str) -> list[str | int]:
    """``"rules.0.conditions.1.left"`` -> ``["rules", 0, "conditions", 1, "left"]``."""
    return [int(p) if re.fullmatch(r"\d+", p) else p for p in path.split(".") if p != ""]


def get_path(data: Any, path: str, default: Any = None) -> Any:
    cur = data
    for part in parse_path(path):
        try:
            cur = cur[part]
        except (KeyError, IndexError, TypeError):
            return default
    return cur


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    """Sets ``value`` at ``path``, creating dicts and growing lists on the way."""
    parts = parse_path(path)
    cur: Any = data
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        nxt: Any = [] if not last and isinstance(parts[i + 1], int) else {}
        if isinstance(part, int):
            while len(cur) <= part:
                cur.append(copy.deepcopy(nxt) if not last else None)
            if last:
                cur[part] = value
            else:
                if not isinstance(cur[part], (dict, list)):
                    cur[part] = nxt
                cur = cur[part]
        else:
            if last:
                cur[part] = value
            else:
                if not isinstance(cur.get(part), (dict, list)):
                    cur[part] = nxt
                cur = cur[part]


def remove_path(data: dict[str, Any], path: str) -> None:
    """Deletes the list entry or key at ``path`` (no error if missing)."""
    parts = parse_path(path)
    parent = get_path(data, ".".join(map(str, parts[:-1]))) if len(parts) > 1 else data
    last = parts[-1]
    try:
        if isinstance(parent, list) and isinstance(last, int):
            parent.pop(last)
        elif isinstance(parent, dict):
            parent.pop(last, None)
    except IndexError:
        pass


def move_item(data: dict[str, Any], path: str, delta: int) -> None:
    """Moves the list entry at ``path`` up (-1) or down (+1)."""
    parts = parse_path(path)
    parent = get_path(data, ".".join(map(str, parts[:-1])))
    i = parts[-1]
    if isinstance(parent, list) and isinstance(i, int) and 0 <= i + delta < len(parent):
        parent[i], parent[i + delta] = parent[i + delta], parent[i]


def coerce(kind: str, text: Any, integer: bool = False) -> Any:
    """The stored value for what a widget sent (expressions stay text)."""
    if isinstance(text, str) and "{{" in text:
        return text
    if kind == "number":
        if text in ("", None):
            return None
        try:
            num = float(text)
        except (TypeError, ValueError):
            return text  # shown as an inline error by validation
        return int(num) if num.is_integer() else num
    if kind == "any" and isinstance(text, str):
        try:
            val = json.loads(text)
        except ValueError:
            return text
        return val if isinstance(val, (int, float)) and not isinstance(val, bool) else text
    if kind == "json" and isinstance(text, str):
        try:
            return json.loads(text) if text.strip() else {}
        except ValueError:
            return text  # kept as text; validation explains what is wrong
    if kind == "list" and isinstance(text, str):
        return [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]
    return text
