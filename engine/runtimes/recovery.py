"""Recovering from dead workers and lost queues.

- :func:`reap_crashed`: a ``running`` execution whose heartbeat is older than
  ``AURA_QUEUE_HEARTBEAT_TIMEOUT_S`` lost its worker (``kill -9``, OOM killer, machine
  gone). It becomes ``crashed`` and, when the workflow's ``retry_on_crash`` allows it,
  runs again as a new execution (``retry_of`` set, ``attempt`` + 1).
- :func:`crash_worker`: the same at once for the executions of a worker process known
  to be dead (its supervisor saw it exit; RQ saw its work horse killed).
- :func:`requeue_orphans`: a ``queued`` execution with no live RQ job (Redis restarted
  without persistence, a crash between commit and enqueue) is enqueued again, unless a
  workflow limit or its project's quota holds it back.

Every ``aura worker`` runs :func:`maintenance` (all three, plus releasing stuck
concurrency slots) when it starts and every ``AURA_QUEUE_REAP_INTERVAL_S``; ``aura up``
runs it on start. They are safe to run from many machines at once: status changes are
conditional updates, so each crash is recorded, and retried, exactly once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlmodel import col, select

from engine.errors import AuraError, ConflictError, NotFoundError
from engine.observability import metrics
from engine.runtimes import quotas
from engine.runtimes._load import load_definition
from engine.runtimes._redis import redis_connection
from engine.runtimes.concurrency import is_deferred, promote_stuck, release_slot
from engine.runtimes.work import installed
from engine.store.current import get_store
from engine.store.models import Execution
from engine.store.types import utcnow

__all__ = [
    "Maintenance",
    "crash_execution",
    "crash_worker",
    "maintenance",
    "reap_crashed",
    "requeue_orphans",
]

log = logging.getLogger(__name__)
LIVE_JOB_STATUSES = frozenset(
    {"queued", "started", "deferred", "scheduled", "created", "ready_to_enqueue", "rate_limited"}
)
ORPHAN_BATCH = 500


@dataclass
class Maintenance:
    """What one :func:`maintenance` pass did (execution ids)."""

    crashed: list[str] = field(default_factory=list)
    retried: list[str] = field(default_factory=list)
    requeued: list[str] = field(default_factory=list)
    promoted: int = 0


def crash_execution(execution_id: str, reason: str, *, store: Any = None) -> str | None:
    """Marks a running execution ``crashed`` and retries it if its workflow allows.

    Returns the id of the retry, if one was submitted. Does nothing (returns None) when
    the execution is no longer running: someone else recorded its end first.
    """
    from engine.events import publish_execution_finished
    from engine.runtimes.queue import enqueue_existing
    from engine.runtimes.rq.jobs import notify_done

    store = store or get_store()
    try:  # an agent run resumes on another worker from its last recorded step
        from engine.runtimes.rq.agent_jobs import recover

        if recover(execution_id, reason):
            return None
    except (ConflictError, NotFoundError):
        return None
    try:
        row = store.executions.set_status(
            execution_id,
            "crashed",
            error={"type": "WorkerCrashed", "code": "crashed", "message": reason},
        )
    except (ConflictError, NotFoundError):
        return None
    log.warning("execution %s crashed: %s", execution_id, reason)
    publish_execution_finished(row)
    r = _redis_or_none()
    notify_done(r, execution_id)
    try:
        wf = load_definition(store, row)
    except AuraError:
        return None
    metrics.execution_finished(row.workflow_id or "", wf.name, row.mode, "crashed", None)
    retry_id = None
    if wf.settings.retry_on_crash >= row.attempt:
        try:
            retry_id = installed().retry(execution_id)
            log.warning(
                "execution %s: retrying its crash as %s (attempt %d of %d)",
                execution_id,
                retry_id,
                row.attempt + 1,
                wf.settings.retry_on_crash + 1,
            )
        except AuraError as exc:
            log.warning("execution %s could not be retried: %s", execution_id, exc.message)
    if r is not None and row.workflow_id and wf.settings.concurrency is not None:
        try:
            release_slot(store, r, row.workflow_id, enqueue_existing)
        except Exception as exc:
            log.warning("could not release a slot of workflow %s: %s", row.workflow_id, exc)
    if r is not None and row.project_id:
        quotas.after(store, r, quotas.Seat(row.project_id, held=False))
    return retry_id


def reap_crashed(
    *, store: Any = None, older_than_s: float | None = None
) -> list[tuple[str, str | None]]:
    """Ends running executions whose heartbeat is too old. Returns (crashed id, retry id
    or None) pairs. One indexed query when there is nothing to do."""
    from engine.config import settings

    store = store or get_store()
    limit = older_than_s if older_than_s is not None else settings().queue.heartbeat_timeout_s
    out = []
    for row in store.executions.stale(timedelta(seconds=limit)):
        seen = row.heartbeat_at or row.started_at
        reason = (
            f"Its worker ({row.worker_id or 'unknown'}) stopped sending heartbeats "
            f"(last at {seen.isoformat() if seen else 'never'}; limit {limit:g} s): "
            "the process was probably killed or its machine lost."
        )
        retry_id = crash_execution(row.id, reason, store=store)
        out.append((row.id, retry_id))
    return out


def crash_worker(worker_id: str, reason: str, *, store: Any = None) -> list[tuple[str, str | None]]:
    """Ends at once the running executions of a worker process known to be dead."""
    store = store or get_store()
    with store.db.read() as s:
        ids = list(
            s.exec(
                select(Execution.id).where(
                    col(Execution.status) == "running", col(Execution.worker_id) == worker_id
                )
            ).all()
        )
    return [(eid, crash_execution(eid, reason, store=store)) for eid in ids]


def requeue_orphans(*, store: Any = None, grace_s: float | None = None) -> list[str]:
    """Enqueues again every queued execution older than ``grace_s`` that has no live RQ
    job and is not held back by a concurrency limit. Returns their ids."""
    from rq.job import Job

    from engine.config import settings
    from engine.runtimes.queue import enqueue_existing

    store = store or get_store()
    grace = settings().queue.orphan_grace_s if grace_s is None else grace_s
    cutoff = utcnow() - timedelta(seconds=grace)
    r = redis_connection()
    out: list[str] = []
    with store.db.read() as s:
        rows = list(
            s.exec(
                select(Execution.id, Execution.workflow_id, Execution.project_id)
                .where(col(Execution.status) == "queued", col(Execution.created_at) <= cutoff)
                .order_by(col(Execution.created_at))
                .limit(ORPHAN_BATCH)
            ).all()
        )
    if not rows:
        return out
    jobs = Job.fetch_many([eid for eid, _, _ in rows], connection=r)
    for (eid, wid, pid), job in zip(rows, jobs, strict=True):
        if job is not None and _job_status(job) in LIVE_JOB_STATUSES:
            continue
        if is_deferred(r, wid, eid) or quotas.is_held(r, pid, eid):
            continue
        try:
            enqueue_existing(eid, at_front=False)
            out.append(eid)
        except NotFoundError:
            continue
    if out:
        log.warning("re-enqueued %d queued execution(s) that had no RQ job", len(out))
    return out


def maintenance(*, store: Any = None) -> Maintenance:
    """One pass of everything above; errors are logged, never raised."""
    from engine.runtimes.queue import enqueue_existing

    store = store or get_store()
    done = Maintenance()
    try:
        for crashed, retry_id in reap_crashed(store=store):
            done.crashed.append(crashed)
            if retry_id:
                done.retried.append(retry_id)
    except Exception as exc:
        log.warning("looking for crashed executions failed: %s", exc)
    try:
        done.requeued = requeue_orphans(store=store)
        done.promoted = promote_stuck(store, redis_connection(), enqueue_existing)
        done.promoted += quotas.promote_stuck(
            store, redis_connection(), lambda eid: enqueue_existing(eid, at_front=False)
        )
    except Exception as exc:
        log.warning("looking for orphaned executions failed: %s", exc)
    return done


def _job_status(job: Any) -> str:
    try:
        status = job.get_status(refresh=False)
    except Exception:
        return ""
    return str(getattr(status, "value", status))


def _redis_or_none() -> Any:
    from engine.runtimes._redis import redis_configured

    if not redis_configured():
        return None
    try:
        return redis_connection()
    except AuraError:
        return None
