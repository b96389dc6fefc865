"""RQ queues and workers for the operator console (``tui``, screen "Queues & workers").

* ``GET /api/v1/queues``: every queue with its job counts and worker count;
* ``GET /api/v1/queues/{name}/jobs?state=``: the jobs of one queue in one state;
* ``POST /api/v1/queues/{name}/jobs/{id}/requeue``: puts a failed job back on its queue;
* ``GET /api/v1/workers``: the RQ workers with their state and current job.

What each caller sees and may requeue is decided in :mod:`engine.services.queues`.

A job carries one execution id (its first argument, see
:func:`engine.runtimes.queue.enqueue`). A server that runs workflows in-process (no
``AURA_REDIS_URL``) answers 404 on all of these; the console then falls back on what
it can derive from executions.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from engine.services import queues
from studio.api.routing import Call, Router
from studio.api.schemas import In, Out

__all__ = ["router", "routers"]

router = Router("Queues")

JobState = Literal["queued", "started", "scheduled", "failed", "deferred"]


class QueueOut(Out):
    name: str
    queued: int
    started: int
    scheduled: int
    failed: int
    deferred: int
    workers: int = Field(description="Workers listening on this queue.")


class QueuesOut(Out):
    items: list[QueueOut]


class JobsQuery(In):
    state: JobState = Field(
        "queued", description="Which jobs: queued, started, scheduled, failed or deferred."
    )
    limit: int = Field(100, ge=1, le=1000, description="At most this many jobs.")


class JobOut(Out):
    id: str
    execution_id: str | None
    status: str | None
    enqueued_at: datetime | None
    ended_at: datetime | None
    exc_info: str | None = Field(description="The failure's traceback (last 2000 characters).")


class JobsOut(Out):
    items: list[JobOut]


class WorkerOut(Out):
    name: str
    state: str
    queues: list[str]
    current_job_id: str | None
    current_execution_id: str | None
    hostname: str | None
    pid: int | None
    last_heartbeat: datetime | None
    successful_jobs: int
    failed_jobs: int


class WorkersOut(Out):
    items: list[WorkerOut]


@router.get(
    "/queues",
    action="execution:read",
    summary="List queues",
    response=QueuesOut,
    errors=(404,),
    scope="service",
)
def list_queues(call: Call) -> dict[str, Any]:
    """Every RQ queue with its queued, started, scheduled, failed and deferred job
    counts and how many workers listen on it. 404 when this server has no Redis.
    Owners and admins count every job; others the jobs of executions they may see."""
    return {"items": queues.list_queues(call.principal)}


@router.get(
    "/queues/{name}/jobs",
    action="execution:read",
    summary="List a queue's jobs",
    query=JobsQuery,
    response=JobsOut,
    errors=(404,),
    scope="service",
)
def list_jobs(call: Call) -> dict[str, Any]:
    """The jobs of one queue in one state (default queued), with their execution id and,
    for failed jobs, the end of the traceback: only jobs of executions the caller may
    see (owners and admins: every job)."""
    q = call.query
    return {"items": queues.list_jobs(call.principal, call.path["name"], q.state, q.limit)}


@router.post(
    "/queues/{name}/jobs/{id}/requeue",
    action="execution:cancel",
    summary="Requeue a failed job",
    response=JobOut,
    errors=(404, 409),
    scope="service",
)
def requeue_job(call: Call) -> dict[str, Any]:
    """Puts a failed job back on its queue (the worker runs its execution again if it
    is still queued). 404 for an unknown job or one of an execution the caller may not
    see, 403 when they may only read it, 409 when the job has not failed."""
    return queues.requeue(call.principal, call.path["name"], call.path["id"])


@router.get(
    "/workers",
    action="execution:read",
    summary="List workers",
    response=WorkersOut,
    errors=(404,),
    scope="service",
)
def list_workers(call: Call) -> dict[str, Any]:
    """The RQ workers: state (idle, busy, suspended...), queues, the job and execution
    they are running (when the caller may see it), host, pid, last heartbeat and job
    counts."""
    return {"items": queues.list_workers(call.principal)}


def routers() -> list[Router]:
    """The queues router."""
    return [router]
