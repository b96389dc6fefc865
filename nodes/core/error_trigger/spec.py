"""Error Trigger: starts an error workflow when another workflow's execution fails."""

from __future__ import annotations

from engine.sdk import NodeSpec, Params, load_docs


class ErrorTriggerParams(Params):
    """The Error Trigger has no parameters; it is chosen as a workflow's error workflow."""


SPEC = NodeSpec(
    type="core.error_trigger",
    version=1,
    title="Error Trigger",
    description="Starts this workflow when a workflow that names it as its error workflow "
    "fails.",
    category="Trigger",
    icon="siren",
    params=ErrorTriggerParams,
    run="nodes.core.error_trigger.run:execute",
    inputs=(),
    trigger="error",
    docs=load_docs(__file__),
    aliases=("n8n-nodes-base.errorTrigger", "catch"),
)
