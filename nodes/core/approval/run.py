"""Approval: records a request in the approvals inbox and parks the execution (no worker
held) until a person of the workflow's project decides, or the limit passes. On resume
the items leave by ``approved``, ``rejected`` or ``timeout``, each with ``approval``
(status, who decided, comment) added."""

from __future__ import annotations

from datetime import timedelta

from engine.sdk import Item, NodeContext, WaitRequested
from engine.sdk.approvals import request_approval
from nodes.core.approval.spec import ApprovalParams

_UNIT_S = {"minutes": 60.0, "hours": 3600.0, "days": 86400.0}


def execute(ctx: NodeContext) -> list[Item]:
    """Asks once for all items, then parks."""
    p = ctx.params(0)
    assert isinstance(p, ApprovalParams)
    items = ctx.input("main")
    seconds = p.limit_amount * _UNIT_S[p.limit_unit] if p.limit_wait else None
    approval_id = request_approval(
        ctx.execution.id,
        ctx.node.name,
        title=p.title or f"Approve '{ctx.node.name}'",
        details={"text": p.details, "items": len(items), "first": items[0].json if items else None},
        timeout_s=seconds,
    )
    until = ctx.now() + timedelta(seconds=seconds) if seconds is not None else None
    raise WaitRequested(
        until=until,
        resume="external",
        options={"approval_id": approval_id, "ports": {"time": "timeout"}},
    )
