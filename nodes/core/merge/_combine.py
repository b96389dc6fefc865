"""Merging two items' JSON and binary data, with clash handling (used by Merge)."""

from __future__ import annotations

import copy
from typing import Any

from engine.sdk import Item, PairedItem
from nodes.core.merge.spec import MergeParams

__all__ = ["lineage", "merge_items"]


def _empty(v: Any) -> bool:
    return v is None or (isinstance(v, str | list | dict) and len(v) == 0)


def _overlay(base: dict[str, Any], top: dict[str, Any], deep: bool,
             override_empty: bool) -> dict[str, Any]:
    """``base`` with ``top``'s fields on top (``top`` is the preferred input)."""
    out = copy.deepcopy(base)
    for k, v in top.items():
        old = out.get(k)
        if k in out and override_empty and _empty(v) and not _empty(old):
            continue
        if deep and isinstance(v, dict) and isinstance(old, dict):
            out[k] = _overlay(old, v, deep, override_empty)
        else:
            out[k] = copy.deepcopy(v)
    return out


def merge_json(j1: dict[str, Any], j2: dict[str, Any], p: MergeParams) -> dict[str, Any]:
    """The merged JSON of an input 1 item and an input 2 item."""
    if p.clash_handling == "add_suffix":
        out = {f"{k}_1": copy.deepcopy(v) for k, v in j1.items()}
        out.update({f"{k}_2": copy.deepcopy(v) for k, v in j2.items()})
        return out
    if p.clash_handling == "prefer_input1":
        return _overlay(j2, j1, p.deep_merge, p.override_empty)
    return _overlay(j1, j2, p.deep_merge, p.override_empty)


def lineage(i: int | None, j: int | None) -> list[PairedItem]:
    """Paired items pointing at input 1 item ``i`` and/or input 2 item ``j``."""
    out = []
    if i is not None:
        out.append(PairedItem(i, 0))
    if j is not None:
        out.append(PairedItem(j, 1))
    return out


def merge_items(a: Item, i: int, b: Item, j: int, p: MergeParams) -> Item:
    """One item from input 1 item ``a`` (index ``i``) and input 2 item ``b`` (``j``)."""
    binary = None
    if a.binary or b.binary:
        first, second = (b, a) if p.clash_handling == "prefer_input1" else (a, b)
        binary = {**(first.binary or {}), **(second.binary or {})}
    return Item(json=merge_json(a.json, b.json, p), binary=binary, paired_item=lineage(i, j))


def copy_item(item: Item, index: int, input_: int) -> Item:
    """``item`` unchanged, with lineage to ``index`` on input ``input_`` (0 or 1)."""
    return Item(json=item.json, binary=item.binary, paired_item=[PairedItem(index, input_)])
