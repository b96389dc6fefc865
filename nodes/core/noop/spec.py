"""No Operation: passes its items through unchanged."""

from __future__ import annotations

from engine.sdk import NodeSpec, Params, load_docs


class NoopParams(Params):
    """No Operation has no parameters."""


SPEC = NodeSpec(
    type="core.noop",
    version=1,
    title="No Operation, do nothing",
    description="Passes items through unchanged: a placeholder, a junction or a label.",
    category="Flow",
    icon="arrow-right",
    params=NoopParams,
    run="nodes.core.noop.run:execute",
    docs=load_docs(__file__),
    aliases=("n8n-nodes-base.noOp",),
)
