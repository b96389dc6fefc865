"""Chat Trigger: outputs the chat message item (``chat_input``, ``session_id``) it was
started with; run by hand without one, an item with an empty message."""

from __future__ import annotations

from engine.sdk import Item, NodeContext


def execute(ctx: NodeContext) -> list[Item]:
    items = ctx.input("main")
    return [Item(json=dict(i.json)) for i in items] or [
        Item(json={"chat_input": "", "session_id": ""})
    ]
