"""Merge: combines the items of two inputs (append, join on fields, by position, ...)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import field_validator, model_validator

from engine.sdk import Field, NodeSpec, Params, Port, load_docs, ui


class MatchField(Params):
    """A pair of fields that must be equal for two items to match."""

    field1: str = Field(
        description="Field of the input 1 items (dot path, e.g. 'user.id').", min_length=1
    )
    field2: str = Field(description="Field of the input 2 items.", min_length=1)


class MergeParams(Params):
    mode: Literal[
        "append", "combine_by_fields", "combine_by_position", "combine_all", "choose_branch"
    ] = Field(
        "append",
        description="append: input 1 items then input 2 items; combine_by_fields: "
        "join items whose fields match; combine_by_position: merge the 1st with the 1st, 2nd "
        "with 2nd...; combine_all: every pair (cross join); choose_branch: output one "
        "input's items (or one empty item) once both have arrived.",
        json_schema_extra=ui(
            labels={
                "append": "Append",
                "combine_by_fields": "Combine by matching fields",
                "combine_by_position": "Combine by position",
                "combine_all": "All combinations",
                "choose_branch": "Choose a branch",
            }
        ),
    )
    match_fields: list[MatchField] = Field(
        default_factory=list,
        description="combine_by_fields: the fields to match; a name "
        "alone (or comma-separated names) means the same field in both inputs.",
        json_schema_extra=ui("collection", show={"mode": ["combine_by_fields"]}),
    )
    join: Literal["inner", "left", "right", "outer", "keep_non_matches"] = Field(
        "inner",
        description="combine_by_fields: inner keeps matches only; left keeps every "
        "input 1 item (enriched when it matches); right keeps every input 2 item; outer keeps "
        "everything; keep_non_matches keeps only items without a match.",
        json_schema_extra=ui(
            show={"mode": ["combine_by_fields"]},
            labels={
                "inner": "Matches only (inner)",
                "left": "All of input 1 (left)",
                "right": "All of input 2 (right)",
                "outer": "Everything (outer)",
                "keep_non_matches": "Non-matches only",
            },
        ),
    )
    output_data_from: Literal["both", "input1", "input2"] = Field(
        "both",
        description="combine_by_fields with inner or keep_non_matches: output merged "
        "items ('both') or the items of one input only.",
        json_schema_extra=ui(
            show={"mode": ["combine_by_fields"], "join": ["inner", "keep_non_matches"]},
            labels={"both": "Both inputs merged", "input1": "Input 1", "input2": "Input 2"},
        ),
    )
    multiple_matches: Literal["all", "first"] = Field(
        "all",
        description="combine_by_fields: when an item matches several, output one item "
        "per match ('all') or only the first match.",
        json_schema_extra=ui(
            show={"mode": ["combine_by_fields"]},
            labels={"all": "All matches", "first": "First match only"},
        ),
    )
    fuzzy_compare: bool = Field(
        False,
        description="combine_by_fields: compare loosely, so 1 matches '1' and "
        "'Ada' matches 'ada '.",
        json_schema_extra=ui(show={"mode": ["combine_by_fields"]}),
    )
    include_unpaired: bool = Field(
        False,
        description="combine_by_position: when inputs have different lengths, output "
        "the extra items unmerged instead of dropping them.",
        json_schema_extra=ui(show={"mode": ["combine_by_position"]}),
    )
    choose_branch: Literal["input1", "input2", "empty"] = Field(
        "input1",
        description="choose_branch: output the input 1 items, the input 2 items, "
        "or a single empty item.",
        json_schema_extra=ui(
            show={"mode": ["choose_branch"]},
            labels={"input1": "Input 1", "input2": "Input 2", "empty": "A single empty item"},
        ),
    )
    clash_handling: Literal["prefer_input2", "prefer_input1", "add_suffix"] = Field(
        "prefer_input2",
        description="When merged items share a field: keep input 2's value, "
        "input 1's value, or rename all fields with suffixes '_1' and '_2'.",
        json_schema_extra=ui(
            hide={"mode": ["append", "choose_branch"]},
            labels={
                "prefer_input2": "Prefer input 2",
                "prefer_input1": "Prefer input 1",
                "add_suffix": "Add suffixes _1 and _2",
            },
        ),
    )
    deep_merge: bool = Field(
        True,
        description="Merge nested objects field by field (off: the preferred input's "
        "object replaces the other whole).",
        json_schema_extra=ui(hide={"mode": ["append", "choose_branch"]}),
    )
    override_empty: bool = Field(
        False,
        description="Let the other input's value win when the preferred input's value "
        "is empty (null, '', [] or {}).",
        json_schema_extra=ui(hide={"mode": ["append", "choose_branch"]}),
    )
    dot_notation: bool = Field(
        True,
        description="Treat dots in match fields as nested paths.",
        json_schema_extra=ui(show={"mode": ["combine_by_fields"]}),
    )

    @field_validator("match_fields", mode="before")
    @classmethod
    def _names(cls, v: Any) -> Any:
        if isinstance(v, str):
            v = [s.strip() for s in v.split(",") if s.strip()]
        if isinstance(v, list):
            return [
                {"field1": x.strip(), "field2": x.strip()} if isinstance(x, str) else x for x in v
            ]
        return v

    @model_validator(mode="after")
    def _check(self) -> MergeParams:
        if self.mode == "combine_by_fields" and not self.match_fields:
            raise ValueError(
                "Mode 'combine_by_fields' needs at least one pair of fields to "
                "match (match_fields), e.g. [{'field1': 'id', 'field2': "
                "'user_id'}]."
            )
        return self


SPEC = NodeSpec(
    type="core.merge",
    version=1,
    title="Merge",
    description="Combine the items of two branches: append, join on matching fields, pair by "
    "position, cross join, or wait for both and pick one.",
    category="Flow",
    icon="merge",
    params=MergeParams,
    run="nodes.core.merge.run:execute",
    inputs=(Port("input1", "Input 1"), Port("input2", "Input 2")),
    docs=load_docs(__file__),
    aliases=("n8n-nodes-base.merge",),
)
