"""Limit: keeps at most N items, from the start or the end."""

from __future__ import annotations

from typing import Literal

from engine.sdk import Field, NodeSpec, Params, load_docs


class LimitParams(Params):
    max_items: int = Field(1, ge=0, description="The most items to keep (0 keeps none).")
    keep: Literal["first", "last"] = Field(
        "first", description="Keep the first items or the last ones.")


SPEC = NodeSpec(
    type="core.limit",
    version=1,
    title="Limit",
    description="Keep only the first (or last) N items.",
    category="Transform",
    icon="list-end",
    params=LimitParams,
    run="nodes.core.limit.run:execute",
    docs=load_docs(__file__),
    aliases=("n8n-nodes-base.limit",),
)
