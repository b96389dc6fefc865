"""Sort: orders items by fields, by an expression, randomly, or reverses them."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import field_validator, model_validator

from engine.sdk import Field, NodeSpec, Params, load_docs, ui


class SortField(Params):
    """A field to sort by and its direction."""

    field: str = Field(description="The field to sort by (dot path, e.g. 'user.age').",
                       min_length=1)
    order: Literal["asc", "desc"] = Field("asc", description="asc: smallest first; desc: "
                                          "largest first.")


class SortParams(Params):
    type: Literal["simple", "random", "reverse", "expression"] = Field(
        "simple", description="simple: by fields; random: shuffle; reverse: reverse the "
        "current order; expression: by a key computed per item.",
        json_schema_extra=ui(expression=False))
    fields: list[SortField] = Field(
        default_factory=list, description="simple: the fields to sort by, most important "
        "first; a name alone means ascending.", json_schema_extra=ui("collection"))
    key: Any = Field(None, description="expression: the sort key of each item, e.g. "
                     "'{{ $json.last_name + $json.first_name }}'.")
    key_order: Literal["asc", "desc"] = Field("asc", description="expression: direction of "
                                              "the key.")
    seed: int | None = Field(None, description="random: a seed for a repeatable shuffle "
                             "(empty: different every run).")
    case_sensitive: bool = Field(True, description="Compare text with case ('B' before 'a'); "
                                 "off: alphabetical regardless of case.")
    dot_notation: bool = Field(True, description="Treat dots in field names as nested paths.")

    @field_validator("fields", mode="before")
    @classmethod
    def _names(cls, v: Any) -> Any:
        if isinstance(v, str):
            v = [s.strip() for s in v.split(",") if s.strip()]
        if isinstance(v, list):
            return [{"field": x} if isinstance(x, str) else x for x in v]
        return v

    @model_validator(mode="after")
    def _check(self) -> SortParams:
        if self.type == "simple" and not self.fields:
            raise ValueError("Sort type 'simple' needs at least one field to sort by.")
        return self


SPEC = NodeSpec(
    type="core.sort",
    version=1,
    title="Sort",
    description="Order items by fields or an expression, shuffle or reverse them.",
    category="Transform",
    icon="arrow-down-up",
    params=SortParams,
    run="nodes.core.sort.run:execute",
    docs=load_docs(__file__),
    aliases=("n8n-nodes-base.sort", "sort"),
)
