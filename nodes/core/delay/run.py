"""Delay / Rate Limit: a cancellable sleep, or the first N items per interval."""

from __future__ import annotations

import math

from engine.sdk import Item, NodeContext, NodeExecutionError
from nodes.core.delay.spec import MAX_WAIT_S, DelayParams


def execute(ctx: NodeContext) -> dict[str, list[Item]]:
    """Waits or limits, then passes the items on (lineage kept)."""
    p = ctx.params(0)
    assert isinstance(p, DelayParams)
    items = [it.derive(index=i) for i, it in enumerate(ctx.items)]
    if p.mode == "delay":
        if items:
            ctx.sleep(p.seconds)
        return {"main": items}
    if p.on_excess == "wait":
        wait = (math.ceil(len(items) / p.rate) - 1) * p.interval_s if items else 0.0
        if wait > MAX_WAIT_S:
            raise NodeExecutionError(
                f"{len(items)} items at {p.rate} per {p.interval_s:g} s would wait {wait:g} s, "
                f"more than {MAX_WAIT_S:g} s. Raise the rate, use on_excess 'drop', or use "
                "Loop Over Items with a pause for long paced runs."
            )
        if wait > 0:
            ctx.log.info("rate limit: waiting %.3g s for %d items", wait, len(items))
            ctx.sleep(wait)
        return {"main": items}
    kept, extra = items[: p.rate], items[p.rate :]
    if extra:
        ctx.log.info("rate limit: %d items over the rate of %d", len(extra), p.rate)
    if p.on_excess == "second_output":
        return {"main": kept, "dropped": extra}
    return {"main": kept}
