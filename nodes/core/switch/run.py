"""Switch: sends each item to the output(s) of the matching rule(s), or to a computed index."""

from __future__ import annotations

from typing import Any

from engine.sdk import Item, NodeContext
from nodes.core.if_.conditions import ConditionTypeError, evaluate_group, route_items
from nodes.core.switch.spec import SwitchParams, outputs_for


def _index(value: Any, n: int) -> int:
    """The output index from an expression's value; must be an integer in ``0..n-1``."""
    if isinstance(value, bool):
        raise ConditionTypeError(f"the output index is a boolean ({value}); it must be a "
                                 f"number from 0 to {n - 1}.")
    try:
        f = float(value)
    except (TypeError, ValueError):
        raise ConditionTypeError(f"the output index {value!r} is not a number; the expression "
                                 f"must give a number from 0 to {n - 1}.") from None
    if not f.is_integer() or not 0 <= f < n:
        raise ConditionTypeError(f"the output index {value!r} is out of range: the node has "
                                 f"{n} outputs (0 to {n - 1}). Raise 'number of outputs' or fix "
                                 "the expression.")
    return int(f)


def execute(ctx: NodeContext) -> dict[str, list[Item]]:
    """Routes the main input; errors under 'continue' go to ``output_0`` with an ``error``."""
    if not ctx.input("main"):
        return {}
    first = ctx.params(0)
    assert isinstance(first, SwitchParams)
    ports = [p.name for p in outputs_for(first)]

    def decide(item: Item, i: int) -> list[str]:
        p = ctx.params(i)
        assert isinstance(p, SwitchParams)
        if p.mode == "expression":
            return [f"output_{_index(p.output_index, p.number_outputs)}"]
        matched: list[str] = []
        for r, rule in enumerate(p.rules):
            if evaluate_group(rule.conditions, rule.combinator, case_sensitive=p.case_sensitive,
                              loose=p.loose_type_validation):
                matched.append(f"output_{r}")
                if not p.all_matching_outputs:
                    break
        if matched:
            return matched
        if p.fallback_output == "extra":
            return ["fallback"]
        if isinstance(p.fallback_output, int):
            return [f"output_{p.fallback_output}"]
        return []

    return route_items(ctx, decide, ports, continue_port="output_0")
