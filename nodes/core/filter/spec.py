"""Filter: keeps only the items that meet conditions."""

from __future__ import annotations

from typing import Any

from engine.sdk import Field, NodeSpec, Port, load_docs
from nodes.core.if_.conditions import ConditionGroupParams


class FilterParams(ConditionGroupParams):
    """The If node's conditions, plus where the items that fail them go."""

    discarded_output: bool = Field(
        False, description="Send the items that fail the conditions to a second output "
        "'discarded' instead of dropping them.")


def outputs_for(params: Any) -> tuple[Port, ...]:
    """``main``, plus ``discarded`` when that option is on."""
    on = params.get("discarded_output") if isinstance(params, dict) else getattr(
        params, "discarded_output", False)
    if on is True:
        return (Port("main", "Kept"), Port("discarded", "Discarded"))
    return (Port("main", "Kept"),)


SPEC = NodeSpec(
    type="core.filter",
    version=1,
    title="Filter",
    description="Keep only the items that meet conditions.",
    category="Flow",
    icon="filter",
    params=FilterParams,
    run="nodes.core.filter.run:execute",
    outputs=(Port("main", "Kept"),),
    outputs_for=outputs_for,
    docs=load_docs(__file__),
    aliases=("n8n-nodes-base.filter",),
)
