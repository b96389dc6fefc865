"""RQ queues, jobs and workers as operators see them (``/api/v1/queues``, ``/workers``,
the console's "Queues & workers" screen), trimmed to what the caller may see.

AURA enqueues each execution as one job whose id (and only argument) is the execution
id (:func:`engine.runtimes.enqueue`). Owners and admins see every job and count;
everybody else sees the jobs of executions they may read
(:mod:`engine.services.access`): counts of those only, no other project's job ids,
tracebacks or current jobs of workers. Requeueing needs ``execution:cancel`` on the
job's execution; a job the caller may not read is "no such job" (404).

Without ``AURA_REDIS_URL`` (executions run in-process) every function raises
NotFoundError saying so.
"""

from __future__ import annotations

import re
from typing import Any

from engine.auth.rbac import authorize
from engine.auth.types import Principal
from engine.errors import ConflictError, NotFoundError
from engine.services import access

__all__ = ["JOB_STATES", "NO_QUEUES", "list_jobs", "list_queues", "list_workers", "requeue"]

EXC_INFO_CHARS = 2000
NO_QUEUES = "this server runs workflows in-process; there are no queues (set AURA_REDIS_URL)"
JOB_STATES = ("queued", "started", "scheduled", "failed", "deferred")
_JOB_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")  # what RQ accepts as a job id


def _connection() -> Any:
    from engine.runtimes import redis_configured, redis_connection

    if not redis_configured():
        raise NotFoundError(NO_QUEUES)
    return redis_connection()


def _job_ids(queue: Any, state: str) -> list[str]:
    if state == "queued":
        return list(queue.get_job_ids())
    registry = {
        "started": queue.started_job_registry,
        "scheduled": queue.scheduled_job_registry,
        "failed": queue.failed_job_registry,
        "deferred": queue.deferred_job_registry,
    }[state]
    return list(registry.get_job_ids())


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
    return {
        "id": job.id,
        "execution_id": _execution_id(job),
        "status": status,
        "enqueued_at": job.enqueued_at,
        "ended_at": job.ended_at,
        "exc_info": exc[-EXC_INFO_CHARS:] if exc else None,
    }


def _visible(principal: Principal, ids: list[str]) -> set[str] | None:
    """The job ids of ``ids`` the caller may see (None: all of them)."""
    if access.sees_all(principal):
        return None
    return access.visible_execution_ids(principal, ids)


def list_queues(principal: Principal) -> list[dict[str, Any]]:
    """Every queue with its job count per state and how many workers listen on it."""
    from rq import Queue, Worker

    authorize(principal, "execution:read")
    conn = _connection()
    listening: dict[str, int] = {}
    for w in Worker.all(connection=conn):
        for name in w.queue_names():
            listening[name] = listening.get(name, 0) + 1
    everything = access.sees_all(principal)
    items = []
    for q in sorted(Queue.all(connection=conn), key=lambda q: q.name):
        counts: dict[str, int] = {}
        for state in JOB_STATES:
            if everything:
                counts[state] = q.count if state == "queued" else _registry_count(q, state)
            else:
                counts[state] = len(access.visible_execution_ids(principal, _job_ids(q, state)))
        items.append({"name": q.name, **counts, "workers": listening.get(q.name, 0)})
    return items


def _registry_count(queue: Any, state: str) -> int:
    return int(getattr(queue, f"{state}_job_registry").count)


def list_jobs(
    principal: Principal, queue_name: str, state: str = "queued", limit: int = 100
) -> list[dict[str, Any]]:
    """The jobs of one queue in one state (oldest first), at most ``limit``."""
    from rq import Queue
    from rq.job import Job

    authorize(principal, "execution:read")
    conn = _connection()
    queue = Queue(queue_name, connection=conn)
    ids = _job_ids(queue, state)
    seen = _visible(principal, ids)
    if seen is not None:
        ids = [i for i in ids if i in seen]
    jobs = [j for j in Job.fetch_many(ids[:limit], connection=conn) if j is not None]
    if seen is not None:  # an AURA job runs the execution it is named after
        jobs = [j for j in jobs if _execution_id(j) == j.id]
    return [_job(j) for j in jobs]


def _no_job(queue_name: str, job_id: str) -> NotFoundError:
    return NotFoundError(
        f"No job {job_id!r} in queue {queue_name!r}. List the failed "
        "jobs with GET /api/v1/queues/<queue>/jobs?state=failed.",
        details={"queue": queue_name, "id": job_id},
    )


def requeue(principal: Principal, queue_name: str, job_id: str) -> dict[str, Any]:
    """Puts a failed job back on its queue (its worker runs the execution again if it
    is still queued).

    Raises:
        NotFoundError: no such job in that queue, or the caller may not see it.
        PermissionDenied: the caller may see the job but not cancel or requeue it.
        ConflictError: the job has not failed.
    """
    from rq import Queue
    from rq.exceptions import InvalidJobOperation, NoSuchJobError
    from rq.job import Job

    action = "execution:cancel"
    conn = _connection()
    valid = _JOB_ID.match(job_id) is not None
    if access.sees_all(principal, action) or not valid:
        authorize(principal, action)
    else:
        try:
            access.execution(principal, job_id, action)
        except NotFoundError:
            raise _no_job(queue_name, job_id) from None
    if not valid:  # not an id RQ could have made (control characters, too long...)
        raise _no_job(queue_name, job_id)
    try:
        job = Job.fetch(job_id, connection=conn)
    except NoSuchJobError:
        raise _no_job(queue_name, job_id) from None
    if job.origin != queue_name:
        raise _no_job(queue_name, job_id)
    registry = Queue(queue_name, connection=conn).failed_job_registry
    if job_id not in registry.get_job_ids(cleanup=False):
        status = _job(job)["status"]
        raise ConflictError(
            f"Job {job_id} is {status}; only failed jobs can be requeued.",
            details={"queue": queue_name, "id": job_id, "status": status},
        )
    try:
        job = registry.requeue(job)
    except InvalidJobOperation:  # requeued by somebody else meanwhile
        raise ConflictError(
            f"Job {job_id} is no longer failed.", details={"queue": queue_name, "id": job_id}
        ) from None
    return _job(job)


def list_workers(principal: Principal) -> list[dict[str, Any]]:
    """The RQ workers: state, queues, the job and execution they run (only when the
    caller may see it), host, pid, last heartbeat and job counts."""
    from rq import Worker
    from rq.job import Job

    authorize(principal, "execution:read")
    conn = _connection()
    workers = sorted(Worker.all(connection=conn), key=lambda w: w.name)
    current = {w.name: w.get_current_job_id() for w in workers}
    seen = _visible(principal, [c for c in current.values() if c])
    items = []
    for w in workers:
        job_id = current[w.name]
        if job_id and seen is not None and job_id not in seen:
            job_id = None
        execution_id = None
        if job_id:
            job = Job.fetch_many([job_id], connection=conn)[0]
            execution_id = _execution_id(job) if job is not None else None
        items.append(
            {
                "name": w.name,
                "state": _text(w.get_state()),
                "queues": w.queue_names(),
                "current_job_id": job_id,
                "current_execution_id": execution_id,
                "hostname": w.hostname,
                "pid": w.pid,
                "last_heartbeat": w.last_heartbeat,
                "successful_jobs": w.successful_job_count,
                "failed_jobs": w.failed_job_count,
            }
        )
    return items
