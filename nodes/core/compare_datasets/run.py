"""Compare Datasets: index B by its key, walk A, and sort pairs by equality of the rest."""

from __future__ import annotations

import json
from typing import Any

from engine.sdk import Item, NodeContext, NodeExecutionError, PairedItem
from nodes.core.compare_datasets.spec import CompareDatasetsParams
from nodes.core.if_.paths import MISSING, del_path, get_path


def _norm(value: Any, loose: bool) -> Any:
    if not loose:
        return value
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return str(int(value)) if float(value).is_integer() else str(value)
    if isinstance(value, str):
        text = value.strip()
        try:
            f = float(text)
        except ValueError:
            return text.lower() if text.lower() in ("true", "false") else text
        return str(int(f)) if f.is_integer() else str(f)
    return value


def _key(item: Item, fields: list[str], loose: bool) -> str | None:
    values = [get_path(item.json, f) for f in fields]
    if any(v is MISSING for v in values):
        return None
    return json.dumps([_norm(v, loose) for v in values], sort_keys=True, default=str)


def _rest(item: Item, skip: list[str]) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(json.dumps(item.json))
    for f in skip:
        del_path(data, f)
    return data


def _same(a: Any, b: Any, loose: bool) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k], loose) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y, loose) for x, y in zip(a, b, strict=True))
    return bool(_norm(a, loose) == _norm(b, loose))


def _difference(
    a: Item, b: Item, p: CompareDatasetsParams, keys: list[str], keys_b: list[str]
) -> dict[str, Any]:
    ra, rb = _rest(a, p.skip_fields), _rest(b, p.skip_fields)
    same: dict[str, Any] = {}
    different: dict[str, Any] = {}
    for k in dict.fromkeys([*ra, *rb]):
        if k in keys or k in keys_b:
            continue
        va, vb = ra.get(k), rb.get(k)
        if k in ra and k in rb and _same(va, vb, p.loose_types):
            same[k] = va
        else:
            different[k] = {"input_a": va, "input_b": vb}
    return {"keys": {k: a.json.get(k) for k in keys}, "same": same, "different": different}


def execute(ctx: NodeContext) -> dict[str, list[Item]]:
    """Sorts A's items (and B's unmatched ones) onto the four outputs."""
    p = ctx.params(0)
    assert isinstance(p, CompareDatasetsParams)
    if not p.match_fields:
        raise NodeExecutionError(
            "Add at least one pair of fields to match the items on (e.g. 'id' in A and 'id' in B)."
        )
    fa = [m.field_a for m in p.match_fields]
    fb = [m.field_b or m.field_a for m in p.match_fields]
    a_items, b_items = ctx.input("input_a"), ctx.input("input_b")
    index: dict[str, list[int]] = {}
    for j, b in enumerate(b_items):
        k = _key(b, fb, p.loose_types)
        if k is not None:
            index.setdefault(k, []).append(j)
    out: dict[str, list[Item]] = {"in_a_only": [], "same": [], "different": [], "in_b_only": []}
    used: set[int] = set()
    for i, a in enumerate(a_items):
        k = _key(a, fa, p.loose_types)
        matches = index.get(k, []) if k is not None else []
        if not matches:
            out["in_a_only"].append(a.derive(index=i))
            continue
        for j in matches if p.on_multiple == "all" else matches[:1]:
            used.add(j)
            b = b_items[j]
            lineage = [PairedItem(i, 0), PairedItem(j, 1)]
            diff = _difference(a, b, p, fa, fb)
            if diff["different"]:
                out["different"].append(Item(json=diff, paired_item=lineage))
            else:
                out["same"].append(Item(json=a.json, binary=a.binary, paired_item=lineage))
        used.update(matches)
    out["in_b_only"] = [b.derive(index=j, input=1) for j, b in enumerate(b_items) if j not in used]
    return out
