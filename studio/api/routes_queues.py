"""RQ queues and workers for the operator console (``tui``, screen "Queues & workers").

* ``GET /api/v1/queues``: every queue with its job counts and worker count;
* ``GET /api/v1/queues/{name}/jobs?state=``: the jobs of one queue in one state;
* ``POST /api/v1/queues/{name}/jobs/{id}/requeue``: puts a failed job back on its queue;
* ``GET /api/v1/workers``: the RQ workers with their state and current job.

A job carries one execution id (its first argument, see
:func:`engine.runtimes.queue.enqueue`). A server that runs workflows in-process (no
``AURA_REDIS_URL``) answers 404 on all of these; the console then falls back on what
it can derive from executions.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from engine.errors import ConflictError, NotFoundError
from studio.api.routing import Call, Router
from studio.api.schemas import In, Out

__all__ = ["router", "routers"]

router = Router("Queues")

EXC_INFO_CHARS = 2000
NO_QUEUES = "this server runs workflows in-process; there are no queues (set AURA_REDIS_URL)"
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
    state: JobState = Field("queued", description="Which jobs: queued, started, "
                            "scheduled, failed or deferred.")
    limit: int = Field(100, ge=1, le=1000, description="At most this many jobs.")


class JobOut(Out):
    id: str
    execution_id: str | None
    status: str | None
    enqueued_at: datetime | None
    ended_at: datetime | None
    exc_info: str | None = Field(description="The failure's traceback (last 2000 "
                                 "characters).")


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


def _connection() -> Any:
    from engine.runtimes import redis_configured, redis_connection

    if not redis_configured():
        raise NotFoundError(NO_QUEUES)
    return redis_connection()


def _registry(queue: Any, state: str) -> Any:
    return {"started": queue.started_job_registry, "scheduled": queue.scheduled_job_registry,
            "failed": queue.failed_job_registry,
            "deferred": queue.deferred_job_registry}[state]


def _execution_id(job: Any) -> str | None:
    try:
        args = job.args
    except Exception:  # undecodable payload: still list the job
        return None
    return str(args[0]) if args else None


def _text(value: Any) -> str | None:
    """An RQ status (a str enum, or the plain string read back from Redis) as text."""
    return None if value is None else str(getattr(value, "value", value))


def _job(job: Any) -> dict[str, Any]:
    try:
        result = job.latest_result()
        exc = result.exc_string if result is not None else None
    except Exception:
        exc = None
    try:
        status = _text(job.get_status(refresh=False))
    except Exception:
        status = None
    return {"id": job.id, "execution_id": _execution_id(job), "status": status,
            "enqueued_at": job.enqueued_at, "ended_at": job.ended_at,
            "exc_info": exc[-EXC_INFO_CHARS:] if exc else None}


@router.get("/queues", action="execution:read", summary="List queues", response=QueuesOut,
            errors=(404,))
def list_queues(call: Call) -> dict[str, Any]:
    """Every RQ queue with its queued, started, scheduled, failed and deferred job
    counts and how many workers listen on it. 404 when this server has no Redis."""
    from rq import Queue, Worker

    conn = _connection()
    listening: dict[str, int] = {}
    for w in Worker.all(connection=conn):
        for queue_name in w.queue_names():
            listening[queue_name] = listening.get(queue_name, 0) + 1
    items = []
    for q in sorted(Queue.all(connection=conn), key=lambda q: q.name):
        items.append({"name": q.name, "queued": q.count,
                      "started": q.started_job_registry.count,
                      "scheduled": q.scheduled_job_registry.count,
                      "failed": q.failed_job_registry.count,
                      "deferred": q.deferred_job_registry.count,
                      "workers": listening.get(q.name, 0)})
    return {"items": items}


@router.get("/queues/{name}/jobs", action="execution:read", summary="List a queue's jobs",
            query=JobsQuery, response=JobsOut, errors=(404,))
def list_jobs(call: Call) -> dict[str, Any]:
    """The jobs of one queue in one state (default queued), with their execution id and,
    for failed jobs, the end of the traceback."""
    from rq import Queue
    from rq.job import Job

    conn = _connection()
    queue = Queue(call.path["name"], connection=conn)
    limit = call.query.limit
    if call.query.state == "queued":
        ids = queue.get_job_ids(0, limit)
    else:
        ids = _registry(queue, call.query.state).get_job_ids(0, limit - 1)
    jobs = Job.fetch_many(ids[:limit], connection=conn)
    return {"items": [_job(j) for j in jobs if j is not None]}


@router.post("/queues/{name}/jobs/{id}/requeue", action="execution:cancel",
             summary="Requeue a failed job", response=JobOut, errors=(404, 409))
def requeue_job(call: Call) -> dict[str, Any]:
    """Puts a failed job back on its queue (the worker runs its execution again if it
    is still queued). 404 for an unknown job, 409 when the job has not failed."""
    from rq import Queue
    from rq.exceptions import InvalidJobOperation, NoSuchJobError
    from rq.job import Job

    conn = _connection()
    name, job_id = call.path["name"], call.path["id"]
    try:
        job = Job.fetch(job_id, connection=conn)
    except NoSuchJobError:
        raise NotFoundError(f"No job {job_id!r} in queue {name!r}.",
                            details={"queue": name, "id": job_id}) from None
    if job.origin != name:
        raise NotFoundError(f"No job {job_id!r} in queue {name!r}.",
                            details={"queue": name, "id": job_id})
    registry = Queue(name, connection=conn).failed_job_registry
    if job_id not in registry.get_job_ids(cleanup=False):
        status = _job(job)["status"]
        raise ConflictError(f"Job {job_id} is {status}; only failed jobs can be requeued.",
                            details={"queue": name, "id": job_id, "status": status})
    try:
        job = registry.requeue(job)
    except InvalidJobOperation:  # requeued by somebody else meanwhile
        raise ConflictError(f"Job {job_id} is no longer failed.",
                            details={"queue": name, "id": job_id}) from None
    return _job(job)


@router.get("/workers", action="execution:read", summary="List workers",
            response=WorkersOut, errors=(404,))
def list_workers(call: Call) -> dict[str, Any]:
    """The RQ workers: state (idle, busy, suspended...), queues, the job and execution
    they are running, host, pid, last heartbeat and job counts."""
    from rq import Worker
    from rq.job import Job

    conn = _connection()
    items = []
    for w in sorted(Worker.all(connection=conn), key=lambda w: w.name):
        current = w.get_current_job_id()
        execution_id = None
        if current:
            job = Job.fetch_many([current], connection=conn)[0]
            execution_id = _execution_id(job) if job is not None else None
        items.append({"name": w.name, "state": _text(w.get_state()),
                      "queues": w.queue_names(), "current_job_id": current,
                      "current_execution_id": execution_id, "hostname": w.hostname,
                      "pid": w.pid, "last_heartbeat": w.last_heartbeat,
                      "successful_jobs": w.successful_job_count,
                      "failed_jobs": w.failed_job_count})
    return {"items": items}


def routers() -> list[Router]:
    """The queues router."""
    return [router]
