"""Change: Node-RED's change rules (set, change, delete, move) applied in order to each
item and to the workflow's shared context (``flow`` and ``global``), with values typed as
Node-RED types them, JSONata included."""

from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from engine.sdk import Field, NodeSpec, Params, load_docs, ui

ValueType = Literal["str", "num", "bool", "json", "msg", "flow", "global", "jsonata", "env", "date"]
Target = Literal["msg", "flow", "global"]


class ChangeRule(Params):
    """One rule; rules run in order, so a rule sees what the rules before it did."""

    action: Literal["set", "change", "delete", "move"] = Field(
        "set",
        description="set: give the property a value; change: replace text in it; delete: "
        "remove it; move: move its value to another property.",
    )
    target: Target = Field(
        "msg",
        description="Where the property lives: msg (the item), flow (shared by this "
        "workflow's nodes and runs) or global (Node-RED's global context, kept per workflow).",
    )
    property: str = Field(
        description="The property, a dot path such as 'payload' or 'user.name'.", min_length=1
    )
    value: str = Field(
        "",
        description="set: the value, read as value_type says; change: the replacement; "
        "move: the property to move to.",
    )
    value_type: ValueType = Field(
        "str",
        description="How 'value' is read: str text, num number, bool true/false, json JSON, "
        "msg/flow/global another property, jsonata a JSONata expression over the item, env "
        "an environment variable, date the current time in milliseconds.",
    )
    find: str = Field("", description="change: the text (or pattern) to replace.")
    find_type: Literal["str", "num", "bool", "re"] = Field(
        "str", description="change: 're' reads 'find' as a regular expression."
    )
    move_target: Target = Field("msg", description="move: where the destination property lives.")


class ChangeParams(Params):
    rules: list[ChangeRule] = Field(
        default_factory=list,
        description="The rules, applied in order to each item.",
        json_schema_extra=ui("collection"),
    )

    @model_validator(mode="after")
    def _check(self) -> ChangeParams:
        if not self.rules:
            raise ValueError("Add at least one rule.")
        return self


SPEC = NodeSpec(
    type="core.change",
    version=1,
    title="Change",
    description="Set, change, delete or move properties of each item and of the workflow's "
    "shared context, rule by rule (Node-RED's change node, JSONata values included).",
    category="Transform",
    icon="replace",
    params=ChangeParams,
    run="nodes.core.change.run:execute",
    docs=load_docs(__file__),
)
