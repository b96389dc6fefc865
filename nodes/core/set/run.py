"""Set: applies assignments to each item, keeping or dropping other fields."""

from __future__ import annotations

import copy
import json
from typing import Any

from engine.sdk import Item, NodeContext, NodeExecutionError
from nodes.core.set.spec import SetParams


def _convert(value: Any, kind: str, name: str) -> Any:
    if kind == "auto" or value is None:
        return value
    try:
        if kind == "string":
            return value if isinstance(value, str) else json.dumps(value) if isinstance(
                value, dict | list) else str(value)
        if kind == "number":
            f = float(value)
            return int(f) if f.is_integer() and not isinstance(value, float) else f
        if kind == "boolean":
            if isinstance(value, str):
                low = value.strip().lower()
                if low in ("true", "1", "yes", "on"):
                    return True
                if low in ("false", "0", "no", "off", ""):
                    return False
                raise ValueError(value)
            return bool(value)
        if kind in ("array", "object"):
            v = json.loads(value) if isinstance(value, str) else value
            if kind == "array" and not isinstance(v, list):
                raise ValueError(value)
            if kind == "object" and not isinstance(v, dict):
                raise ValueError(value)
            return v
    except (ValueError, TypeError):
        raise NodeExecutionError(
            f"Field '{name}': cannot convert {value!r} to {kind}. Change the field's type to "
            "'auto' or fix the value.") from None
    return value


def set_path(obj: dict[str, Any], path: str, value: Any, dotted: bool) -> None:
    """Sets ``path`` in ``obj``, copying the nested dicts it walks through (copy on write),
    so input items shared with other branches are never changed."""
    parts = path.split(".") if dotted else [path]
    cur = obj
    for p in parts[:-1]:
        nxt = cur.get(p)
        nxt = dict(nxt) if isinstance(nxt, dict) else {}
        cur[p] = nxt
        cur = nxt
    cur[parts[-1]] = value


def get_path(obj: dict[str, Any], path: str, dotted: bool) -> tuple[bool, Any]:
    parts = path.split(".") if dotted else [path]
    cur: Any = obj
    for p in parts:
        if not isinstance(cur, dict) or p not in cur:
            return False, None
        cur = cur[p]
    return True, cur


def execute(ctx: NodeContext) -> dict[str, list[Item]]:
    def one(item: Item, i: int) -> Item:
        p = ctx.params(i)
        assert isinstance(p, SetParams)
        if p.keep == "all":
            out = dict(item.json)
        elif p.keep == "none":
            out = {}
        elif p.keep == "selected":
            out = {}
            for f in p.fields:
                found, v = get_path(item.json, f, p.dot_notation)
                if found:
                    set_path(out, f, copy.deepcopy(v), p.dot_notation)
        else:
            out = dict(item.json)
            for f in p.fields:
                _drop(out, f, p.dot_notation)
        if p.mode == "json":
            value = p.json_value
            if isinstance(value, str):
                try:
                    value = json.loads(value)
                except ValueError as exc:
                    raise NodeExecutionError(f"'JSON' is not valid JSON: {exc}") from None
            if not isinstance(value, dict):
                raise NodeExecutionError("'JSON' must be an object like {\"key\": \"value\"}.")
            for k, v in value.items():
                set_path(out, k, v, p.dot_notation)
        else:
            for a in p.assignments:
                set_path(out, a.name, _convert(a.value, a.type, a.name), p.dot_notation)
        return Item(json=out, binary=item.binary if p.include_binary else None)

    return ctx.map(one)


def _drop(obj: dict[str, Any], path: str, dotted: bool) -> None:
    parts = path.split(".") if dotted else [path]
    cur: Any = obj
    for p in parts[:-1]:
        if not isinstance(cur, dict) or not isinstance(cur.get(p), dict):
            return
        cur[p] = dict(cur[p])  # copy on write
        cur = cur[p]
    if isinstance(cur, dict):
        cur.pop(parts[-1], None)
