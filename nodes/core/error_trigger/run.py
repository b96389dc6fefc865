"""Error Trigger: outputs the failure description the runtime passes in, or a sample."""

from __future__ import annotations

import copy
from typing import Any

from engine.sdk import Item, NodeContext

SAMPLE: dict[str, Any] = {
    "execution": {
        "id": "231",
        "url": "/executions/231",
        "error": {
            "message": "Example error message",
            "type": "NodeExecutionError",
            "node": "HTTP Request",
        },
        "last_node_executed": "HTTP Request",
        "mode": "manual",
    },
    "workflow": {"id": "1", "name": "Example workflow"},
}


def execute(ctx: NodeContext) -> list[Item]:
    """The error items unchanged; in a manual run without one, a documented sample item."""
    items = ctx.input("main")
    if items:
        return [Item(json=it.json, binary=it.binary) for it in items]
    ctx.log.info("No failed execution was given: outputting a sample error item.")
    return [Item(json=copy.deepcopy(SAMPLE))]
