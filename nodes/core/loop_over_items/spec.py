"""Loop Over Items: batches of items through a sub-workflow, in order; results on 'done'."""

from __future__ import annotations

from typing import Any, Literal

from engine.sdk import Field, NodeSpec, Params, Port, load_docs, ui


class LoopOverItemsParams(Params):
    """Parameters of the Loop Over Items node."""

    batch_size: int = Field(
        10, ge=1, le=100_000, description="How many items each pass of the loop gets."
    )
    source: Literal["id", "json"] = Field(
        "id",
        description="The loop body: a saved workflow (by id) or a JSON definition given here. "
        "It starts with a Workflow Trigger and its last node's items are the batch's result.",
    )
    workflow_id: str = Field("", description="source 'id': the id of the saved workflow.")
    workflow_json: dict[str, Any] | str = Field(
        default_factory=dict,
        description='source \'json\': the workflow definition ({"name", "nodes", "connections"}).',
        json_schema_extra=ui("json", expression=False),
    )
    pause_s: float = Field(
        0.0,
        ge=0,
        le=60,
        description="Seconds to wait between two batches (to pace calls to a service).",
    )


SPEC = NodeSpec(
    type="core.loop_over_items",
    version=1,
    title="Loop Over Items",
    description="Run a sub-workflow once per batch of items, one batch after another, "
    "and output all results on 'done'.",
    category="Flow",
    icon="repeat",
    params=LoopOverItemsParams,
    outputs=(Port("done", "Done"),),
    run="nodes.core.loop_over_items.run:execute",
    permissions=frozenset({"workflows"}),
    docs=load_docs(__file__),
)
