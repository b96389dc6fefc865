"""Remove Duplicates: drops repeated items, within the input or across executions."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import field_validator, model_validator

from engine.sdk import Field, NodeSpec, Params, load_docs


class RemoveDuplicatesParams(Params):
    operation: Literal["current_input", "previous_executions", "clear_history"] = Field(
        "current_input", description="current_input: remove repeats within this input; "
        "previous_executions: remove items whose value was seen in earlier executions; "
        "clear_history: forget the values seen so far.")
    compare: Literal["all", "all_except", "selected"] = Field(
        "all", description="current_input: compare all fields, all except some, or only "
        "the selected fields.")
    fields: list[str] = Field(
        default_factory=list, description="The fields for 'all_except' / 'selected' (list "
        "or comma-separated, dot paths).")
    remove_other_fields: bool = Field(
        False, description="compare 'selected': output only the compared fields.")
    dedupe_value: Any = Field(
        None, description="previous_executions: the value identifying an item, usually an "
        "expression such as '{{ $json.id }}'.")
    history_size: int = Field(10_000, ge=1, le=1_000_000, description="previous_executions: "
                              "how many values to remember (oldest forgotten first).")
    dot_notation: bool = Field(True, description="Treat dots in field names as nested paths.")

    @field_validator("fields", mode="before")
    @classmethod
    def _names(cls, v: Any) -> Any:
        if isinstance(v, str):
            return [s.strip() for s in v.split(",") if s.strip()]
        return v

    @model_validator(mode="after")
    def _check(self) -> RemoveDuplicatesParams:
        if self.operation == "current_input" and self.compare != "all" and not self.fields:
            raise ValueError(f"compare '{self.compare}' needs the fields to use; list them in "
                             "'fields'.")
        return self


SPEC = NodeSpec(
    type="core.remove_duplicates",
    version=1,
    title="Remove Duplicates",
    description="Remove repeated items from the input, or items already seen in earlier "
    "executions.",
    category="Transform",
    icon="copy-minus",
    params=RemoveDuplicatesParams,
    run="nodes.core.remove_duplicates.run:execute",
    docs=load_docs(__file__),
    aliases=("n8n-nodes-base.removeDuplicates",),
)
