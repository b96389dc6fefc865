"""Delay / Rate Limit: wait before passing the items on, or let only so many through."""

from __future__ import annotations

from typing import Any, Literal

from engine.sdk import Field, NodeSpec, Params, Port, load_docs

INLINE_LIMIT_S = 65.0
MAX_DELAY_S = 30 * 86400.0


class DelayParams(Params):
    """Parameters of the Delay node."""

    mode: Literal["delay", "rate_limit"] = Field(
        "delay",
        description="'delay': wait, then pass every item on. 'rate_limit': at most 'Rate' "
        "items per 'Interval'.",
    )
    seconds: float = Field(
        1.0,
        ge=0,
        le=MAX_DELAY_S,
        description="delay: how long to wait, in seconds (above 65 s the execution is "
        "parked, holding no worker, and resumed when the time comes).",
    )
    rate: int = Field(1, ge=1, description="rate_limit: how many items per interval.")
    interval_s: float = Field(
        1.0, gt=0, le=86400, description="rate_limit: the interval, in seconds."
    )
    on_excess: Literal["wait", "drop", "second_output"] = Field(
        "wait",
        description="rate_limit, items beyond the rate: 'wait' the intervals they need "
        "then pass everything on; 'drop' them; or send them to the 'dropped' output.",
    )


def outputs_for(params: Any) -> tuple[Port, ...]:
    """'main', plus 'dropped' when excess items go to a second output."""
    excess = (
        params.get("on_excess")
        if isinstance(params, dict)
        else getattr(params, "on_excess", "wait")
    )
    mode = params.get("mode") if isinstance(params, dict) else getattr(params, "mode", "delay")
    if mode == "rate_limit" and excess == "second_output":
        return (Port("main"), Port("dropped", "Dropped"))
    return (Port("main"),)


SPEC = NodeSpec(
    type="core.delay",
    version=1,
    title="Delay / Rate Limit",
    description="Wait before passing items on, or let at most N items through per interval.",
    category="Flow",
    icon="timer",
    params=DelayParams,
    outputs=(Port("main"),),
    outputs_for=outputs_for,
    run="nodes.core.delay.run:execute",
    docs=load_docs(__file__),
    aliases=("delay",),
)
