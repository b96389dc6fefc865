"""Workflow Trigger ("When called by another workflow"): starts a sub-workflow."""

from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from engine.sdk import Field, NodeSpec, Params, load_docs, ui

FieldType = Literal["any", "string", "number", "boolean", "array", "object"]


class InputField(Params):
    """A field the calling workflow passes in."""

    name: str = Field(description="Field name in each input item, e.g. 'email'.", min_length=1)
    type: FieldType = Field("any", description="Expected type: any, string, number, boolean, "
                            "array or object.")
    required: bool = Field(True, description="Fail when the caller does not pass the field "
                           "(off: a missing field becomes null).")


class WorkflowTriggerParams(Params):
    input_source: Literal["accept_all", "define_fields"] = Field(
        "accept_all", description="accept_all: output the caller's items as they are; "
        "define_fields: check each item against the fields below and output only those.",
        json_schema_extra=ui(expression=False))
    fields: list[InputField] = Field(
        default_factory=list, description="define_fields: the fields the caller must pass, "
        "with their types.", json_schema_extra=ui("collection", expression=False))
    convert_types: bool = Field(
        False, description="define_fields: convert values to the declared type ('3' to 3, "
        "'true' to true, JSON text to arrays/objects) instead of failing.",
        json_schema_extra=ui(expression=False))
    keep_other_fields: bool = Field(
        False, description="define_fields: also keep fields that are not declared (off: "
        "they are dropped).", json_schema_extra=ui(expression=False))

    @model_validator(mode="after")
    def _check(self) -> WorkflowTriggerParams:
        names = [f.name for f in self.fields]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"Input field {', '.join(map(repr, dup))} is declared twice.")
        if self.input_source == "define_fields" and not self.fields:
            raise ValueError("input_source 'define_fields' needs at least one field; add one "
                             "or choose 'accept_all'.")
        return self


SPEC = NodeSpec(
    type="core.workflow_trigger",
    version=1,
    title="When Called by Another Workflow",
    description="Starts this workflow when an Execute Workflow node calls it, with the "
    "caller's items.",
    category="Trigger",
    icon="log-in",
    params=WorkflowTriggerParams,
    run="nodes.core.workflow_trigger.run:execute",
    inputs=(),
    trigger="subworkflow",
    docs=load_docs(__file__),
    aliases=("n8n-nodes-base.executeWorkflowTrigger", "link in"),
)
