"""Summarize mode of Aggregate: count, sum, average... of fields, per group."""

from __future__ import annotations

import json
from typing import Any

from engine.sdk import Item, NodeExecutionError, PairedItem
from nodes.core.aggregate.spec import AggregateParams, SummarizeField
from nodes.core.if_.paths import MISSING, get_path, set_path

__all__ = ["output_name", "summarize"]

_PREFIX = {"count": "count", "count_unique": "unique_count", "sum": "sum", "avg": "average",
           "min": "min", "max": "max", "concatenate": "concatenated", "append": "appended",
           "append_unique": "appended_unique"}


def output_name(f: SummarizeField) -> str:
    """n8n's names: ``sum_amount``, ``average_amount``, ``unique_count_user_id``..."""
    return f"{_PREFIX[f.aggregation]}_{f.field.replace('.', '_')}"


def _key(v: Any) -> str:
    return json.dumps(v, sort_keys=True, ensure_ascii=False, default=str)


def _number(v: Any, f: SummarizeField, index: int) -> float | int:
    if isinstance(v, int | float) and not isinstance(v, bool):
        return v
    if isinstance(v, str):
        try:
            n = float(v.strip())
        except ValueError:
            pass
        else:
            return int(n) if n.is_integer() and "." not in v else n
    raise NodeExecutionError(
        f"Item {index}: cannot {f.aggregation} field '{f.field}': {v!r} is not a number. "
        "Convert the values to numbers first, or use 'count' or 'concatenate'.",
        details={"item_index": index, "field": f.field})


def _aggregate(f: SummarizeField, values: list[tuple[int, Any]]) -> Any:
    """``values`` are ``(item index, value)``; missing values are MISSING."""
    present = [(i, v) for i, v in values if v is not MISSING and v is not None]
    agg = f.aggregation
    if agg == "count":
        return sum(1 for _, v in present if v != "")
    if agg == "count_unique":
        return len({_key(v) for _, v in present})
    if agg in ("sum", "avg"):
        nums = [_number(v, f, i) for i, v in present]
        if agg == "sum":
            return sum(nums)
        return sum(nums) / len(nums) if nums else None
    if agg in ("min", "max"):
        if not present:
            return None
        vals = [v for _, v in present]
        if not all(isinstance(v, str) for v in vals):  # numbers, or numbers mixed with text
            vals = [_number(v, f, i) for i, v in present]
        return min(vals) if agg == "min" else max(vals)
    chosen = [v for _, v in values] if f.include_empty else [v for _, v in present]
    chosen = [None if v is MISSING else v for v in chosen]
    if agg == "append_unique":
        seen: dict[str, Any] = {}
        for v in chosen:
            seen.setdefault(_key(v), v)
        return list(seen.values())
    if agg == "append":
        return chosen
    return f.separator.join("" if v is None else v if isinstance(v, str) else json.dumps(
        v, ensure_ascii=False) for v in chosen)


def summarize(items: list[Item], p: AggregateParams) -> list[Item]:
    """One item per group (in order of first appearance), with the group fields and
    one output field per summarized field."""
    groups: dict[str, list[int]] = {}
    group_values: dict[str, list[Any]] = {}
    for i, it in enumerate(items):
        vals = [get_path(it.json, g, p.dot_notation) for g in p.group_by]
        vals = [None if v is MISSING else v for v in vals]
        k = _key(vals)
        groups.setdefault(k, []).append(i)
        group_values.setdefault(k, vals)
    out: list[Item] = []
    for k, idx in groups.items():
        row: dict[str, Any] = {}
        for g, v in zip(p.group_by, group_values[k], strict=True):
            set_path(row, g, v, p.dot_notation)
        for f in p.summarize:
            vals = [(i, get_path(items[i].json, f.field, p.dot_notation)) for i in idx]
            row[output_name(f)] = _aggregate(f, vals)
        out.append(Item(json=row, paired_item=[PairedItem(i) for i in idx]))
    return out
