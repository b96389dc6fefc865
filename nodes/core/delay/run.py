"""Delay / Rate Limit: a cancellable sleep (a parked execution beyond 65 s), or the first N
items per interval."""

from __future__ import annotations

import math
from datetime import timedelta

from engine.sdk import Item, NodeContext, WaitRequested
from nodes.core.delay.spec import INLINE_LIMIT_S, DelayParams


def _wait(ctx: NodeContext, seconds: float, count: int) -> None:
    """Sleeps (cancellably) up to the inline limit; parks the execution beyond it."""
    if seconds > INLINE_LIMIT_S:
        ctx.log.info("parking the execution for %.0f s (%d items)", seconds, count)
        raise WaitRequested(until=ctx.now() + timedelta(seconds=seconds))
    if seconds > 0:
        ctx.sleep(seconds)


def execute(ctx: NodeContext) -> dict[str, list[Item]]:
    """Waits or limits, then passes the items on (lineage kept)."""
    p = ctx.params(0)
    assert isinstance(p, DelayParams)
    items = [it.derive(index=i) for i, it in enumerate(ctx.items)]
    if p.mode == "delay":
        if items:
            _wait(ctx, p.seconds, len(items))
        return {"main": items}
    if p.on_excess == "wait":
        wait = (math.ceil(len(items) / p.rate) - 1) * p.interval_s if items else 0.0
        if wait > 0:
            ctx.log.info("rate limit: %d items need %.3g s", len(items), wait)
        _wait(ctx, wait, len(items))
        return {"main": items}
    kept, extra = items[: p.rate], items[p.rate :]
    if extra:
        ctx.log.info("rate limit: %d items over the rate of %d", len(extra), p.rate)
    if p.on_excess == "second_output":
        return {"main": kept, "dropped": extra}
    return {"main": kept}
