"""Stop and Error: raises a NodeExecutionError of type ``StopAndError``."""

from __future__ import annotations

import json
from typing import Any

from engine.sdk import Item, NodeContext, NodeExecutionError
from nodes.core.stop_and_error.spec import StopAndErrorParams

ERROR_TYPE = "StopAndError"


def _object(value: dict[str, Any] | str) -> dict[str, Any]:
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else {}
        except ValueError as exc:
            raise NodeExecutionError(f"'Error object' is not valid JSON: {exc}. Write an object "
                                     'such as {"message": "Order not found", "code": 404}.',
                                     ) from None
    if not isinstance(value, dict):
        raise NodeExecutionError("'Error object' must be a JSON object, such as "
                                 '{"message": "Order not found", "code": 404}.')
    return value


def execute(ctx: NodeContext) -> list[Item]:
    """Always raises; parameters are evaluated against the first input item."""
    p = ctx.params(0)
    assert isinstance(p, StopAndErrorParams)
    if p.error_type == "object":
        obj = _object(p.error_object)
        msg = obj.get("message") or obj.get("description") or obj.get("error")
        message = str(msg) if msg not in (None, "") else json.dumps(obj, ensure_ascii=False)
        raise NodeExecutionError(message or "An error occurred", node=ctx.node.name,
                                 details=obj, error_type=ERROR_TYPE)
    raise NodeExecutionError(p.message.strip() or "An error occurred", node=ctx.node.name,
                             error_type=ERROR_TYPE)
