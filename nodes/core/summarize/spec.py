"""Summarize: count, sum, average, min, max... of fields, per group (n8n's Summarize)."""

from __future__ import annotations

from typing import Literal

from engine.sdk import Field, NodeSpec, Params, load_docs, ui
from nodes.core.aggregate.spec import SummarizeField


class SummarizeParams(Params):
    """Parameters of the Summarize node."""

    fields: list[SummarizeField] = Field(
        default_factory=list,
        description="The fields to summarize and how (count, count_unique, sum, avg, min, "
        "max, concatenate, append, append_unique).",
        json_schema_extra=ui("collection"),
    )
    split_by: list[str] = Field(
        default_factory=list,
        description="Fields to group by: one result per distinct combination (empty: one "
        "result for all items).",
    )
    output: Literal["items", "single"] = Field(
        "items",
        description="'items': one item per group; 'single': one item whose 'groups' field "
        "lists every group's result.",
    )
    dot_notation: bool = Field(True, description="Treat dots in field names as nested paths.")


SPEC = NodeSpec(
    type="core.summarize",
    version=1,
    title="Summarize",
    description="Count, sum, average, min, max or list fields of the items, per group.",
    category="Data",
    icon="sigma",
    params=SummarizeParams,
    run="nodes.core.summarize.run:execute",
    docs=load_docs(__file__),
)
