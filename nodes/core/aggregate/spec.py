"""Aggregate: combines many items into one (field lists, all data) or summary rows."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import field_validator, model_validator

from engine.sdk import Field, NodeSpec, Params, load_docs, ui

Aggregation = Literal[
    "count", "count_unique", "sum", "avg", "min", "max", "concatenate", "append", "append_unique"
]


def _name_list(v: Any) -> Any:
    if isinstance(v, str):
        return [s.strip() for s in v.split(",") if s.strip()]
    return v


class AggregateField(Params):
    """A field whose values are collected into a list."""

    field: str = Field(description="The input field (dot path, e.g. 'order.id').", min_length=1)
    rename: str = Field("", description="Output field name (empty: the input field's name).")


class SummarizeField(Params):
    """A field to summarize and how."""

    field: str = Field(description="The input field (dot path).", min_length=1)
    aggregation: Aggregation = Field(
        "count",
        description="count (non-empty values), count_unique, sum, avg, min, max, "
        "concatenate (text joined by the separator), append (list), append_unique.",
    )
    separator: str = Field(", ", description="concatenate: text put between values.")
    include_empty: bool = Field(
        False,
        description="append/concatenate: include null and missing values (as null / empty text).",
    )


class AggregateParams(Params):
    mode: Literal["individual_fields", "all_item_data", "summarize"] = Field(
        "individual_fields",
        description="individual_fields: one list per field; "
        "all_item_data: every item's data in one list; summarize: count/sum/avg/... of "
        "fields, optionally per group.",
        json_schema_extra=ui(
            expression=False,
            labels={
                "individual_fields": "Individual fields",
                "all_item_data": "All item data (into one list)",
                "summarize": "Summarize (count, sum, average...)",
            },
        ),
    )
    fields: list[AggregateField] = Field(
        default_factory=list,
        description="individual_fields: the fields to collect; a name "
        "alone (or comma-separated names) keeps its name.",
        json_schema_extra=ui("collection", show={"mode": ["individual_fields"]}),
    )
    keep_missing: bool = Field(
        False,
        description="individual_fields: add null to the list for items where the "
        "field is missing or null (off: skip them).",
        json_schema_extra=ui(show={"mode": ["individual_fields"]}),
    )
    merge_lists: bool = Field(
        False,
        description="individual_fields: when values are lists, concatenate them into "
        "one flat list instead of a list of lists.",
        json_schema_extra=ui(show={"mode": ["individual_fields"]}),
    )
    destination_field: str = Field(
        "data",
        min_length=1,
        description="all_item_data: the output field holding the list.",
        json_schema_extra=ui(show={"mode": ["all_item_data"]}),
    )
    include: Literal["all", "selected", "except"] = Field(
        "all",
        description="all_item_data: keep all fields of each item, only the selected "
        "ones, or all except them.",
        json_schema_extra=ui(
            show={"mode": ["all_item_data"]},
            labels={
                "all": "All fields",
                "selected": "Only the listed fields",
                "except": "All but the listed fields",
            },
        ),
    )
    include_fields: list[str] = Field(
        default_factory=list,
        description="all_item_data: the fields for 'selected'/'except'.",
        json_schema_extra=ui(show={"mode": ["all_item_data"], "include": ["selected", "except"]}),
    )
    summarize: list[SummarizeField] = Field(
        default_factory=list,
        description="summarize: the fields to summarize and how.",
        json_schema_extra=ui("collection", show={"mode": ["summarize"]}),
    )
    group_by: list[str] = Field(
        default_factory=list,
        description="summarize: fields to group by; one output item per "
        "distinct combination (empty: one item for all).",
        json_schema_extra=ui(show={"mode": ["summarize"]}),
    )
    include_binaries: bool = Field(
        False,
        description="individual_fields / all_item_data: also gather the items' binary "
        "attachments into the output item (repeated names get a suffix _1, _2...).",
        json_schema_extra=ui(show={"mode": ["individual_fields", "all_item_data"]}),
    )
    dot_notation: bool = Field(True, description="Treat dots in field names as nested paths.")

    @field_validator("fields", mode="before")
    @classmethod
    def _fields(cls, v: Any) -> Any:
        v = _name_list(v)
        if isinstance(v, list):
            return [{"field": x} if isinstance(x, str) else x for x in v]
        return v

    @field_validator("include_fields", "group_by", mode="before")
    @classmethod
    def _names(cls, v: Any) -> Any:
        return _name_list(v)

    @model_validator(mode="after")
    def _check(self) -> AggregateParams:
        if self.mode == "individual_fields" and not self.fields:
            raise ValueError("Mode 'individual_fields' needs at least one field to aggregate.")
        if self.mode == "summarize" and not self.summarize:
            raise ValueError(
                "Mode 'summarize' needs at least one field to summarize, e.g. "
                "{'field': 'amount', 'aggregation': 'sum'}."
            )
        return self


SPEC = NodeSpec(
    type="core.aggregate",
    version=1,
    title="Aggregate",
    description="Combine items into one: lists of field values, all item data, or "
    "summaries (count, sum, average...) per group.",
    category="Transform",
    icon="layers",
    params=AggregateParams,
    run="nodes.core.aggregate.run:execute",
    docs=load_docs(__file__),
    aliases=("n8n-nodes-base.aggregate", "n8n-nodes-base.summarize", "join"),
)
