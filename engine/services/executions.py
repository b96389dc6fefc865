"""Execution services: start executions (:func:`start` a :class:`RunSpec`, get a
:class:`RunHandle`; see :mod:`engine.services.execution_start`), wait for, cancel, list
and show them, and say where runs go by default (:func:`default_runtime`)."""

from __future__ import annotations

from typing import Any

from engine.errors import NotFoundError, ValidationError
from engine.executor import ExecutionHooks, ExecutionResult, NodeRunRecord
from engine.services.execution_start import (
    RunHandle,
    RunSpec,
    Runtime,
    default_runtime,
    record,
    retry_spec,
    start,
)
from engine.services.store import get_store
from engine.store.enums import FINISHED, ExecutionMode, ExecutionStatus

__all__ = [
    "FINISHED",
    "ExecutionHooks",
    "ExecutionMode",
    "ExecutionResult",
    "ExecutionStatus",
    "NodeRunRecord",
    "RunHandle",
    "RunSpec",
    "Runtime",
    "cancel",
    "default_runtime",
    "get",
    "list_",
    "record",
    "retry_spec",
    "start",
    "summary",
    "wait",
]


def cancel(execution_id: str) -> None:
    """Cancels an execution: a queued or waiting one at once, a running one at its next
    node boundary (:func:`engine.runtimes.cancel`).

    Raises:
        NotFoundError: no such execution.
        ConflictError: it has already finished.
    """
    from engine.runtimes import cancel as cancel_execution

    cancel_execution(execution_id)


def wait(execution_id: str, timeout_s: float) -> Any:
    """The execution row once it has finished (succeeded, failed, cancelled, crashed),
    woken by the worker's "done" message when Redis is configured.

    Raises:
        NotFoundError: no such execution.
        WaitTimeout: still not finished after ``timeout_s`` (it keeps running; 504).
    """
    return RunHandle(execution_id).result(timeout_s)


def summary(row: Any) -> dict[str, Any]:
    dur = None
    if row.started_at and row.finished_at:
        dur = (row.finished_at - row.started_at).total_seconds() * 1000
    return {
        "id": row.id,
        "workflow_id": row.workflow_id,
        "workflow_name": row.workflow_name,
        "mode": row.mode,
        "status": row.status,
        "created_at": row.created_at.isoformat() if row.created_at else None,
        "started_at": row.started_at.isoformat() if row.started_at else None,
        "finished_at": row.finished_at.isoformat() if row.finished_at else None,
        "duration_ms": dur,
        "error": row.error,
        "attempt": row.attempt,
        "retry_of": row.retry_of,
    }


def _resolve(id: str) -> Any:
    from sqlmodel import col, select

    from engine.store.models import Execution

    store = get_store()
    try:
        return store.executions.get(id)
    except NotFoundError:
        if len(id) < 6:
            raise
    with store.db.read() as s:
        rows = s.exec(select(Execution).where(col(Execution.id).startswith(id)).limit(2)).all()
    if len(rows) != 1:
        raise NotFoundError(f"No execution with id '{id}'. List them with 'aura execution list'.")
    return rows[0]


def get(id: str) -> dict[str, Any]:
    """An execution with its node runs, as the CLI and API show it."""
    store = get_store()
    row = _resolve(id)
    data = summary(row)
    data["node_runs"] = [
        {
            "node": r.node_name,
            "type": r.node_type,
            "type_version": r.type_version,
            "index": r.position,
            "status": r.status,
            "started_at": r.started_at.isoformat() if r.started_at else None,
            "finished_at": r.finished_at.isoformat() if r.finished_at else None,
            "duration_ms": (r.finished_at - r.started_at).total_seconds() * 1000
            if r.started_at and r.finished_at
            else None,
            "attempts": r.attempts,
            "input_counts": r.input_counts,
            "output_counts": r.output_counts,
            "outputs": r.output or {},
            "error": r.error,
            "logs": r.logs,
        }
        for r in store.node_runs.list(row.id)
    ]
    return data


def list_(
    *, workflow: str | None = None, status: str | None = None, limit: int = 20, offset: int = 0
) -> tuple[list[dict[str, Any]], int]:
    from engine.store.enums import ExecutionStatus

    if status is not None and status not in {s.value for s in ExecutionStatus}:
        raise ValidationError(
            f"Unknown status '{status}'; use one of {', '.join(s.value for s in ExecutionStatus)}."
        )
    wid = None
    if workflow:
        from engine.services.workflows import find

        wid = find(workflow).id
    rows, total = get_store().executions.list(
        workflow_id=wid, status=status, limit=limit, offset=offset
    )
    return [summary(r) for r in rows], total
