"""Placeholder: stands in for a node another tool had and AURA has not (from an import)."""

from __future__ import annotations

from typing import Any

from engine.sdk import Field, NodeSpec, Params, Port, load_docs, ui


class PlaceholderParams(Params):
    original_type: str = Field(
        "",
        description="The node type in the tool it came from, "
        "e.g. 'n8n-nodes-base.telegram' or Node-RED 'tcp in'.",
        json_schema_extra=ui(expression=False),
    )
    original_version: Any = Field(
        None,
        description="The original node's type version.",
        json_schema_extra=ui(expression=False),
    )
    original_parameters: dict[str, Any] = Field(
        default_factory=dict,
        description="The original node's parameters, unchanged (never "
        "evaluated), so nothing is lost.",
        json_schema_extra=ui("json", expression=False),
    )
    reason: str = Field(
        "",
        description="Why the node could not be mapped, and what to do.",
        json_schema_extra=ui("textarea", expression=False),
    )
    outputs: list[str] = Field(
        default_factory=lambda: ["main"],
        description="Output ports, one per output of the "
        "original node (main, output_1, ...), so its connections are kept.",
        json_schema_extra=ui(expression=False),
    )


def outputs_for(params: Any) -> tuple[Port, ...]:
    """One port per name in ``outputs`` (``main`` when empty)."""
    names = params.get("outputs") if isinstance(params, dict) else getattr(params, "outputs", None)
    names = [n for n in names or [] if isinstance(n, str)] or ["main"]
    return tuple(Port(n) for n in names[:64])


SPEC = NodeSpec(
    type="core.placeholder",
    version=1,
    title="Placeholder",
    description="Stands in for an imported node AURA has no equivalent for; disabled, it "
    "passes items through. Replace it with a real node.",
    category="Utility",
    icon="circle-dashed",
    params=PlaceholderParams,
    run="nodes.core.placeholder.run:execute",
    outputs=(Port("main"),),
    outputs_for=outputs_for,
    docs=load_docs(__file__),
)
