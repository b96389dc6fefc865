"""Split Out: turns a list inside each item into one item per element."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import field_validator

from engine.sdk import Field, NodeSpec, Params, load_docs


def _name_list(v: Any) -> Any:
    if isinstance(v, str):
        return [s.strip() for s in v.split(",") if s.strip()]
    return v


class SplitOutParams(Params):
    field: list[str] = Field(
        min_length=1, description="The list field to split (dot path, e.g. 'order.lines'); "
        "several comma-separated fields are split side by side.")
    include: Literal["none", "all", "selected"] = Field(
        "none", description="Other fields to copy into each new item: none, all, or the "
        "selected ones.")
    include_fields: list[str] = Field(
        default_factory=list, description="include 'selected': the fields to copy.")
    destination: list[str] = Field(
        default_factory=list, description="Name of the field receiving each element (one "
        "per split field; empty: the split field's name, or an object element's own fields).")
    missing: Literal["error", "skip"] = Field(
        "error", description="When an item does not have the field: fail with an error, or "
        "skip the item.")
    include_binary: bool = Field(False, description="Copy the item's binary data into every "
                                 "new item.")
    dot_notation: bool = Field(True, description="Treat dots in field names as nested paths.")

    @field_validator("field", "include_fields", "destination", mode="before")
    @classmethod
    def _names(cls, v: Any) -> Any:
        return _name_list(v)


SPEC = NodeSpec(
    type="core.split_out",
    version=1,
    title="Split Out",
    description="Turn a list inside an item into separate items.",
    category="Transform",
    icon="ungroup",
    params=SplitOutParams,
    run="nodes.core.split_out.run:execute",
    docs=load_docs(__file__),
    aliases=("n8n-nodes-base.splitOut", "split"),
)
