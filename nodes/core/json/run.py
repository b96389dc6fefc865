"""JSON: parse or stringify a field of each item."""

from __future__ import annotations

import copy
import json
from typing import Any

from engine.sdk import Item, NodeContext, NodeExecutionError
from nodes.core.json.spec import JsonParams

_MISSING = object()


def get_field(obj: dict[str, Any], path: str) -> Any:
    """The value at ``path`` (an exact key first, then dotted segments), or ``_MISSING``."""
    if path in obj:
        return obj[path]
    cur: Any = obj
    for part in path.split("."):
        if isinstance(cur, dict) and part in cur:
            cur = cur[part]
        elif isinstance(cur, list) and part.isdigit() and int(part) < len(cur):
            cur = cur[int(part)]
        else:
            return _MISSING
    return cur


def set_field(obj: dict[str, Any], path: str, value: Any) -> None:
    """Sets ``path`` (dotted for nested objects unless the exact key exists)."""
    if path in obj or "." not in path:
        obj[path] = value
        return
    parts = path.split(".")
    cur = obj
    for part in parts[:-1]:
        nxt = cur.get(part)
        if not isinstance(nxt, dict):
            nxt = {}
            cur[part] = nxt
        cur = nxt
    cur[parts[-1]] = value


def del_field(obj: dict[str, Any], path: str) -> None:
    if path in obj:
        del obj[path]
        return
    parts = path.split(".")
    cur: Any = obj
    for part in parts[:-1]:
        if not isinstance(cur, dict) or part not in cur:
            return
        cur = cur[part]
    if isinstance(cur, dict):
        cur.pop(parts[-1], None)


def _copy(obj: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(obj)


def source_value(item: Item, field: str, i: int) -> Any:
    """What to convert: the whole item when ``field`` is empty, else the field's value
    (a missing field is the user's error)."""
    value = item.json if not field else get_field(item.json, field)
    if value is _MISSING:
        raise NodeExecutionError(
            f"Item {i} has no field '{field}'. Check 'Field' (leave it "
            "empty to convert the whole item)."
        )
    return value


def write_field(
    item: Item,
    i: int,
    field: str,
    output_field: str,
    default: str,
    value: Any,
    *,
    keep_source: bool = False,
) -> Item:
    """A copy of ``item`` with ``value`` at ``output_field`` (else ``field``, else
    ``default``); the converted ``field`` goes unless ``keep_source`` or it is the target."""
    out = _copy(item.json)
    target = output_field or field or default
    if field and not keep_source and target != field:
        del_field(out, field)
    set_field(out, target, value)
    return item.derive(out, index=i)


def _parse(p: JsonParams, item: Item, i: int) -> Item | list[Item] | None:
    raw = get_field(item.json, p.field)
    if raw is _MISSING:
        if p.ignore_missing:
            return item.derive(index=i)
        have = ", ".join(list(item.json)[:10]) or "no fields"
        raise NodeExecutionError(
            f"Item {i} has no field '{p.field}' (it has: {have}). Check 'Field', or turn on "
            "'Ignore missing'."
        )
    value: Any
    if isinstance(raw, bytes | bytearray):
        raw = raw.decode("utf-8", errors="replace")
    if not isinstance(raw, str):
        value = raw  # already data (e.g. parsed upstream): use as is
    elif not raw.strip():
        if p.empty_value == "skip":
            return item.derive(index=i)
        if p.empty_value == "error":
            raise NodeExecutionError(
                f"Item {i}: field '{p.field}' is empty, not JSON. Set 'Empty value' to "
                "'null' or 'skip' if empty text is expected."
            )
        value = None
    else:
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as exc:
            start = max(0, exc.pos - 20)
            near = raw[start : exc.pos + 20].replace("\n", "\\n")
            raise NodeExecutionError(
                f"Item {i}: field '{p.field}' is not valid JSON: {exc.msg} at line "
                f"{exc.lineno} column {exc.colno} (near {near!r}).",
                details={"item_index": i, "field": p.field, "position": exc.pos},
            ) from None
    return _place(p, item, i, value)


def _place(p: JsonParams, item: Item, i: int, value: Any) -> Item | list[Item]:
    out_field = p.output_field or p.field
    if p.destination == "split":
        if not isinstance(value, list):
            raise NodeExecutionError(
                f"Item {i}: field '{p.field}' holds {type(value).__name__}, not a list, so "
                "it cannot be split. Use destination 'field' or 'merge' instead."
            )
        return [Item(json=v if isinstance(v, dict) else {out_field: v}) for v in value]
    if p.destination in ("merge", "replace"):
        if not isinstance(value, dict):
            raise NodeExecutionError(
                f"Item {i}: field '{p.field}' holds {type(value).__name__}, not an object, "
                f"so it cannot {p.destination} the item. Use destination 'field' (or "
                "'split' for lists)."
            )
        if p.destination == "replace":
            return item.derive(value, index=i)
        base = _copy(item.json)
        if not p.keep_source:
            del_field(base, p.field)
        return item.derive({**base, **value}, index=i)
    base = _copy(item.json)
    if not p.keep_source and out_field != p.field:
        del_field(base, p.field)
    set_field(base, out_field, value)
    return item.derive(base, index=i)


def _stringify(p: JsonParams, item: Item, i: int) -> Item:
    if p.field:
        value = get_field(item.json, p.field)
        if value is _MISSING:
            if p.ignore_missing:
                return item.derive(index=i)
            raise NodeExecutionError(
                f"Item {i} has no field '{p.field}'. Check 'Field' (leave it empty to "
                "convert the whole item), or turn on 'Ignore missing'."
            )
    else:
        value = item.json
    text = json.dumps(
        value,
        indent=p.indent if p.pretty else None,
        separators=None if p.pretty else (",", ":"),
        sort_keys=p.sort_keys,
        ensure_ascii=p.ascii_only,
        default=str,
    )
    return write_field(item, i, p.field, p.output_field, "json", text, keep_source=p.keep_source)


def execute(ctx: NodeContext) -> dict[str, list[Item]]:
    """Parses or stringifies the chosen field of every item."""

    def one(item: Item, i: int) -> Item | list[Item] | None:
        p = ctx.params(i)
        assert isinstance(p, JsonParams)
        return _parse(p, item, i) if p.operation == "parse" else _stringify(p, item, i)

    return ctx.map(one)
