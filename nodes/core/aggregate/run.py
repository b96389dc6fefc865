"""Aggregate: many items in, one item out (or one per group when summarizing)."""

from __future__ import annotations

import copy
from typing import Any

from engine.sdk import Binary, Item, NodeContext, PairedItem
from nodes.core.aggregate._summarize import summarize
from nodes.core.aggregate.spec import AggregateParams
from nodes.core.if_.paths import MISSING, del_path, get_path, set_path


def _binaries(items: list[Item]) -> dict[str, Binary] | None:
    out: dict[str, Binary] = {}
    for it in items:
        for name, b in (it.binary or {}).items():
            key, n = name, 0
            while key in out:
                n += 1
                key = f"{name}_{n}"
            out[key] = b
    return out or None


def individual_fields(items: list[Item], p: AggregateParams) -> dict[str, Any]:
    """One list per field, with the items' values in order."""
    row: dict[str, Any] = {}
    for f in p.fields:
        values: list[Any] = []
        for it in items:
            v = get_path(it.json, f.field, p.dot_notation)
            if v is MISSING or v is None:
                if p.keep_missing:
                    values.append(None)
                continue
            if p.merge_lists and isinstance(v, list):
                values.extend(v)
            else:
                values.append(v)
        set_path(row, f.rename.strip() or f.field, values, p.dot_notation)
    return row


def all_item_data(items: list[Item], p: AggregateParams) -> dict[str, Any]:
    """Every item's JSON (all fields, selected ones, or all but some) in one list."""
    data = []
    for it in items:
        if p.include == "all":
            data.append(it.json)
        elif p.include == "selected":
            sel: dict[str, Any] = {}
            for name in p.include_fields:
                v = get_path(it.json, name, p.dot_notation)
                if v is not MISSING:
                    set_path(sel, name, v, p.dot_notation)
            data.append(sel)
        else:
            rest = copy.deepcopy(it.json)
            for name in p.include_fields:
                del_path(rest, name, p.dot_notation)
            data.append(rest)
    return {p.destination_field: data}


def execute(ctx: NodeContext) -> list[Item]:
    """Aggregates the main input; no input items means no output item."""
    items = ctx.input("main")
    if not items:
        return []
    p = ctx.params(0)
    assert isinstance(p, AggregateParams)
    if p.mode == "summarize":
        return summarize(items, p)
    row = individual_fields(items, p) if p.mode == "individual_fields" else all_item_data(
        items, p)
    return [Item(json=row, binary=_binaries(items) if p.include_binaries else None,
                 paired_item=[PairedItem(i) for i in range(len(items))])]
