"""Execute Workflow: run another workflow (by id or JSON definition) with this node's items."""

from __future__ import annotations

from typing import Any, Literal

from engine.sdk import Field, NodeSpec, Params, load_docs, ui


class InputField(Params):
    """One field of the items sent to the sub-workflow."""

    name: str = Field(description="Field name in the sub-workflow's input item.", min_length=1)
    value: Any = Field(
        None, description="Its value, usually an expression such as '{{ $json.email }}'."
    )


class ExecuteWorkflowParams(Params):
    """Parameters of the Execute Workflow node."""

    source: Literal["id", "json"] = Field(
        "id",
        description="Where the sub-workflow comes from: a saved workflow (by id) or a "
        "JSON definition given here.",
    )
    workflow_id: str = Field("", description="source 'id': the id of the saved workflow to run.")
    workflow_json: dict[str, Any] | str = Field(
        default_factory=dict,
        description="source 'json': the workflow definition "
        '({"name", "nodes", "connections"}). Its expressions are evaluated inside the '
        "sub-workflow, not here.",
        json_schema_extra=ui("json", expression=False),
    )
    mode: Literal["once", "each"] = Field(
        "once", description="Run the sub-workflow once with all items, or once per item."
    )
    wait: bool = Field(
        True,
        description="Wait for the sub-workflow and output its result; off: continue "
        "with this node's input items.",
    )
    input_fields: list[InputField] = Field(
        default_factory=list,
        description="Send only these fields (evaluated per item) instead of the whole items.",
        json_schema_extra=ui("collection"),
    )
    include_binary: bool = Field(True, description="Send the items' binary data too.")


SPEC = NodeSpec(
    type="core.execute_workflow",
    version=1,
    title="Execute Workflow",
    description="Run another workflow with these items and output its result.",
    category="Flow",
    icon="workflow",
    params=ExecuteWorkflowParams,
    run="nodes.core.execute_workflow.run:execute",
    permissions=frozenset({"workflows"}),
    docs=load_docs(__file__),
    aliases=("n8n-nodes-base.executeWorkflow", "link call"),
)
