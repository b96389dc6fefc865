"""Sort: a stable, type-aware sort; missing values always go last."""

from __future__ import annotations

import functools
import json
import random
from collections.abc import Sequence
from typing import Any

from engine.sdk import Item, NodeContext
from nodes.core.if_.paths import MISSING, get_path
from nodes.core.sort.spec import SortParams

# booleans, then numbers, then text, then arrays, then objects
_RANK = {bool: 0, int: 1, float: 1, str: 2, list: 3, dict: 4}


def _sortable(v: Any, case_sensitive: bool) -> tuple[int, Any]:
    rank = _RANK.get(type(v), 5)
    if rank == 2 and not case_sensitive:
        return rank, (v.casefold(), v)
    if rank >= 3:
        return rank, json.dumps(v, sort_keys=True, default=str)
    if rank == 5:
        return rank, str(v)
    return rank, v


def compare_values(a: Any, b: Any, desc: bool, case_sensitive: bool) -> int:
    """-1/0/1 for ``a`` vs ``b``; None/missing/NaN sort last in both directions."""
    a_missing = a is MISSING or a is None or (isinstance(a, float) and a != a)
    b_missing = b is MISSING or b is None or (isinstance(b, float) and b != b)
    if a_missing or b_missing:
        return (a_missing > b_missing) - (a_missing < b_missing)
    ka, kb = _sortable(a, case_sensitive), _sortable(b, case_sensitive)
    c = (ka > kb) - (ka < kb)
    return -c if desc else c


def sort_by_keys(keys: Sequence[Sequence[Any]], orders: Sequence[bool],
                 case_sensitive: bool) -> list[int]:
    """Indexes of rows ordered by their keys (stable); ``orders[k]`` is True for desc."""
    def cmp(i: int, j: int) -> int:
        for k, desc in enumerate(orders):
            c = compare_values(keys[i][k], keys[j][k], desc, case_sensitive)
            if c:
                return c
        return 0

    return sorted(range(len(keys)), key=functools.cmp_to_key(cmp))


def execute(ctx: NodeContext) -> list[Item]:
    """The main input items in the new order (lineage kept)."""
    items = ctx.input("main")
    if not items:
        return []
    p = ctx.params(0)
    assert isinstance(p, SortParams)
    order = list(range(len(items)))
    if p.type == "reverse":
        order.reverse()
    elif p.type == "random":
        random.Random(p.seed).shuffle(order)
    elif p.type == "expression":
        keys = []
        for i in range(len(items)):
            pi = ctx.params(i)
            assert isinstance(pi, SortParams)
            keys.append([pi.key])
        order = sort_by_keys(keys, [p.key_order == "desc"], p.case_sensitive)
    else:
        keys = [[get_path(it.json, f.field, p.dot_notation) for f in p.fields] for it in items]
        order = sort_by_keys(keys, [f.order == "desc" for f in p.fields], p.case_sensitive)
        for f in p.fields:
            if all(k is MISSING for k in (get_path(it.json, f.field, p.dot_notation)
                                          for it in items)):
                ctx.log.warning("No item has the field '%s'; check the name", f.field)
    return [items[i].derive(index=i) for i in order]
