"""Filter: passes on the items whose conditions hold; drops or diverts the others."""

from __future__ import annotations

from engine.sdk import Item, NodeContext
from nodes.core.filter.spec import FilterParams
from nodes.core.if_.conditions import evaluate_group, route_items


def execute(ctx: NodeContext) -> dict[str, list[Item]]:
    """Kept items on ``main``; failed ones on ``discarded`` if enabled, else dropped.

    Under the 'continue' error policy an item whose conditions cannot be evaluated is kept
    with an ``error`` field; under 'route' it goes to ``error``.
    """
    discarded = False
    if ctx.input("main"):
        first = ctx.params(0)
        assert isinstance(first, FilterParams)
        discarded = first.discarded_output

    def decide(item: Item, i: int) -> list[str]:
        p = ctx.params(i)
        assert isinstance(p, FilterParams)
        if evaluate_group(p.conditions, p.combinator, case_sensitive=p.case_sensitive,
                          loose=p.loose_type_validation):
            return ["main"]
        return ["discarded"] if discarded else []

    kept = route_items(ctx, decide, ("main", "discarded") if discarded else ("main",),
                       continue_port="main")
    dropped = len(ctx.input("main")) - sum(len(v) for v in kept.values())
    if dropped:
        ctx.log.info("Filter dropped %d item(s) that did not meet the conditions", dropped)
    return kept
