"""Set (Edit Fields): add, change or remove fields on each item."""

from __future__ import annotations

from typing import Any, Literal

from engine.sdk import Field, NodeSpec, Params, load_docs, ui


class Assignment(Params):
    name: str = Field(
        description="Field to set; dots make nested paths ('user.address.city').", min_length=1
    )
    value: Any = Field(
        None, description="The value; can be an expression such as '{{ $json.price * 2 }}'."
    )
    type: Literal["auto", "string", "number", "boolean", "array", "object"] = Field(
        "auto", description="Convert the value to this type ('auto' keeps it as it is)."
    )


class SetParams(Params):
    mode: Literal["manual", "json"] = Field(
        "manual",
        description="Set fields one by one, or from a JSON object.",
        json_schema_extra=ui(labels={"manual": "Manual mapping", "json": "JSON"}),
    )
    assignments: list[Assignment] = Field(
        default_factory=list,
        description="Fields to set (manual mode).",
        json_schema_extra=ui("collection", show={"mode": ["manual"]}),
    )
    json_value: dict[str, Any] | str = Field(
        default_factory=dict,
        description="Object whose keys are set (JSON mode).",
        json_schema_extra=ui("json", show={"mode": ["json"]}),
    )
    keep: Literal["all", "none", "selected", "except"] = Field(
        "all",
        description="Which existing fields to keep: all, none, only the listed ones, "
        "or all but the listed ones.",
        json_schema_extra=ui(
            labels={
                "all": "All fields",
                "none": "No other fields",
                "selected": "Only the listed fields",
                "except": "All but the listed fields",
            }
        ),
    )
    fields: list[str] = Field(
        default_factory=list,
        description="Fields to keep or drop with 'selected'/'except'.",
        json_schema_extra=ui(show={"keep": ["selected", "except"]}),
    )
    dot_notation: bool = Field(True, description="Treat dots in names as nested paths.")
    include_binary: bool = Field(True, description="Keep the items' binary data.")


SPEC = NodeSpec(
    type="core.set",
    version=1,
    title="Edit Fields (Set)",
    description="Add, change or remove fields on each item.",
    category="Transform",
    icon="pen-line",
    params=SetParams,
    run="nodes.core.set.run:execute",
    docs=load_docs(__file__),
    aliases=("n8n-nodes-base.set", "change"),
)
