"""No Operation: outputs its input items as they are (lineage set)."""

from __future__ import annotations

from engine.sdk import Item, NodeContext


def execute(ctx: NodeContext) -> list[Item]:
    """Every main input item, unchanged, with binary data kept."""
    return [item.derive(index=i) for i, item in enumerate(ctx.input("main"))]
