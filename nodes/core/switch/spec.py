"""Switch: routes each item to one (or several) of many outputs, by rules or by an index."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import model_validator

from engine.sdk import Field, NodeSpec, Params, Port, load_docs, ui
from nodes.core.if_.conditions import Condition

MAX_OUTPUTS = 64


class SwitchRule(Params):
    """One rule: its conditions, and the output the matching items go to."""

    conditions: list[Condition] = Field(
        default_factory=list,
        description="Conditions of this rule (like the If node's); with none, every item matches.",
        json_schema_extra=ui("collection"),
    )
    combinator: Literal["and", "or"] = Field(
        "and",
        description="'and': every condition must hold; 'or': at least one.",
        json_schema_extra=ui(
            labels={"and": "AND: all conditions hold", "or": "OR: at least one condition holds"}
        ),
    )
    output_name: str = Field(
        "",
        description="Name shown on this rule's output (optional).",
        json_schema_extra=ui(expression=False),
    )


class SwitchParams(Params):
    mode: Literal["rules", "expression"] = Field(
        "rules",
        description="'rules': the first (or every) rule that matches picks the output; "
        "'expression': an expression computes the output index for each item.",
        json_schema_extra=ui(labels={"rules": "Rules", "expression": "Expression"}),
    )
    rules: list[SwitchRule] = Field(
        default_factory=list,
        description="Rules mode: one output per rule, in order (output_0, output_1, ...).",
        json_schema_extra=ui("collection", show={"mode": ["rules"]}),
        max_length=MAX_OUTPUTS,
    )
    fallback_output: Literal["none", "extra"] | int = Field(
        "none",
        description="Rules mode, items matching no rule: 'none' drops them, 'extra' "
        "sends them to an extra 'fallback' output, a number sends them to that rule's output.",
        json_schema_extra=ui(show={"mode": ["rules"]}),
    )
    fallback_name: str = Field(
        "",
        description="Name shown on the extra fallback output.",
        json_schema_extra=ui(
            expression=False, show={"mode": ["rules"], "fallback_output": ["extra"]}
        ),
    )
    all_matching_outputs: bool = Field(
        False,
        description="Rules mode: send an item to the output of every rule it matches "
        "instead of only the first.",
        json_schema_extra=ui(show={"mode": ["rules"]}),
    )
    case_sensitive: bool = Field(True, description="Compare strings with case.")
    loose_type_validation: bool = Field(
        False,
        description="Convert values to the operation's type ('3' to 3) instead of "
        "failing on a type mismatch.",
    )
    number_outputs: int = Field(
        4,
        ge=1,
        le=MAX_OUTPUTS,
        description="Expression mode: how many outputs the node has.",
        json_schema_extra=ui(expression=False, show={"mode": ["expression"]}),
    )
    output_index: Any = Field(
        0,
        description="Expression mode: the output index (0-based) for each item, e.g. "
        "'{{ $json.priority == \"high\" ? 0 : 1 }}'.",
        json_schema_extra=ui(show={"mode": ["expression"]}),
    )

    @model_validator(mode="after")
    def _check_fallback(self) -> SwitchParams:
        fb = self.fallback_output
        if self.mode == "rules" and isinstance(fb, int) and not 0 <= fb < len(self.rules):
            raise ValueError(
                f"fallback_output {fb} is not a rule output: the node has "
                f"{len(self.rules)} rules (outputs 0-{max(len(self.rules) - 1, 0)}). "
                "Use 'none', 'extra' or an existing output number."
            )
        return self


def _get(params: Any, name: str, default: Any) -> Any:
    if isinstance(params, dict):
        return params.get(name, default)
    return getattr(params, name, default)


def outputs_for(params: Any) -> tuple[Port, ...]:
    """One output per rule (plus 'fallback'), or ``number_outputs`` outputs in expression
    mode. Accepts a validated model, a partly built one or a plain dict."""
    if _get(params, "mode", "rules") == "expression":
        n = max(1, min(int(_get(params, "number_outputs", 4)), MAX_OUTPUTS))
        return tuple(Port(f"output_{i}", f"Output {i}") for i in range(n))
    rules = _get(params, "rules", None) or []
    ports = [
        Port(f"output_{i}", str(_get(r, "output_name", "") or f"Output {i}"))
        for i, r in enumerate(rules[:MAX_OUTPUTS])
    ]
    if _get(params, "fallback_output", "none") == "extra":
        ports.append(Port("fallback", str(_get(params, "fallback_name", "") or "Fallback")))
    return tuple(ports)


SPEC = NodeSpec(
    type="core.switch",
    version=1,
    title="Switch",
    description="Route items to different outputs by rules or by a computed output index.",
    category="Flow",
    icon="git-fork",
    params=SwitchParams,
    run="nodes.core.switch.run:execute",
    outputs=(Port("output_0", "Output 0"),),
    outputs_for=outputs_for,
    docs=load_docs(__file__),
    aliases=("n8n-nodes-base.switch", "switch"),
)
