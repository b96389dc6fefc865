"""The RQ job: run one queued execution, by id.

:func:`run_execution` is what RQ imports (``engine.runtimes.rq.jobs.run_execution``);
the job carries the execution id only (and, in its ``meta``, the correlation id of the
request or trigger that queued it: :mod:`engine.observability.correlation`). The same
function runs executions inline (:func:`run_inline`), so an execution is claimed, watched
and recorded the same way wherever it runs:

1. load the row; anything but ``queued`` means somebody else handled it: do nothing;
2. load the definition (:mod:`engine.runtimes._load`); for a project at its quota
   (:mod:`engine.runtimes.quotas`) hold it back; for a workflow with a concurrency
   limit, count-then-claim under the workflow's lock, or defer/drop;
3. the services' ``run_workflow`` (:mod:`engine.runtimes.work`; it is
   :func:`engine.services.runs.execute_recorded`) claims it (``queued -> running``,
   exactly one claimer wins), runs it and records node runs, error workflow and static
   data. It acts as the principal recorded on the row (:mod:`engine.services.principals`),
   read from the row itself: nothing in the job or from the submitter is trusted;
4. meanwhile a watch thread heartbeats the row every ``AURA_QUEUE_HEARTBEAT_INTERVAL_S``
   and polls the Redis cancel flag every ``AURA_QUEUE_CANCEL_POLL_S``, setting the
   executor's ``cancel_event`` when a user cancels (or the row was ended elsewhere);
5. at the end: clear the cancel flag, publish "done" for waiters, free the slot.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from engine.errors import AuraError, ConflictError, NotFoundError
from engine.executor import ExecutionHooks, ExecutionResult
from engine.runtimes import quotas
from engine.runtimes._load import load_definition, make_request, worker_identity
from engine.runtimes._redis import (
    adopt_connection,
    cancel_key,
    done_channel,
    redis_configured,
    redis_connection,
)
from engine.runtimes.answers import keep_answer, wants_answer
from engine.runtimes.concurrency import defer, limit_of, release_slot, slot_lock
from engine.runtimes.work import installed
from engine.store.current import get_store

if TYPE_CHECKING:
    import redis
    from redis.lock import Lock

__all__ = ["local_cancel", "local_execution", "notify_done", "run_execution", "run_inline"]

log = logging.getLogger(__name__)

_WORKER_PID: int | None = None
"""Pid of the RQ worker process (set by the worker); a job in another pid is in a horse."""
_local_events: dict[str, threading.Event] = {}
_local_lock = threading.Lock()


def mark_worker_process() -> None:
    """Called once by a worker process before it forks work horses."""
    global _WORKER_PID
    _WORKER_PID = os.getpid()


def run_execution(execution_id: str) -> str | None:
    """RQ job: runs the queued execution ``execution_id``. Returns its final status, or
    None when there was nothing to do (already claimed, cancelled, deferred)."""
    _in_horse_setup()
    from rq import get_current_job

    from engine.observability import correlation, tracing

    job = get_current_job()
    if job is not None and job.connection is not None:
        adopt_connection(job.connection)
    # the id of the request or trigger that queued it on every line, event and span
    meta = job.meta if job is not None else None
    with correlation.bound(correlation.from_job(meta, execution_id)), tracing.extracted(meta):
        return _run(get_store(), execution_id, redis_connection())


def run_inline(execution_id: str) -> str | None:
    """Runs the queued execution in this process (``runtime='inline'``). It starts at
    once: a concurrency limit with overflow ``queue`` does not hold it back (``drop`` is
    enforced by :func:`engine.services.executions.start`)."""
    r = redis_connection() if redis_configured() else None
    return _run(get_store(), execution_id, r, limits=False)


def local_cancel(execution_id: str) -> bool:
    """Cancels an execution running in this process; False if it does not run here."""
    with _local_lock:
        event = _local_events.get(execution_id)
    if event is None:
        return False
    event.set()
    return True


@contextlib.contextmanager
def local_execution(execution_id: str, event: threading.Event) -> Iterator[None]:
    """Registers an execution running in this process outside :func:`run_inline` (a
    partial run), so :func:`engine.runtimes.cancel` sets its ``event``."""
    with _local_lock:
        _local_events[execution_id] = event
    try:
        yield
    finally:
        with _local_lock:
            _local_events.pop(execution_id, None)


def notify_done(r: redis.Redis | None, execution_id: str) -> None:
    """Wakes :func:`engine.runtimes.wait_for` callers (best effort)."""
    if r is None:
        return
    try:
        r.publish(done_channel(execution_id), "1")
    except Exception as exc:
        log.warning("could not publish the end of execution %s: %s", execution_id, exc)


# -- the run -------------------------------------------------------------------------
def _run(
    store: Any, execution_id: str, r: redis.Redis | None, *, limits: bool = True
) -> str | None:
    try:
        row = store.executions.get(execution_id)
    except NotFoundError:
        log.warning("execution %s no longer exists; nothing to run", execution_id)
        return None
    if row.status != "queued":
        log.info("execution %s is %s, not queued; skipping", execution_id, row.status)
        return None
    try:
        wf = load_definition(store, row)
    except AuraError as exc:
        _end(store, r, execution_id, "failed", exc)
        return "failed"
    seat = quotas.admit(store, r, row) if limits and r is not None else None
    if seat is not None and seat.held:
        return None  # its project is at its quota: held until one of its runs ends
    limit = limit_of(wf) if limits and row.workflow_id and r is not None else None
    lock: Lock | None = None
    if limit is not None:
        assert r is not None and row.workflow_id is not None
        lock = slot_lock(r, row.workflow_id)
        lock.acquire()
        if store.executions.running_for_workflow(row.workflow_id) >= limit:
            try:
                if wf.settings.concurrency_overflow == "drop":
                    _end(
                        store,
                        r,
                        execution_id,
                        "cancelled",
                        ConflictError(
                            f"Dropped: workflow '{wf.name}' was already running {limit} "
                            "execution(s), its concurrency limit."
                        ),
                    )
                    return "cancelled"
                defer(r, row.workflow_id, execution_id, row.created_at.timestamp())
                log.info("execution %s deferred: workflow at its limit of %d", execution_id, limit)
                return None
            finally:
                lock.release()
                if seat is not None:
                    seat.free()
    event = threading.Event()
    with _local_lock:
        _local_events[execution_id] = event
    watch = _Watch(store, r, execution_id, event)
    hooks = _Claimed(lock, watch, seat.lock if seat is not None else None)
    if wants_answer(row):
        hooks.answer_to = r
    status: str | None = None
    try:
        result = installed().run_workflow(
            store, make_request(row, wf, event), row.workflow_id, hooks
        )
        status = str(result.status)
    except ConflictError as exc:
        # lost the claim to another worker or a cancel, or the row was ended under us
        log.info("execution %s: %s", execution_id, exc.message)
    except BaseException as exc:
        # a bug, an invalid definition, or RQ's job timeout: never leave the row running
        status = "failed"
        _end(store, None, execution_id, "failed", _describe(exc))
        if not isinstance(exc, Exception):
            raise
        if not isinstance(exc, AuraError):
            log.exception("execution %s failed unexpectedly", execution_id)
    finally:
        hooks.release()
        watch.stop()
        with _local_lock:
            _local_events.pop(execution_id, None)
        _after(store, r, execution_id, row.workflow_id if limit is not None else None)
        if seat is not None:
            quotas.after(store, r, seat)
    return status


def _after(
    store: Any, r: redis.Redis | None, execution_id: str, limited_workflow: str | None
) -> None:
    if r is None:
        return
    try:
        r.delete(cancel_key(execution_id))
        notify_done(r, execution_id)
        if limited_workflow:
            from engine.runtimes.queue import enqueue_existing

            release_slot(store, r, limited_workflow, enqueue_existing)
    except Exception as exc:
        log.warning("clean-up after execution %s failed: %s", execution_id, exc)


def _describe(exc: BaseException) -> dict[str, Any]:
    if type(exc).__name__ == "JobTimeoutException":
        return {
            "type": "ExecutionTimeout",
            "code": "timeout",
            "message": "The execution ran past its timeout and was stopped by the "
            "worker; raise the workflow's timeout or make it faster.",
        }
    if isinstance(exc, AuraError):
        return {
            "type": type(exc).__name__,
            "code": exc.code,
            "message": exc.message,
            "details": exc.details,
        }
    return {
        "type": type(exc).__name__,
        "code": "internal_error",
        "message": f"The worker failed while running this execution: {type(exc).__name__}: {exc}",
    }


def _end(
    store: Any,
    r: redis.Redis | None,
    execution_id: str,
    status: str,
    error: BaseException | dict[str, Any],
) -> None:
    """Ends a queued or running execution with ``status``, unless it already ended."""
    from engine.events import publish_execution_finished

    try:
        row = store.executions.finish(execution_id, status, error=error)
    except (ConflictError, NotFoundError):
        return
    publish_execution_finished(row)
    notify_done(r, execution_id)


class _Claimed(ExecutionHooks):
    """Once the claim is committed: records the worker id (so the executions of a dead
    worker can be found at once), releases the concurrency lock, starts the watch. When
    somebody waits for the run's answer (``answer_to``: the Redis it goes to), keeps it
    before the final status is recorded."""

    def __init__(self, lock: Lock | None, watch: _Watch, project_lock: Lock | None = None) -> None:
        self.lock = lock
        self.watch = watch
        self.project_lock = project_lock
        self.answer_to: redis.Redis | None = None

    def execution_started(self, result: ExecutionResult) -> None:
        self.watch.beat()
        self.release()
        self.watch.start()

    def execution_ending(self, result: ExecutionResult) -> None:
        # before the status: the waiter takes the run as ended when it reads it finished
        # (it re-reads the row every second), not only when the worker announces the end
        if self.answer_to is not None:
            keep_answer(self.answer_to, result.id, result)

    def release(self) -> None:
        locks = (self.lock, self.project_lock)
        self.lock = self.project_lock = None
        for lock in locks:
            if lock is not None:
                try:
                    lock.release()
                except Exception as exc:  # expired: another worker may hold it now
                    log.warning("concurrency lock already released: %s", exc)


class _Watch(threading.Thread):
    """Heartbeats a running execution and turns a cancel request into its event."""

    def __init__(
        self, store: Any, r: redis.Redis | None, execution_id: str, event: threading.Event
    ) -> None:
        super().__init__(name=f"aura-watch-{execution_id[:8]}", daemon=True)
        from engine.config import settings

        q = settings().queue
        self.store, self.r, self.execution_id, self.event = store, r, execution_id, event
        self.interval, self.poll = q.heartbeat_interval_s, q.cancel_poll_s
        self.worker_id = worker_identity()
        self._stop_event = threading.Event()

    def stop(self) -> None:
        self._stop_event.set()
        if self.is_alive():
            self.join(timeout=5)

    def run(self) -> None:
        next_beat = time.monotonic() + self.interval  # the first beat came with the claim
        while not self._stop_event.is_set():
            now = time.monotonic()
            if now >= next_beat:
                next_beat = now + self.interval
                self.beat()
            self._poll_cancel()
            self._stop_event.wait(min(self.poll, max(0.0, next_beat - time.monotonic())))

    def beat(self) -> None:
        try:
            if self.store.executions.heartbeat(self.execution_id, self.worker_id):
                return
            row = self.store.executions.get(self.execution_id)
            if row.status in ("succeeded", "failed", "cancelled", "crashed"):
                self.event.set()  # ended elsewhere (e.g. declared crashed): stop running it
        except Exception as exc:
            log.warning("heartbeat of execution %s failed: %s", self.execution_id, exc)

    def _poll_cancel(self) -> None:
        if self.r is None or self.event.is_set():
            return
        try:
            if self.r.exists(cancel_key(self.execution_id)):
                self.event.set()
        except Exception as exc:
            log.warning("cancel check of execution %s failed: %s", self.execution_id, exc)


# -- work horses ---------------------------------------------------------------------
_horse_ready = False


def _in_horse_setup() -> None:
    """In a forked work horse: fresh database connections (never share a socket with
    the parent) and die with the worker if it is killed (Linux)."""
    global _horse_ready
    if _horse_ready or _WORKER_PID is None or os.getpid() == _WORKER_PID:
        return
    _horse_ready = True
    _die_with_parent()
    from engine.store.current import opened_store

    current = opened_store()
    if current is not None:
        current.engine.dispose(close=False)


def _die_with_parent() -> None:
    import signal
    import sys

    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
        if os.getppid() != _WORKER_PID:  # the worker died before prctl took effect
            os._exit(1)
    except OSError:
        pass
