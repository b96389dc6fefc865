"""Manual Trigger: outputs the run's input items, or one empty item."""

from __future__ import annotations

from engine.sdk import Item, NodeContext


def execute(ctx: NodeContext) -> list[Item]:
    items = ctx.input("main")
    return [Item(json=dict(i.json), binary=i.binary) for i in items] or [Item(json={})]
