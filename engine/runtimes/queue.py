"""The queue runtime's public API: dispatch, wait for and cancel executions.

Executions are recorded by :func:`engine.services.executions.start` (the one door);
this runtime only decides where a recorded one runs. An execution is persisted (status
``queued``) *before* anything is put on a queue, and
an RQ job carries only its id, so nothing is lost when Redis restarts or a worker dies:
:func:`engine.runtimes.recovery.requeue_orphans` re-enqueues queued rows without a job,
:func:`engine.runtimes.recovery.reap_crashed` ends rows whose worker stopped beating.

Example::

    from engine.services.executions import RunSpec, start

    handle = start(RunSpec(principal=RunAs.trigger(project_id), workflow_id=wf_id,
                           mode="webhook", input_items=[Item(json=body)], runtime="rq"))
    row = handle.result(timeout=30)        # engine.runtimes.wait_for: the finished row
"""

from __future__ import annotations

import contextlib
import logging
import time
from typing import Any, Literal

from engine.errors import ConflictError, ExecutionTimeout, ValidationError
from engine.graph import Workflow
from engine.runtimes._load import load_definition
from engine.runtimes._redis import cancel_key, done_channel, redis_configured, redis_connection
from engine.runtimes.work import installed
from engine.store.current import get_store
from engine.store.enums import ExecutionStatus
from engine.store.models import Execution

__all__ = [
    "JOB_FUNCTION",
    "ExecutionRow",
    "Runtime",
    "WaitTimeout",
    "cancel",
    "dispatch",
    "enqueue",
    "enqueue_existing",
    "job_timeout",
    "wait_for",
]

log = logging.getLogger(__name__)

ExecutionRow = Execution
"""The stored execution row (:class:`engine.store.models.Execution`)."""
Runtime = Literal["rq", "inline"]
JOB_FUNCTION = "engine.runtimes.rq.jobs.run_execution"
CANCEL_FLAG_TTL_S = 7 * 24 * 3600
RESULT_TTL_S = 60


class WaitTimeout(ExecutionTimeout):
    """:func:`wait_for` gave up before the execution finished (it keeps running)."""

    code = "wait_timeout"
    http_status = 504


def dispatch(
    execution_id: str,
    *,
    runtime: Runtime = "rq",
    queue: str | None = None,
    row: Execution | None = None,
    workflow: Workflow | None = None,
) -> None:
    """Runs a recorded ``queued`` execution (recorded by
    :func:`engine.services.executions.start`, the one door), a workflow's or an agent's
    (``kind``): ``rq`` publishes ``execution.queued`` and enqueues its job for the
    workers; ``inline`` runs it in this process and returns when it has finished (an
    agent run: or parked for an approval). ``row`` and ``workflow``: the row and its
    definition when the caller has them (else they are read).

    Raises:
        NoRedisConfigured: ``runtime='rq'`` without ``AURA_REDIS_URL``.
    """
    if runtime not in ("rq", "inline"):
        raise ValidationError(f"Unknown runtime {runtime!r}; use 'rq' or 'inline'.")
    store = get_store()
    if runtime == "inline":
        if (row or store.executions.get(execution_id)).kind == "agent":
            installed().run_agent(execution_id, False)
            return
        from engine.runtimes.rq.jobs import run_inline

        run_inline(execution_id)
        return
    redis_connection()  # no Redis configured: say so
    row = row or store.executions.get(execution_id)
    agent = row.kind == "agent"
    wf = None if agent else workflow or load_definition(store, row)
    from engine.events import publish_queued

    publish_queued(
        row.id,
        workflow_id=row.workflow_id,
        workflow_name=row.workflow_name if wf is None else wf.name,
        mode=row.mode,
        queue=queue,
    )
    try:
        from engine.observability import correlation

        if wf is None:
            from engine.runtimes.rq.agent_jobs import enqueue_agent

            enqueue_agent(row.id, queue=queue)
            return
        enqueue(
            row.id,
            timeout=job_timeout(wf),
            queue=queue,
            correlation_id=correlation.current() or row.id,
        )
    except Exception as exc:
        # recorded as queued: a worker re-enqueues it when Redis is back
        log.warning(
            "execution %s is recorded but could not be enqueued (%s); it will be "
            "picked up when a worker can reach Redis",
            row.id,
            exc,
        )


def wait_for(
    execution_id: str, timeout_s: float, *, or_status: frozenset[str] = frozenset()
) -> Execution:
    """Blocks until the execution has finished (succeeded, failed, cancelled, crashed),
    or is in one of ``or_status`` (e.g. an agent run parked ``waiting`` for an approval,
    which announces it like an end), and returns its row. Listens for the worker's
    "done" message when Redis is configured, and re-reads the database at least every
    second regardless.

    Raises:
        NotFoundError: no such execution.
        WaitTimeout: still not finished after ``timeout_s`` (it keeps running).
    """
    store = get_store()
    deadline = time.monotonic() + max(0.0, timeout_s)
    pubsub = None
    if redis_configured():
        try:
            pubsub = redis_connection().pubsub(  # type: ignore[no-untyped-call]
                ignore_subscribe_messages=True
            )
            pubsub.subscribe(done_channel(execution_id))
        except Exception as exc:  # Redis down: fall back to polling the database
            log.debug("wait_for: no pub/sub (%s); polling", exc)
            pubsub = None
    pause = 0.02
    try:
        while True:
            row = store.executions.get(execution_id)
            if ExecutionStatus(row.status).finished or row.status in or_status:
                return row
            left = deadline - time.monotonic()
            if left <= 0:
                raise WaitTimeout(
                    f"Execution {execution_id} is still {row.status} after {timeout_s:g} s; "
                    "it keeps running. Check it later with 'aura execution show'.",
                    details={"id": execution_id, "status": row.status},
                )
            if pubsub is not None:
                try:
                    pubsub.get_message(timeout=min(left, 1.0))
                    continue
                except Exception:
                    pubsub = None
            time.sleep(min(left, pause))
            pause = min(pause * 2, 0.5)
    finally:
        if pubsub is not None:
            with contextlib.suppress(Exception):  # closing is best effort
                pubsub.close()


def cancel(execution_id: str) -> None:
    """Cancels an execution: a queued or waiting one at once; a running one through a
    Redis flag its worker polls (it stops at the next node boundary or inside a
    cancellable wait, then records ``cancelled``).

    Raises:
        NotFoundError: no such execution.
        ConflictError: it has already finished.
    """
    from engine.events import publish_execution_finished
    from engine.runtimes.rq.jobs import local_cancel, notify_done

    store = get_store()
    row = store.executions.get(execution_id)
    if row.status in ("queued", "waiting"):
        try:
            ended = store.executions.finish(
                execution_id,
                "cancelled",
                error={
                    "type": "ExecutionCancelled",
                    "code": "cancelled",
                    "message": f"Cancelled while {row.status}.",
                },
            )
            publish_execution_finished(ended)
            notify_done(redis_connection() if redis_configured() else None, execution_id)
            return
        except ConflictError:
            row = store.executions.get(execution_id)  # it started meanwhile
    if row.status == "running":
        local_cancel(execution_id)
        if redis_configured():
            redis_connection().set(cancel_key(execution_id), "1", ex=CANCEL_FLAG_TTL_S)
        return
    raise ConflictError(
        f"Execution {execution_id} already {row.status}; there is nothing to cancel.",
        details={"id": execution_id, "status": row.status},
    )


# -- enqueueing ------------------------------------------------------------------------
def job_timeout(wf: Workflow) -> int:
    """RQ job timeout (seconds; -1: none) for a workflow: its timeout plus a margin."""
    from engine.config import settings

    q = settings().queue
    limit = wf.settings.timeout_s or q.max_job_s
    return -1 if limit is None else int(limit + q.timeout_margin_s) + 1


def enqueue(
    execution_id: str,
    *,
    timeout: int = -1,
    queue: str | None = None,
    at_front: bool = False,
    correlation_id: str | None = None,
) -> None:
    """Puts an RQ job for an execution that is already recorded as ``queued``, in its
    project's fair place in the queue (:mod:`engine.runtimes.fair`). The job's ``meta``
    carries ``correlation_id`` and the trace parent when it is first dispatched (given
    here, from the request or trigger); a job put back (after a concurrency or quota
    hold, or an orphan) keeps those of its earlier job."""
    from engine.config import settings
    from engine.observability import correlation, tracing
    from engine.runtimes.fair import FairQueue

    conn = redis_connection()
    q = FairQueue(queue or settings().queue.name, connection=conn)
    if correlation_id is not None:
        meta = {**correlation.job_meta(correlation_id), **tracing.inject()}
    else:
        meta = _kept_meta(conn, execution_id)
    q.enqueue_call(
        JOB_FUNCTION,
        meta=meta,
        args=(execution_id,),
        job_id=execution_id,
        timeout=timeout,
        result_ttl=RESULT_TTL_S,
        failure_ttl=24 * 3600,
        at_front=at_front,
        description=f"aura execution {execution_id}",
    )


def _kept_meta(conn: Any, execution_id: str) -> dict[str, Any]:
    """Correlation id and trace parent of the execution's earlier RQ job, if Redis still
    has it (else none: the worker correlates the run by its execution id)."""
    from rq.job import Job

    from engine.observability import correlation

    try:
        meta = Job.fetch(execution_id, connection=conn).meta
    except Exception:  # no earlier job, or unreadable
        return {}
    keep = (correlation.META_KEY, "traceparent", "tracestate")
    return {k: v for k, v in meta.items() if k in keep and isinstance(v, str)}


def enqueue_existing(execution_id: str, at_front: bool = True) -> None:
    """Re-enqueues a recorded queued execution (orphans, deferred ones), computing its
    job timeout from its definition (an agent run's job has none)."""
    store = get_store()
    row = store.executions.get(execution_id)
    if row.kind == "agent":
        from engine.runtimes.rq.agent_jobs import enqueue_agent

        enqueue_agent(execution_id, at_front=at_front)
        return
    try:
        timeout = job_timeout(load_definition(store, row))
    except Exception:
        timeout = -1  # the job itself will record why the definition cannot load
    enqueue(execution_id, timeout=timeout, at_front=at_front)
