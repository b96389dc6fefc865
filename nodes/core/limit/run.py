"""Limit: the first or last ``max_items`` items, in their original order."""

from __future__ import annotations

from engine.sdk import Item, NodeContext
from nodes.core.limit.spec import LimitParams


def execute(ctx: NodeContext) -> list[Item]:
    """Keeps at most ``max_items`` items; the others are dropped."""
    items = ctx.input("main")
    p = ctx.params(0)
    assert isinstance(p, LimitParams)
    n = len(items)
    start = 0 if p.keep == "first" else max(0, n - p.max_items)
    stop = min(n, p.max_items) if p.keep == "first" else n
    if n > p.max_items:
        ctx.log.info("Limit kept %d of %d items", p.max_items, n)
    return [items[i].derive(index=i) for i in range(start, stop)]
