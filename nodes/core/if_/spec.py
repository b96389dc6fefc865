"""IF: routes each item to the ``true`` or ``false`` output by its conditions."""

from __future__ import annotations

from engine.sdk import NodeSpec, Port, load_docs
from nodes.core.if_.conditions import ConditionGroupParams


class IfParams(ConditionGroupParams):
    """Conditions combined with and/or; see :class:`ConditionGroupParams`."""


SPEC = NodeSpec(
    type="core.if",
    version=1,
    title="If",
    description="Route items to 'true' or 'false' depending on conditions.",
    category="Flow",
    icon="split",
    params=IfParams,
    run="nodes.core.if_.run:execute",
    outputs=(Port("true", "True"), Port("false", "False")),
    docs=load_docs(__file__),
    aliases=("n8n-nodes-base.if",),
)
