"""Batch: the items' indexes grouped into batches, sent as one item per batch or tagged."""

from __future__ import annotations

import copy
import json
from typing import Any

from engine.sdk import Item, NodeContext, PairedItem
from nodes.core.batch.spec import BatchParams
from nodes.core.if_.paths import MISSING, get_path, set_path


def _ends(item: Item, p: BatchParams) -> bool:
    return bool(p.end_field.strip()) and get_path(item.json, p.end_field) is not MISSING


def by_count(items: list[Item], p: BatchParams) -> list[list[int]]:
    """Batches of ``size`` indexes; the last ``overlap`` of one batch start the next."""
    out: list[list[int]] = []
    cur: list[int] = []
    fresh = 0  # items in ``cur`` not sent yet
    for i, item in enumerate(items):
        cur.append(i)
        fresh += 1
        ends = _ends(item, p)
        if not ends and (not p.size or len(cur) < p.size):
            continue
        out.append(list(cur))
        fresh = 0
        if p.accumulate:
            continue
        carried = 0 if ends or not p.size else p.overlap
        cur = cur[len(cur) - carried :] if carried else []
    if fresh and p.partial == "send":
        out.append(cur)
    return out


def by_field(items: list[Item], p: BatchParams) -> list[list[int]]:
    """One batch per value of ``field``, in the order the values first appear; an item
    with ``end_field`` closes its batch (the next one with that value opens a new one)."""
    open_: dict[str, list[int]] = {}
    out: list[list[int]] = []
    for i, item in enumerate(items):
        value = get_path(item.json, p.field)
        key = "" if value is MISSING else json.dumps(value, sort_keys=True, default=str)
        if key not in open_:
            open_[key] = []
            out.append(open_[key])
        open_[key].append(i)
        if _ends(item, p):
            del open_[key]
    return out


def execute(ctx: NodeContext) -> list[Item]:
    """Groups the main input's items; no items in, no items out."""
    items = ctx.input("main")
    p = ctx.params(0)
    assert isinstance(p, BatchParams)
    batches = by_count(items, p) if p.mode == "count" else by_field(items, p)
    ctx.log.info("Batch made %d batches of %d items", len(batches), len(items))
    if p.output == "batches":
        out = []
        for b in batches:
            row: dict[str, Any] = {}
            set_path(row, p.destination_field, [copy.deepcopy(items[i].json) for i in b])
            out.append(Item(json=row, paired_item=[PairedItem(i) for i in b]))
        return out
    tagged = []
    for n, b in enumerate(batches):
        for k, i in enumerate(b):
            data = copy.deepcopy(items[i].json)
            set_path(data, p.destination_field, {"id": n, "index": k, "count": len(b)})
            tagged.append(items[i].derive(data, index=i))
    return tagged
