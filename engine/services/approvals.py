"""Approvals (human in the loop): a sensitive tool call of an agent run, or an Approval
node of a workflow, waits — parked, no worker held — until a person approves or rejects
it from the studio, the console or the API, or until it expires.

* :func:`request_for_call` (the agent runner) asks once per tool call and reads the
  decision on later looks; :func:`inbox` lists what waits for the caller (pending
  approvals of the projects where they may decide); :func:`decide` records the decision
  and resumes the waiting run; :func:`expire_due` ends overdue ones (as ``expired``,
  which the run treats as a rejection) and resumes their runs.

A decision needs ``approval:decide`` in the approval's project (editors); an approval
the caller may not see does not exist for them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import col, select, update

from engine.auth.rbac import authorize, can
from engine.auth.types import Principal
from engine.errors import ConflictError, NotFoundError, ValidationError
from engine.services.store import get_store
from engine.store.models_agents import Approval
from engine.store.types import utcnow

__all__ = [
    "approval_dict",
    "decide",
    "expire_due",
    "get_approval",
    "inbox",
    "request_for_call",
]

DECISIONS = {"approve": "approved", "reject": "rejected"}
_resumers: dict[str, Any] = {}


def approval_dict(a: Approval) -> dict[str, Any]:
    """An approval as the API shows it."""
    return {
        "id": a.id,
        "execution_id": a.execution_id,
        "project_id": a.project_id,
        "kind": a.kind,
        "title": a.title,
        "subject": a.subject,
        "status": a.status,
        "requested_by": a.requested_by,
        "decided_by": a.decided_by,
        "comment": a.comment,
        "created_at": a.created_at.isoformat(),
        "decided_at": a.decided_at.isoformat() if a.decided_at else None,
        "expires_at": a.expires_at.isoformat() if a.expires_at else None,
    }


def on_decision(kind: str, resume: Any) -> None:
    """Registers ``resume(execution_id)`` that wakes a run of ``kind`` (tool, node)."""
    _resumers[kind] = resume


def request_for_call(
    execution_id: str,
    call_id: str,
    *,
    title: str,
    subject: dict[str, Any],
    project_id: str | None,
    requested_by: str | None,
    timeout_s: float | None,
    kind: str = "tool",
) -> tuple[str | None, str]:
    """The decision on ``call_id`` of the execution (approved, rejected, expired; None
    while pending) and the approval's id. The first look creates the pending request."""
    store = get_store()
    with store.db.write() as s:
        rows = s.exec(
            select(Approval).where(
                col(Approval.execution_id) == execution_id, col(Approval.kind) == kind
            )
        ).all()
        found = next((a for a in rows if (a.subject or {}).get("call_id") == call_id), None)
        if found is None:
            found = Approval(
                execution_id=execution_id,
                project_id=project_id,
                kind=kind,
                title=title[:500],
                subject={**subject, "call_id": call_id},
                requested_by=requested_by,
                expires_at=utcnow() + timedelta(seconds=timeout_s) if timeout_s else None,
            )
            s.add(found)
            return None, found.id
        if found.status == "pending" and found.expires_at and found.expires_at <= utcnow():
            found.status, found.decided_at = "expired", utcnow()
            s.add(found)
    return (None if found.status == "pending" else found.status), found.id


def _visible(principal: Principal, a: Approval) -> bool:
    return can(principal, "execution:read", project_id=a.project_id)


def get_approval(principal: Principal, approval_id: str) -> dict[str, Any]:
    """One approval the caller may see (overdue ones are expired first)."""
    expire_due()
    with get_store().db.read() as s:
        a = s.get(Approval, approval_id)
    if a is None or not _visible(principal, a):
        raise NotFoundError(
            f"No approval {approval_id!r}. List what waits for you with 'aura agent inbox'.",
            details={"id": approval_id},
        )
    return approval_dict(a)


def inbox(
    principal: Principal, *, status: str = "pending", limit: int = 100
) -> list[dict[str, Any]]:
    """Approvals in ``status`` (default: pending) the caller may decide: pending ones
    oldest first, decided or expired ones newest decision first (overdue ones are
    expired first, and their runs resumed)."""
    expire_due()
    from engine.store.models import Execution

    with get_store().db.read() as s:
        stmt = select(Approval).where(col(Approval.status) == status)
        if status == "pending":  # a run cancelled while it waited asks nobody any more
            stmt = stmt.join(Execution, col(Execution.id) == col(Approval.execution_id)).where(
                col(Execution.status) == "waiting"
            )
            stmt = stmt.order_by(col(Approval.created_at))
        else:
            stmt = stmt.order_by(col(Approval.decided_at).desc())
        rows = s.exec(stmt.limit(limit * 5)).all()
    mine = [a for a in rows if can(principal, "approval:decide", project_id=a.project_id)]
    mine = [a for a in mine if a.assignee_id in (None, principal.user_id)]
    return [approval_dict(a) for a in mine[:limit]]


def decide(
    principal: Principal, approval_id: str, decision: str, comment: str = ""
) -> dict[str, Any]:
    """Approves or rejects a pending approval and resumes the run waiting for it.

    Raises:
        ValidationError: ``decision`` is not approve or reject.
        NotFoundError: no approval the caller may see.
        PermissionDenied: they may see but not decide it.
        ConflictError: it was decided already (or expired).
    """
    status = DECISIONS.get(decision)
    if status is None:
        raise ValidationError("Decide with 'approve' or 'reject'.")
    current = get_approval(principal, approval_id)
    authorize(principal, "approval:decide", project_id=current["project_id"])
    store = get_store()
    now = utcnow()
    with store.db.write() as s:
        result = s.exec(
            update(Approval)
            .where(col(Approval.id) == approval_id, col(Approval.status) == "pending")
            .values(
                status=status,
                decided_by=principal.user_id,
                decided_at=now,
                comment=(comment or "")[:2000],
            )
        )
    if not result.rowcount:
        latest = get_approval(principal, approval_id)
        raise ConflictError(
            f"This approval is {latest['status']} already; nothing to decide.",
            details={"status": latest["status"]},
        )
    from engine.services.auth import context

    context().audit(
        principal,
        f"approval.{status}",
        "approval",
        approval_id,
        {"execution_id": current["execution_id"]},
    )
    _wake(current["kind"], approval_id)
    return get_approval(principal, approval_id)


def _wake(kind: str, approval_id: str) -> None:
    """Resumes the run waiting for the (now decided or expired) approval."""
    with get_store().db.read() as s:
        a = s.get(Approval, approval_id)
    if a is None or not a.execution_id:
        return
    if kind == "node":
        _resume_node(a)
        return
    resume = _resumers.get(kind)
    if resume is None and kind == "tool":
        import engine.services.agent_runs  # noqa: F401 (registers the agent resumer)

        resume = _resumers.get(kind)
    if resume is not None:
        resume(a.execution_id)


PORTS = {"approved": "approved", "rejected": "rejected", "expired": "timeout"}


def _resume_node(a: Approval) -> None:
    """Resumes a workflow parked at an Approval node; its items leave by the port of the
    decision, each with ``approval`` (status, who, comment) added."""
    from engine.runtimes.resume import resume

    payload = {
        "kind": "approval",
        "port": PORTS.get(a.status, "timeout"),
        "merge": {
            "approval": {
                "id": a.id,
                "status": a.status,
                "decided_by": a.decided_by,
                "comment": a.comment,
            }
        },
    }
    try:
        resume(a.execution_id or "", payload)
    except (ConflictError, NotFoundError):
        return  # resumed already (its time limit), or cancelled meanwhile


def _request_for_node(
    execution_id: str, node: str, *, title: str, details: Any, timeout_s: float | None
) -> str:
    """The provider of :func:`engine.sdk.approvals.request_approval`."""
    from engine.store.types import new_id

    row = get_store().executions.get(execution_id)
    _, approval_id = request_for_call(
        execution_id,
        f"node:{node}:{new_id()}",
        title=title or f"Approve '{node}'",
        subject={"node": node, "workflow": row.workflow_name, "details": details},
        project_id=row.project_id,
        requested_by=row.principal_user_id,
        timeout_s=timeout_s,
        kind="node",
    )
    return approval_id


def expire_due(now: datetime | None = None) -> list[str]:
    """Marks pending approvals past their expiry ``expired`` and resumes their runs;
    returns their ids."""
    now = now or utcnow()
    store = get_store()
    with store.db.read() as s:
        rows = s.exec(
            select(Approval).where(
                col(Approval.status) == "pending",
                col(Approval.expires_at).is_not(None),
                col(Approval.expires_at) <= now,
            )
        ).all()
    out = []
    for a in rows:
        with store.db.write() as s:
            done = s.exec(
                update(Approval)
                .where(col(Approval.id) == a.id, col(Approval.status) == "pending")
                .values(status="expired", decided_at=now)
            ).rowcount
        if done:
            out.append(a.id)
            _wake(a.kind, a.id)
    return out


def _register() -> None:
    from engine.sdk.approvals import set_approval_provider

    set_approval_provider(_request_for_node)


_register()
