"""``/api/v1/executions``: list (filters and paging), read with node runs, retry, cancel
and delete recorded executions."""

from __future__ import annotations

from typing import Any

from pydantic import AwareDatetime, Field
from starlette.responses import Response

from engine.services import access
from engine.services import executions as exec_services
from engine.services.executions import ExecutionMode, ExecutionStatus
from engine.services.store import get_store
from studio.api.routing import Call, Router
from studio.api.schemas import In, Out, Page, PageQuery
from studio.api.serialize import json_response

__all__ = ["router"]

router = Router("Executions")


class ExecutionQuery(PageQuery):
    workflow_id: str | None = Field(None, max_length=64, description="Only this workflow.")
    status: ExecutionStatus | None = Field(None, description="Only this status.")
    mode: ExecutionMode | None = Field(None, description="Only what started them this way.")
    since: AwareDatetime | None = Field(
        None,
        description="Created at or after (ISO 8601 with a time zone, e.g. 2025-01-31T00:00:00Z).",
    )
    until: AwareDatetime | None = Field(
        None, description="Created before (ISO 8601 with a time zone)."
    )


class ExecutionSummary(Out):
    id: str
    workflow_id: str | None = None
    workflow_name: str
    mode: str
    status: str
    created_at: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    duration_ms: float | None = None
    error: dict[str, Any] | None = None
    attempt: int
    retry_of: str | None = None


class NodeRunOut(Out):
    node: str
    type: str
    status: str
    outputs: dict[str, Any]
    error: dict[str, Any] | None = None


class ExecutionOut(ExecutionSummary):
    node_runs: list[NodeRunOut]


class WaitQuery(In):
    wait: bool = Field(False, description="Wait for the new execution to end.")


class StartedOut(Out):
    execution_id: str
    status: str
    execution: dict[str, Any] | None = None


@router.get(
    "/executions",
    action="execution:read",
    summary="List executions",
    query=ExecutionQuery,
    response=Page[ExecutionSummary],
)
def list_executions(call: Call) -> dict[str, Any]:
    """Newest first, filtered by workflow, status, mode and creation time."""
    q = call.query
    rows, total = access.executions(
        call.principal,
        limit=q.limit,
        offset=q.offset,
        workflow_id=q.workflow_id,
        status=q.status,
        mode=q.mode,
        since=q.since,
        until=q.until,
    )
    return {
        "items": [exec_services.summary(r) for r in rows],
        "total": total,
        "limit": q.limit,
        "offset": q.offset,
    }


def _row(call: Call, action: str = "execution:read") -> Any:
    """The execution of the path once the caller may ``action`` on it (404 when they
    may not even see it)."""
    row = access.execution(call.principal, call.path["id"], action)
    call.authorized = True
    return row


@router.get(
    "/executions/{id}",
    action="execution:read",
    summary="Get an execution",
    response=ExecutionOut,
    errors=(404,),
    scope="handler",
)
def get_execution(call: Call) -> dict[str, Any]:
    """The execution with each node run, its output items and errors."""
    return exec_services.get(_row(call).id)


@router.post(
    "/executions/{id}/retry",
    action="workflow:execute",
    summary="Retry an execution",
    query=WaitQuery,
    response=StartedOut,
    status=202,
    errors=(404, 409),
    scope="handler",
    audit="execution.retried",
)
def retry_execution(call: Call) -> Response:
    """Runs a failed, crashed or cancelled execution again with the same input."""
    eid = _row(call, "workflow:execute").id
    got = call.runner.retry(eid, wait=call.query.wait)
    if isinstance(got, str):  # queued: its id
        return json_response(
            {"execution_id": got, "status": "queued"},
            202,
            {"Location": f"/api/v1/executions/{got}"},
        )
    return json_response(  # waited for: its outcome
        {
            "execution_id": got.execution_id,
            "status": got.status,
            "execution": exec_services.get(got.execution_id),
        },
        200,
    )


@router.post(
    "/executions/{id}/cancel",
    action="execution:cancel",
    summary="Cancel an execution",
    response=ExecutionSummary,
    errors=(404, 409),
    scope="handler",
    audit="execution.cancelled",
)
def cancel_execution(call: Call) -> dict[str, Any]:
    """Stops a queued, waiting or running execution; 409 if it already finished."""
    eid = _row(call, "execution:cancel").id
    call.runner.cancel(eid)
    return exec_services.summary(get_store().executions.get(eid))


@router.delete(
    "/executions/{id}",
    action="execution:delete",
    summary="Delete an execution",
    status=204,
    errors=(404, 409),
    scope="handler",
    audit="execution.deleted",
)
def delete_execution(call: Call) -> None:
    """Deletes a finished execution and its data; 409 while it runs."""
    eid = _row(call, "execution:delete").id
    get_store().executions.delete(eid)
