"""Stop and Error: fails the execution with a message or an error object."""

from __future__ import annotations

from typing import Any, Literal

from engine.sdk import Field, NodeSpec, Params, load_docs, ui


class StopAndErrorParams(Params):
    error_type: Literal["message", "object"] = Field(
        "message",
        description="Fail with an error message, or with an error object (JSON).",
        json_schema_extra=ui(labels={"message": "A message", "object": "An error object (JSON)"}),
    )
    message: str = Field(
        "An error occurred",
        description="Message mode: the error message; "
        "can be an expression such as '{{ \"Bad order \" + $json.id }}'.",
        json_schema_extra=ui(show={"error_type": ["message"]}),
    )
    error_object: dict[str, Any] | str = Field(
        default_factory=dict,
        description="Object mode: a JSON object describing the error; "
        "its 'message' (or 'description') becomes the error message.",
        json_schema_extra=ui("json", show={"error_type": ["object"]}),
    )


SPEC = NodeSpec(
    type="core.stop_and_error",
    version=1,
    title="Stop and Error",
    description="Stop the workflow with an error (it then counts as failed and triggers the "
    "error workflow).",
    category="Flow",
    icon="octagon-x",
    params=StopAndErrorParams,
    run="nodes.core.stop_and_error.run:execute",
    outputs=(),
    docs=load_docs(__file__),
    aliases=("n8n-nodes-base.stopAndError",),
)
