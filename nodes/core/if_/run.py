"""IF: evaluates the conditions for each item and routes it to ``true`` or ``false``."""

from __future__ import annotations

from engine.sdk import Item, NodeContext
from nodes.core.if_.conditions import evaluate_group, route_items
from nodes.core.if_.spec import IfParams


def execute(ctx: NodeContext) -> dict[str, list[Item]]:
    """Items whose conditions hold go to ``true``, the others to ``false``.

    With the 'continue' error policy an item whose conditions fail to evaluate goes to
    ``false`` with an ``error`` field; with 'route' it goes to ``error``.
    """

    def decide(item: Item, i: int) -> list[str]:
        p = ctx.params(i)
        assert isinstance(p, IfParams)
        ok = evaluate_group(p.conditions, p.combinator, case_sensitive=p.case_sensitive,
                            loose=p.loose_type_validation)
        return ["true" if ok else "false"]

    return route_items(ctx, decide, ("true", "false"), continue_port="false")
