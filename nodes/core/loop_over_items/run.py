"""Loop Over Items: cuts the input into batches and runs the body workflow on each, in order.

The executor runs acyclic graphs, so the loop's body is a sub-workflow (run through
``ctx.run_workflow``, like Execute Workflow) instead of a back-edge on the canvas.
"""

from __future__ import annotations

from engine.errors import AuraError
from engine.sdk import Item, NodeContext, NodeExecutionError, PairedItem
from nodes.core.execute_workflow.run import _ref
from nodes.core.execute_workflow.spec import ExecuteWorkflowParams
from nodes.core.loop_over_items.spec import LoopOverItemsParams


def execute(ctx: NodeContext) -> dict[str, list[Item]]:
    """Runs every batch through the body workflow; 'done' gets the results in order."""
    p = ctx.params(0)
    assert isinstance(p, LoopOverItemsParams)
    items = ctx.items
    ref = _ref(
        ExecuteWorkflowParams(
            source=p.source, workflow_id=p.workflow_id, workflow_json=p.workflow_json
        )
    )
    done: list[Item] = []
    for number, start in enumerate(range(0, len(items), p.batch_size)):
        if number and p.pause_s:
            ctx.sleep(p.pause_s)
        ctx.check_cancelled()
        batch = items[start : start + p.batch_size]
        sent = [Item(json=dict(it.json), binary=it.binary) for it in batch]
        try:
            result = ctx.run_workflow(ref, sent, wait=True)
        except AuraError as exc:
            raise NodeExecutionError(
                f"Batch {number + 1} (items {start} to {start + len(batch) - 1}) failed in the "
                f"loop's workflow: {exc.message}",
                details={"batch": number, "first_item": start},
            ) from exc
        same = len(result) == len(batch)
        for k, it in enumerate(result):
            paired = [PairedItem(start + (k if same else 0))]
            done.append(Item(json=it.json, binary=it.binary, paired_item=paired))
    ctx.log.info("looped over %d items in %d batches", len(items), -(-len(items) // p.batch_size))
    return {"done": done}
