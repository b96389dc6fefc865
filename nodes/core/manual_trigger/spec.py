"""Manual Trigger: starts a workflow from the editor, the CLI or the API."""

from __future__ import annotations

from engine.sdk import NodeSpec, Params, load_docs


class ManualTriggerParams(Params):
    """The manual trigger has no parameters."""


SPEC = NodeSpec(
    type="core.manual_trigger",
    version=1,
    title="Manual Trigger",
    description="Starts the workflow when you click Run, or from 'aura run' and the API.",
    category="Trigger",
    icon="mouse-pointer-click",
    params=ManualTriggerParams,
    run="nodes.core.manual_trigger.run:execute",
    inputs=(),
    trigger="manual",
    docs=load_docs(__file__),
    aliases=("n8n-nodes-base.manualTrigger", "inject"),
)
