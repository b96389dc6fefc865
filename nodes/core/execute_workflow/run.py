"""Execute Workflow: hands items to ``ctx.run_workflow`` once, or once per item."""

from __future__ import annotations

import json
from typing import Any

from engine.sdk import Item, NodeContext, NodeExecutionError, PairedItem
from nodes.core.execute_workflow.spec import ExecuteWorkflowParams

_MAX_LINEAGE = 1000


def _ref(p: ExecuteWorkflowParams) -> str | dict[str, Any]:
    """The workflow id or definition to run."""
    if p.source == "id":
        ref = p.workflow_id.strip()
        if not ref:
            raise NodeExecutionError(
                "'Workflow id' is empty. Choose the workflow to run, or switch 'Source' to 'json'."
            )
        return ref
    definition: Any = p.workflow_json
    if isinstance(definition, str):
        try:
            definition = json.loads(definition)
        except json.JSONDecodeError as exc:
            raise NodeExecutionError(
                f"'Workflow JSON' is not valid JSON ({exc.msg} at line {exc.lineno} column "
                f"{exc.colno})."
            ) from None
    if (
        not isinstance(definition, dict)
        or not isinstance(definition.get("nodes"), list)
        or not definition["nodes"]
    ):
        raise NodeExecutionError(
            "'Workflow JSON' must be a workflow definition: an object with a 'nodes' list "
            "(and 'connections'), as exported from the editor."
        )
    return definition


def _outgoing(p: ExecuteWorkflowParams, item: Item) -> Item:
    """The item sent to the sub-workflow for ``item``."""
    binary = item.binary if p.include_binary else None
    if not p.input_fields:
        return Item(json=dict(item.json), binary=binary)
    return Item(json={f.name: f.value for f in p.input_fields}, binary=binary)


def _copy(items: list[Item], lineage: list[PairedItem] | None, by_index: bool) -> list[Item]:
    out: list[Item] = []
    for k, it in enumerate(items):
        paired = [PairedItem(k)] if by_index else lineage
        out.append(Item(json=it.json, binary=it.binary, paired_item=paired))
    return out


def execute(ctx: NodeContext) -> dict[str, list[Item]] | list[Item]:
    """Runs the sub-workflow and outputs its last node's items (or passes input on)."""
    items = ctx.input("main")
    if not items:
        return []
    first = ctx.params(0)
    assert isinstance(first, ExecuteWorkflowParams)
    if first.mode == "each":

        def one(item: Item, i: int) -> list[Item]:
            p = ctx.params(i)
            assert isinstance(p, ExecuteWorkflowParams)
            result = ctx.run_workflow(_ref(p), [_outgoing(p, item)], wait=p.wait)
            if not p.wait:
                return [item.derive(index=i)]
            return _copy(result, [PairedItem(i)], by_index=False)

        return ctx.map(one)
    ref = _ref(first)
    outgoing = []
    for i, item in enumerate(items):
        p = ctx.params(i) if first.input_fields else first
        assert isinstance(p, ExecuteWorkflowParams)
        outgoing.append(_outgoing(p, item))
    ctx.log.info(
        "running sub-workflow %s with %d item(s)",
        ref if isinstance(ref, str) else repr(ref.get("name", "(json)")),
        len(items),
    )
    result = ctx.run_workflow(ref, outgoing, wait=first.wait)
    if not first.wait:
        return [item.derive(index=i) for i, item in enumerate(items)]
    if len(result) == len(items):
        return _copy(result, None, by_index=True)
    lineage = [PairedItem(k) for k in range(min(len(items), _MAX_LINEAGE))]
    return _copy(result, lineage, by_index=False)
