"""Merge: runs once both branches are done (an input with no data is an empty list)."""

from __future__ import annotations

import json
from typing import Any

from engine.sdk import Item, NodeContext, PairedItem
from nodes.core.if_.paths import MISSING, get_path
from nodes.core.merge._combine import copy_item, merge_items
from nodes.core.merge.spec import MergeParams


def _norm(v: Any, fuzzy: bool) -> str:
    """A hashable form of a match value; fuzzy ignores type, case and outer spaces."""
    if fuzzy and not isinstance(v, dict | list):
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        return str(v).strip().casefold()
    return json.dumps(v, sort_keys=True, ensure_ascii=False, default=str)


def _key(item: Item, p: MergeParams, side: int) -> tuple[str, ...] | None:
    """The match key of an item; None when a match field is missing or null."""
    vals = []
    for mf in p.match_fields:
        v = get_path(item.json, mf.field1 if side == 0 else mf.field2, p.dot_notation)
        if v is MISSING or v is None:
            return None
        vals.append(_norm(v, p.fuzzy_compare))
    return tuple(vals)


def _index(items: list[Item], p: MergeParams, side: int) -> dict[tuple[str, ...], list[int]]:
    idx: dict[tuple[str, ...], list[int]] = {}
    for n, item in enumerate(items):
        k = _key(item, p, side)
        if k is not None:
            idx.setdefault(k, []).append(n)
    return idx


def _matches(idx: dict[tuple[str, ...], list[int]], item: Item, p: MergeParams,
             side: int) -> list[int]:
    k = _key(item, p, side)
    found = idx.get(k, []) if k is not None else []
    return found[:1] if p.multiple_matches == "first" else found


def combine_by_fields(in1: list[Item], in2: list[Item], p: MergeParams) -> list[Item]:
    """SQL-like joins of input 1 and input 2 on the match fields."""
    out: list[Item] = []
    if p.join == "right":
        idx1 = _index(in1, p, 0)
        for j, b in enumerate(in2):
            ms = _matches(idx1, b, p, 1)
            out.extend(merge_items(in1[i], i, b, j, p) for i in ms)
            if not ms:
                out.append(copy_item(b, j, 1))
        return out
    idx2 = _index(in2, p, 1)
    matched2: dict[int, None] = {}
    unmatched1: list[int] = []
    for i, a in enumerate(in1):
        ms = _matches(idx2, a, p, 0)
        matched2.update(dict.fromkeys(ms))
        if not ms:
            unmatched1.append(i)
            if p.join in ("left", "outer"):
                out.append(copy_item(a, i, 0))
        elif p.join == "inner" and p.output_data_from == "input1":
            out.append(copy_item(a, i, 0))
        elif p.join != "keep_non_matches" and not (
                p.join == "inner" and p.output_data_from == "input2"):
            out.extend(merge_items(a, i, in2[j], j, p) for j in ms)
    if p.join == "inner" and p.output_data_from == "input2":
        out.extend(copy_item(in2[j], j, 1) for j in sorted(matched2))
    elif p.join == "outer":
        out.extend(copy_item(b, j, 1) for j, b in enumerate(in2) if j not in matched2)
    elif p.join == "keep_non_matches":
        if p.output_data_from in ("both", "input1"):
            out.extend(copy_item(in1[i], i, 0) for i in unmatched1)
        if p.output_data_from in ("both", "input2"):
            out.extend(copy_item(b, j, 1) for j, b in enumerate(in2) if j not in matched2)
    return out


def combine_by_position(in1: list[Item], in2: list[Item], p: MergeParams) -> list[Item]:
    out = [merge_items(a, k, b, k, p) for k, (a, b) in enumerate(zip(in1, in2, strict=False))]
    if p.include_unpaired:
        n = min(len(in1), len(in2))
        out.extend(copy_item(a, k, 0) for k, a in enumerate(in1) if k >= n)
        out.extend(copy_item(b, k, 1) for k, b in enumerate(in2) if k >= n)
    return out


def execute(ctx: NodeContext) -> list[Item]:
    """Combines ``input1`` and ``input2`` according to the mode."""
    in1, in2 = ctx.input("input1"), ctx.input("input2")
    p = ctx.params(0)
    assert isinstance(p, MergeParams)
    if p.mode == "append":
        return [copy_item(a, i, 0) for i, a in enumerate(in1)] + [
            copy_item(b, j, 1) for j, b in enumerate(in2)]
    if p.mode == "combine_by_fields":
        return combine_by_fields(in1, in2, p)
    if p.mode == "combine_by_position":
        return combine_by_position(in1, in2, p)
    if p.mode == "combine_all":
        if len(in1) * len(in2) > 1_000_000:
            ctx.log.warning("combine_all makes %d items", len(in1) * len(in2))
        return [merge_items(a, i, b, j, p) for i, a in enumerate(in1) for j, b in enumerate(in2)]
    if p.choose_branch == "empty":
        if not (in1 or in2):
            return []
        return [Item(json={}, paired_item=[PairedItem(0, 0 if in1 else 1)])]
    chosen, port = (in1, 0) if p.choose_branch == "input1" else (in2, 1)
    return [copy_item(x, k, port) for k, x in enumerate(chosen)]
