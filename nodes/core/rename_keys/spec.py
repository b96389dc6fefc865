"""Rename Keys: renames fields of each item, by name or by regular expression."""

from __future__ import annotations

from typing import Any

from pydantic import field_validator, model_validator

from engine.sdk import Field, NodeSpec, Params, load_docs, ui
from engine.sdk.regex import RegexError, compile_regex


class KeyPair(Params):
    """A field to rename."""

    current: str = Field(
        description="The field's current name (dot path, e.g. 'user.fname').", min_length=1
    )
    new: str = Field(
        description="Its new name (dot path: 'user.first_name', or "
        "'first_name' to move it to the top level).",
        min_length=1,
    )


class RenameKeysParams(Params):
    keys: list[KeyPair] = Field(
        default_factory=list,
        description="Fields to rename, applied in order; an object {'old': 'new'} is accepted too.",
        json_schema_extra=ui("collection"),
    )
    regex: str = Field(
        "",
        description="Also rename every key matching this regular "
        "expression (empty: off), e.g. '^data_'.",
    )
    replace_with: str = Field(
        "", description="regex: the replacement; '\\1' or '$1' insert a captured group."
    )
    regex_case_insensitive: bool = Field(False, description="regex: ignore case when matching.")
    regex_depth: int = Field(
        0,
        ge=-1,
        description="regex: how deep to rename: 0 top-level "
        "keys only, 1 also their children..., -1 every level.",
    )
    dot_notation: bool = Field(True, description="Treat dots in names as nested paths.")

    @field_validator("keys", mode="before")
    @classmethod
    def _pairs(cls, v: Any) -> Any:
        if isinstance(v, dict):
            return [{"current": k, "new": n} for k, n in v.items()]
        return v

    @model_validator(mode="after")
    def _check(self) -> RenameKeysParams:
        if self.regex:
            try:
                compile_regex(self.regex, what="The 'regex' field")
            except RegexError as exc:
                raise ValueError(exc.message) from None
        if not self.keys and not self.regex:
            raise ValueError("Nothing to rename: add keys to rename or a regular expression.")
        return self


SPEC = NodeSpec(
    type="core.rename_keys",
    version=1,
    title="Rename Keys",
    description="Rename fields of each item, one by one or with a regular expression.",
    category="Transform",
    icon="text-cursor-input",
    params=RenameKeysParams,
    run="nodes.core.rename_keys.run:execute",
    docs=load_docs(__file__),
    aliases=("n8n-nodes-base.renameKeys",),
)
