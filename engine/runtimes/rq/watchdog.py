"""Killing the process of a stuck execution, so that a worker always takes the next job.

A node can hold its process in ways the cooperative stops (cancel flag, RQ's SIGALRM job
timeout) cannot reach: C code that never returns to the interpreter (a backtracking
regex in an installed package, a blocked library call) also starves the heartbeat
thread; a loop that swallows ``BaseException`` ignores the timeout. Such an execution is
*stuck* when, seen from outside its process:

- it was ended elsewhere (declared ``crashed`` by :func:`engine.runtimes.recovery.reap_crashed`,
  or finished) more than a grace period ago and the process is still on it;
- it ran past its RQ job timeout (the workflow's timeout, else ``AURA_QUEUE_MAX_JOB_S``,
  plus ``AURA_QUEUE_TIMEOUT_MARGIN_S``) by a grace period: recorded ``failed`` (timeout);
- its heartbeat is older than ``AURA_QUEUE_HEARTBEAT_TIMEOUT_S``: the process is wedged;
  recorded ``crashed`` (and retried if the workflow says so);
- a user cancelled it more than a grace period ago and it still runs (a node that never
  looks at the cancel signal): recorded ``cancelled``.

Who looks, and what is killed:

- a forking ``Worker``'s parent process checks its horse at every monitoring tick
  (:func:`check`, from ``AuraWorker`` in :mod:`engine.runtimes.rq.worker`) and SIGKILLs the
  horse's process group (the horse and its sandbox children); RQ then reports the dead
  horse and the worker dequeues the next job;
- a ``SimpleWorker`` runs jobs in its only process, which cannot watch itself (a wedged
  interpreter runs no other thread), so the ``aura worker`` supervisor checks each simple
  child (:func:`stuck_simple_workers`) and SIGKILLs that child's process group; the
  supervisor restarts it at once (the warm-up takes about a second). Forking every job
  instead would cost ~40 ms of CPU per execution, the very thing a simple worker is
  chosen to avoid.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from engine.errors import NotFoundError
from engine.store.current import get_store
from engine.store.enums import ExecutionStatus
from engine.store.types import utcnow

__all__ = ["check", "grace_s", "stuck_simple_workers"]

log = logging.getLogger(__name__)


def grace_s() -> float:
    """How long past a deadline a process may still be on its execution (it may be
    writing its last records) before it is killed."""
    from engine.config import settings

    return max(2.0, 2 * settings().queue.heartbeat_interval_s)


def check(
    execution_id: str, *, timeout_s: float | None, started_at: datetime | None, store: Any = None
) -> str | None:
    """Why the process still running ``execution_id`` must be killed now, or None.

    Records the outcome first (``failed`` with a timeout message, or ``crashed``), so the
    user reads why, not just "killed by signal 9".

    Args:
        timeout_s: the RQ job timeout (None or <= 0: none).
        started_at: when the process started the job (RQ's ``job.started_at``).
    """
    from engine.config import settings
    from engine.runtimes.recovery import crash_execution
    from engine.runtimes.rq.jobs import _end

    store = store or get_store()
    try:
        row = store.executions.get(execution_id)
    except NotFoundError:
        return "its execution was deleted"
    now = utcnow()
    grace = grace_s()
    if ExecutionStatus(row.status).finished:
        ended = _aware(row.finished_at)
        if ended is not None and (now - ended).total_seconds() > grace:
            return f"its execution already ended ({row.status})"
        return None
    if row.status != ExecutionStatus.RUNNING.value:
        return None
    start = _aware(started_at)
    if (
        timeout_s
        and timeout_s > 0
        and start is not None
        and (now - start).total_seconds() > timeout_s + grace
    ):
        _end(
            store,
            None,
            execution_id,
            "failed",
            {
                "type": "ExecutionTimeout",
                "code": "timeout",
                "message": f"The execution was stopped after {timeout_s:g} s (its timeout plus a "
                "margin): a node did not return, so its process was killed. Raise the "
                "workflow's timeout (Settings → Timeout) or fix the node.",
            },
        )
        return f"it ran past its timeout of {timeout_s:g} s"
    if _cancelled_for(execution_id) > grace:
        _end(
            store,
            None,
            execution_id,
            "cancelled",
            {
                "type": "ExecutionCancelled",
                "code": "cancelled",
                "message": "Cancelled; a node did not stop by itself, so its process was killed.",
            },
        )
        return "it was cancelled and did not stop"
    seen = _aware(row.heartbeat_at or row.started_at)
    limit = settings().queue.heartbeat_timeout_s
    if seen is not None and (now - seen).total_seconds() > limit:
        crash_execution(
            execution_id,
            f"Its process stopped responding (no heartbeat for "
            f"over {limit:g} s: a node blocked the interpreter, e.g. in C code) "
            "and was killed so the worker can take other executions.",
            store=store,
        )
        return "it stopped sending heartbeats"
    return None


def stuck_simple_workers(worker_ids: list[str]) -> dict[str, str]:
    """The simple workers among ``worker_ids`` whose current execution is stuck (see
    :func:`check`), with the reason. Reads each worker's current job from RQ."""
    from rq.job import Job
    from rq.worker import Worker

    from engine.runtimes._redis import redis_connection

    r = redis_connection()
    out: dict[str, str] = {}
    for wid in worker_ids:
        try:
            w = Worker.find_by_key(Worker.redis_worker_namespace_prefix + wid, connection=r)
            job_id = w.get_current_job_id() if w is not None else None
            if not job_id:
                continue
            job = Job.fetch(job_id, connection=r)
            eid = str(job.args[0]) if job.args else job.id
            reason = check(eid, timeout_s=_timeout(job), started_at=job.started_at)
        except Exception as exc:  # a vanished job or worker key: nothing to judge
            log.debug("watchdog: cannot judge worker %s: %s", wid, exc)
            continue
        if reason:
            out[wid] = f"execution {eid}: {reason}"
    return out


def _cancelled_for(execution_id: str) -> float:
    """Seconds since a user cancelled the running execution (0: not cancelled)."""
    from engine.runtimes._redis import cancel_key, redis_configured, redis_connection
    from engine.runtimes.queue import CANCEL_FLAG_TTL_S

    if not redis_configured():
        return 0.0
    ttl = redis_connection().ttl(cancel_key(execution_id))
    return 0.0 if not isinstance(ttl, int) or ttl < 0 else float(CANCEL_FLAG_TTL_S - ttl)


def _timeout(job: Any) -> float | None:
    t = job.timeout
    return None if t in (None, -1) else float(t)


def _aware(t: datetime | None) -> datetime | None:
    if t is None:
        return None
    return t if t.tzinfo is not None else t.replace(tzinfo=UTC)
