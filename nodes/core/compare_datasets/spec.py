"""Compare Datasets: match two inputs' items by key; output A only, same, different, B only."""

from __future__ import annotations

from typing import Literal

from engine.sdk import Field, NodeSpec, Params, Port, load_docs, ui


class MatchField(Params):
    """A pair of fields that must be equal for two items to match."""

    field_a: str = Field(description="The field in input A's items (dot path).", min_length=1)
    field_b: str = Field(
        "", description="The field in input B's items (empty: the same name as in A)."
    )


class CompareDatasetsParams(Params):
    """Parameters of the Compare Datasets node."""

    match_fields: list[MatchField] = Field(
        default_factory=list,
        description="The key fields: items of A and B match when all of these are equal.",
        json_schema_extra=ui("collection"),
    )
    skip_fields: list[str] = Field(
        default_factory=list,
        description="Fields left out when deciding whether matched items are the same "
        "(e.g. 'updated_at').",
    )
    loose_types: bool = Field(
        False,
        description="Compare values loosely: the number 1 equals the text '1', true equals 'true'.",
    )
    on_multiple: Literal["first", "all"] = Field(
        "first",
        description="When several B items match an A item: compare with the first, or with "
        "each (one output per pair).",
    )


SPEC = NodeSpec(
    type="core.compare_datasets",
    version=1,
    title="Compare Datasets",
    description="Match the items of two inputs by key fields and see which are only in A, "
    "the same, different, or only in B.",
    category="Data",
    icon="git-compare",
    params=CompareDatasetsParams,
    inputs=(Port("input_a", "Input A"), Port("input_b", "Input B")),
    outputs=(
        Port("in_a_only", "In A only"),
        Port("same", "Same"),
        Port("different", "Different"),
        Port("in_b_only", "In B only"),
    ),
    run="nodes.core.compare_datasets.run:execute",
    docs=load_docs(__file__),
)
