"""Remove Duplicates: keeps the first item of each distinct value."""

from __future__ import annotations

import copy
import json
from typing import Any

from engine.sdk import Item, NodeContext, NodeExecutionError
from nodes.core.if_.paths import MISSING, del_path, get_path, set_path
from nodes.core.remove_duplicates.spec import RemoveDuplicatesParams

HISTORY_KEY = "remove_duplicates_seen"


def _key(v: Any) -> str:
    return json.dumps(v, sort_keys=True, ensure_ascii=False, default=str)


def _compared(item: Item, p: RemoveDuplicatesParams) -> Any:
    if p.compare == "all":
        return item.json
    if p.compare == "all_except":
        rest = copy.deepcopy(item.json)
        for f in p.fields:
            del_path(rest, f, p.dot_notation)
        return rest
    return [None if (v := get_path(item.json, f, p.dot_notation)) is MISSING else v
            for f in p.fields]


def current_input(items: list[Item], p: RemoveDuplicatesParams) -> list[Item]:
    seen: set[str] = set()
    out = []
    for i, it in enumerate(items):
        k = _key(_compared(it, p))
        if k in seen:
            continue
        seen.add(k)
        if p.compare == "selected" and p.remove_other_fields:
            row: dict[str, Any] = {}
            for f in p.fields:
                v = get_path(it.json, f, p.dot_notation)
                if v is not MISSING:
                    set_path(row, f, v, p.dot_notation)
            out.append(it.derive(row, index=i))
        else:
            out.append(it.derive(index=i))
    return out


def previous_executions(ctx: NodeContext, items: list[Item], size: int) -> list[Item]:
    """Items whose dedupe value is new; remembers values in the node's static data."""
    history: list[str] = list(ctx.static_data.get(HISTORY_KEY, []))
    known = set(history)
    out = []
    for i, it in enumerate(items):
        p = ctx.params(i)
        assert isinstance(p, RemoveDuplicatesParams)
        if p.dedupe_value is None:
            raise NodeExecutionError(
                f"Item {i}: the value to dedupe on is empty. Set 'dedupe value' to an "
                "expression that identifies the item, such as {{ $json.id }}.",
                details={"item_index": i})
        k = _key(p.dedupe_value)
        if k in known:
            continue
        known.add(k)
        history.append(k)
        out.append(it.derive(index=i))
    ctx.static_data[HISTORY_KEY] = history[-size:]
    return out


def execute(ctx: NodeContext) -> list[Item]:
    """Removes duplicates according to the operation; logs how many were removed."""
    items = ctx.input("main")
    p = ctx.params(0)
    assert isinstance(p, RemoveDuplicatesParams)
    if p.operation == "clear_history":
        ctx.static_data.pop(HISTORY_KEY, None)
        ctx.log.info("Forgot the values seen in previous executions")
        return [it.derive(index=i) for i, it in enumerate(items)]
    if not items:
        return []
    out = current_input(items, p) if p.operation == "current_input" else previous_executions(
        ctx, items, p.history_size)
    if len(out) < len(items):
        ctx.log.info("Removed %d duplicate item(s)", len(items) - len(out))
    return out
