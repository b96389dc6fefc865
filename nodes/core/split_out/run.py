"""Split Out: one output item per element of a list field (or of several, side by side)."""

from __future__ import annotations

import copy
from typing import Any

from engine.sdk import Item, NodeContext, NodeExecutionError
from nodes.core.if_.paths import MISSING, del_path, get_path, set_path
from nodes.core.split_out.spec import SplitOutParams


def _as_list(v: Any) -> list[Any]:
    """Lists as they are; an object splits into its values; a scalar is one element."""
    if isinstance(v, list):
        return v
    if isinstance(v, dict):
        return list(v.values())
    return [v]


def split_item(item: Item, i: int, p: SplitOutParams) -> list[Item]:
    lists: list[list[Any]] = []
    for f in p.field:
        v = get_path(item.json, f, p.dot_notation)
        if v is MISSING:
            if p.missing == "skip":
                return []
            raise NodeExecutionError(
                f"Item {i} has no field '{f}' to split. Check the field name (fields: "
                f"{', '.join(list(item.json)[:10]) or 'none'}), or set 'missing' to 'skip'.",
                details={"item_index": i, "field": f})
        lists.append(_as_list(v))
    if p.include == "all":
        base = copy.deepcopy(item.json)
        for f in p.field:
            del_path(base, f, p.dot_notation)
    elif p.include == "selected":
        base = {}
        for name in p.include_fields:
            v = get_path(item.json, name, p.dot_notation)
            if v is not MISSING:
                set_path(base, name, copy.deepcopy(v), p.dot_notation)
    else:
        base = {}
    out = []
    for k in range(max(len(x) for x in lists)):
        new = copy.deepcopy(base)
        for n, (f, values) in enumerate(zip(p.field, lists, strict=True)):
            if k >= len(values):
                continue
            element = copy.deepcopy(values[k])
            dest = p.destination[n] if n < len(p.destination) else ""
            if dest:
                set_path(new, dest, element, p.dot_notation)
            elif isinstance(element, dict):
                new.update(element)
            else:
                set_path(new, f, element, p.dot_notation)
        out.append(Item(json=new, binary=item.binary if p.include_binary else None))
    return out


def execute(ctx: NodeContext) -> dict[str, list[Item]]:
    """Splits each main input item; lineage points at the item split."""
    if not ctx.input("main"):
        return {"main": []}
    p = ctx.params(0)
    assert isinstance(p, SplitOutParams)
    return ctx.map(lambda item, i: split_item(item, i, p))
