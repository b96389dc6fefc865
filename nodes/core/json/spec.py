"""JSON: parse JSON text found in a field, or write a field (or the item) as JSON text."""

from __future__ import annotations

from typing import Literal

from engine.sdk import Field, NodeSpec, Params, load_docs, ui


class JsonParams(Params):
    """Parameters of the JSON node."""

    operation: Literal["parse", "stringify"] = Field(
        "parse",
        description="'parse' turns JSON text into data; 'stringify' turns data into JSON text.",
        json_schema_extra=ui(
            labels={"parse": "Parse JSON text into data", "stringify": "Turn data into JSON text"}
        ),
    )
    field: str = Field(
        "data",
        description="The field to read; dots reach nested fields ('body.payload'). "
        "For stringify, leave empty to convert the whole item.",
        json_schema_extra=ui(expression=False),
    )
    output_field: str = Field(
        "",
        description="Field that receives the result. Empty: replace 'Field' "
        "(stringify of the whole item: 'json').",
        json_schema_extra=ui(expression=False),
    )
    destination: Literal["field", "merge", "replace", "split"] = Field(
        "field",
        description="parse: put the value in 'Output field', 'merge' an object's "
        "keys into the item, 'replace' the item with the object, or 'split' a list into "
        "one item per element.",
        json_schema_extra=ui(
            show={"operation": ["parse"]},
            labels={
                "field": "Into the output field",
                "merge": "Merge the object into the item",
                "replace": "Replace the item",
                "split": "One item per list element",
            },
        ),
    )
    empty_value: Literal["error", "null", "skip"] = Field(
        "error",
        description="parse: what to do with empty text: fail, use null, or leave "
        "the item unchanged.",
        json_schema_extra=ui(
            show={"operation": ["parse"]},
            labels={"error": "Fail", "null": "Use null", "skip": "Leave the item unchanged"},
        ),
    )
    ignore_missing: bool = Field(
        False, description="Pass items without the field through unchanged instead of failing."
    )
    keep_source: bool = Field(
        True, description="Keep 'Field' when the result goes to another field."
    )
    pretty: bool = Field(
        False,
        description="stringify: indent the JSON text.",
        json_schema_extra=ui(show={"operation": ["stringify"]}),
    )
    indent: int = Field(
        2,
        description="stringify: spaces per level when 'pretty' is on.",
        ge=0,
        le=8,
        json_schema_extra=ui(show={"operation": ["stringify"], "pretty": [True]}),
    )
    sort_keys: bool = Field(
        False,
        description="stringify: sort object keys.",
        json_schema_extra=ui(show={"operation": ["stringify"]}),
    )
    ascii_only: bool = Field(
        False,
        description="stringify: escape non-ASCII characters as \\uXXXX.",
        json_schema_extra=ui(show={"operation": ["stringify"]}),
    )


SPEC = NodeSpec(
    type="core.json",
    version=1,
    title="JSON",
    description="Parse JSON text from a field into data, or turn data into JSON text.",
    category="Data",
    icon="braces",
    params=JsonParams,
    run="nodes.core.json.run:execute",
    docs=load_docs(__file__),
    aliases=("json",),
)
