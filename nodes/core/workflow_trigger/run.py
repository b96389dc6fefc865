"""Workflow Trigger: outputs the caller's items, checked against declared fields."""

from __future__ import annotations

from typing import Any

from engine.sdk import Item, NodeContext, NodeExecutionError
from nodes.core.if_._operators import (
    ConditionTypeError,
    to_array,
    to_boolean,
    to_number,
    to_object,
    to_string,
)
from nodes.core.workflow_trigger.spec import InputField, WorkflowTriggerParams

_CONVERT = {"string": to_string, "number": to_number, "boolean": to_boolean,
            "array": to_array, "object": to_object}


def _check(field: InputField, value: Any, convert: bool, index: int) -> Any:
    if field.type == "any" or value is None:
        return value
    try:
        return _CONVERT[field.type](value, convert, "passed")
    except ConditionTypeError:
        shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
        hint = "" if convert else " Turn on 'convert types' or pass"
        raise NodeExecutionError(
            f"Item {index}: input field '{field.name}' must be {field.type} but the caller "
            f"passed {shown}.{hint or ' Pass'} a {field.type} from the calling workflow.",
            details={"item_index": index, "field": field.name}) from None


def _shape(item: Item, i: int, p: WorkflowTriggerParams) -> dict[str, Any]:
    out: dict[str, Any] = dict(item.json) if p.keep_other_fields else {}
    for f in p.fields:
        if f.name not in item.json or (item.json[f.name] is None and f.required):
            if f.required:
                raise NodeExecutionError(
                    f"Item {i}: the calling workflow did not pass the required field "
                    f"'{f.name}'. Pass it from the Execute Workflow node, or make the field "
                    "optional.", details={"item_index": i, "field": f.name})
            out[f.name] = None
            continue
        out[f.name] = _check(f, item.json[f.name], p.convert_types, i)
    return out


def execute(ctx: NodeContext) -> dict[str, list[Item]]:
    """Caller's items; in a manual run without items, one sample item (fields null)."""
    p = ctx.params(0)
    assert isinstance(p, WorkflowTriggerParams)
    items = ctx.input("main")
    if not items and ctx.execution.mode != "subworkflow":
        ctx.log.info("Not called by a workflow: outputting a sample item.")
        return {"main": [Item(json={f.name: None for f in p.fields})]}
    if p.input_source == "accept_all":
        return {"main": [it.derive(index=i) for i, it in enumerate(items)]}
    return ctx.map(lambda item, i: _shape(item, i, p))
