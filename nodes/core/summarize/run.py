"""Summarize: the summarize mode of Aggregate, as a node of its own (as in n8n)."""

from __future__ import annotations

from engine.sdk import Item, NodeContext, NodeExecutionError, PairedItem
from nodes.core.aggregate._summarize import summarize
from nodes.core.aggregate.spec import AggregateParams
from nodes.core.summarize.spec import SummarizeParams


def execute(ctx: NodeContext) -> dict[str, list[Item]]:
    """One item per group (or one item listing the groups)."""
    p = ctx.params(0)
    assert isinstance(p, SummarizeParams)
    if not p.fields:
        raise NodeExecutionError(
            "Add at least one field to summarize (a field and how: count, sum, avg...)."
        )
    items = ctx.items
    if not items:
        return {"main": []}
    groups = summarize(
        items,
        AggregateParams(
            mode="summarize", summarize=p.fields, group_by=p.split_by, dot_notation=p.dot_notation
        ),
    )
    if p.output == "single":
        lineage = [PairedItem(k) for k in range(min(len(items), 1000))]
        return {"main": [Item(json={"groups": [g.json for g in groups]}, paired_item=lineage)]}
    return {"main": groups}
