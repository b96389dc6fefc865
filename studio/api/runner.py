"""Where the API runs executions: the one adapter between HTTP and the runtimes.

:class:`InlineRunner` runs in this process (tests, ``--runtime inline``): ``run`` on the
calling thread, ``submit`` on a small background pool. :class:`QueueRunner` hands
executions to the RQ workers. Both go through :mod:`engine.services.executions` (start,
wait, cancel, retry); :func:`make_runner` picks one; switching is this one function.

Both implement :class:`engine.triggers.webhooks.Runner` plus ``wait_for``, ``cancel`` and
``retry`` for the executions API.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from engine.errors import AuraError, RateLimited
from engine.services.executions import (
    FINISHED,
    ExecutionStatus,
    RunSpec,
    Runtime,
    cancel,
    default_runtime,
    record,
    retry_spec,
    start,
    wait,
)
from engine.services.principals import RunAs
from engine.services.store import get_store
from engine.services.webhooks import RunOutcome

__all__ = ["InlineRunner", "QueueRunner", "make_runner", "run_here", "webhook_here"]

log = logging.getLogger("studio.api.runner")
_PRODUCTION = {"webhook", "trigger", "schedule"}


def make_runner(runtime: str | None = None) -> InlineRunner | QueueRunner:
    """The runner for ``runtime`` ("inline" or "rq"; default ``AURA_RUNTIME``, else rq
    when Redis is configured, else inline: :func:`engine.services.executions.
    default_runtime`)."""
    from engine.config import settings

    name = (runtime or settings().runtime or "").strip().lower() or default_runtime()
    if name == "inline":
        return InlineRunner()
    if name != "rq":
        raise ValueError(f"unknown runtime {runtime!r}; use 'inline' or 'rq'")
    return QueueRunner()


def _finished(status: str) -> bool:
    try:
        return ExecutionStatus(status) in FINISHED
    except ValueError:
        return False


def wait_row(execution_id: str, timeout_s: float) -> Any:
    """The execution row once finished, or as it is after ``timeout_s``."""
    store = get_store()
    deadline = time.monotonic() + timeout_s
    delay = 0.01
    while True:
        row = store.executions.get(execution_id)
        if _finished(row.status) or time.monotonic() >= deadline:
            return row
        time.sleep(delay)
        delay = min(delay * 2, 0.25)


def job_spec(job: dict[str, Any], runtime: Runtime) -> RunSpec:
    """The run spec of a job as webhooks and routes describe it (``workflow_id`` or
    ``definition`` or ``workflow``, ``mode``, ``input_items``, ``trigger_node``,
    ``published``, ``trigger``, ``principal``, ``project_id``, ``retry_of``, ``attempt``).
    Without a principal it is a trigger's (the workflow's project)."""
    workflow_id = job.get("workflow_id")
    definition = job.get("definition")
    if workflow_id is None and definition is None:
        wf = job.get("workflow")
        if wf is None:
            raise ValueError("give workflow_id, definition or workflow")
        definition = wf.to_json_dict()
    published = job.get("published")
    mode = str(job.get("mode") or "manual")
    principal: RunAs = job.get("principal") or RunAs.trigger()
    return RunSpec(
        principal=principal.in_project(job.get("project_id")),
        workflow_id=workflow_id,
        definition=None if workflow_id else definition,
        version=None if published is None else ("published" if published else "draft"),
        mode="manual" if mode == "test" else mode,
        input_items=job.get("input_items"),
        start_node=job.get("trigger_node"),
        trigger=job.get("trigger"),
        retry_of=job.get("retry_of"),
        attempt=int(job.get("attempt") or 1),
        runtime=runtime,
    )


def _recorded(execution_id: str | None) -> bool:
    from engine.errors import NotFoundError

    if execution_id is None:
        return False
    try:
        get_store().executions.get(execution_id)
    except NotFoundError:
        return False
    return True


def run_here(spec: RunSpec) -> RunOutcome:
    """Runs ``spec`` (runtime inline) on this thread, recorded, to its end."""
    try:  # start() gives spec its id, known even if it fails before the end
        handle = start(spec)
    except AuraError as exc:
        if not _recorded(spec.execution_id):
            raise  # nothing was started (no such workflow, a refused spec)
        return RunOutcome(spec.execution_id, "failed", None, exc.to_dict())
    result = handle.outcome
    assert result is not None
    return RunOutcome(result.id, str(result.status), result, result.error)


def webhook_here(job: dict[str, Any]) -> bool:
    """Whether a production webhook that answers after its run runs in this process
    rather than on a worker (``AURA_QUEUE_WEBHOOKS_HERE``, on by default): no queue
    hop, no fork, the answer straight from the run. A workflow with a concurrency limit
    still goes to the workers, which enforce the limit across processes."""
    from engine.config import settings

    if job.get("mode") != "webhook" or not settings().queue.webhooks_here:
        return False
    wf = job.get("workflow")
    return wf is not None and wf.settings.concurrency is None


class InlineRunner:
    """Runs executions in this process, recorded in the store."""

    name = "inline"

    def __init__(
        self, background_workers: int = 4, max_pending: int = 1000, pending_wait_s: float = 30.0
    ) -> None:
        self._workers = background_workers
        self._pending_wait_s = pending_wait_s
        self._slots = threading.BoundedSemaphore(max_pending)
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    # -- starting --------------------------------------------------------------------
    def run(self, *, timeout_s: float | None = None, **job: Any) -> RunOutcome:
        """Runs to the end on this thread (the workflow's own timeout applies)."""
        return self._run(job_spec(job, "inline"))

    def _run(self, spec: RunSpec) -> RunOutcome:
        return run_here(spec)

    def submit(self, **job: Any) -> str:
        """Records the execution and runs it on the background pool. At most
        ``max_pending`` wait there: beyond, callers wait up to ``pending_wait_s`` for a
        free place, then get RateLimited (429)."""
        return self._submit(job, None)

    def _submit(self, job: dict[str, Any], spec: RunSpec | None) -> str:
        if not self._slots.acquire(timeout=self._pending_wait_s):
            raise RateLimited(
                "Too many executions are waiting to run in this process; try again shortly.",
                details={"retry_after": 5},
            )
        try:
            spec = spec or job_spec(job, "inline")
            handle = record(spec)
        except BaseException:
            self._slots.release()
            raise
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="aura-run")
            pool = self._pool
        # the request's context (correlation id, trace) goes with the run to the pool
        context = contextvars.copy_context()
        pool.submit(context.run, self._background, spec.principal, handle.id)
        return handle.id

    def _background(self, principal: RunAs, execution_id: str) -> None:
        try:  # the recorded execution, dispatched here (claimed, watched and recorded)
            start(RunSpec(principal=principal, execution_id=execution_id, runtime="inline"))
        except Exception:
            log.exception("execution %s crashed", execution_id)
            with contextlib.suppress(AuraError):
                get_store().executions.finish(
                    execution_id, "crashed", error={"type": "Crash", "message": "internal error"}
                )
        finally:
            self._slots.release()

    # -- managing ---------------------------------------------------------------------
    def wait_for(self, execution_id: str, timeout_s: float) -> Any:
        """The execution row once finished (or as it is after ``timeout_s``)."""
        return wait_row(execution_id, timeout_s)

    def cancel(self, execution_id: str) -> Any:
        """Cancels a queued, waiting or running execution. ConflictError if finished."""
        was = get_store().executions.get(execution_id).status
        cancel(execution_id)
        if was == "running":
            return wait_row(execution_id, 10.0)
        return get_store().executions.get(execution_id)

    def retry(self, execution_id: str, *, wait: bool = False) -> str | RunOutcome:
        """Runs a failed, crashed or cancelled execution again with the same input."""
        spec = retry_spec(execution_id, "inline")
        return self._run(spec) if wait else self._submit({}, spec)

    def close(self) -> None:
        """Waits for background executions to end (a later submit starts a new pool)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=False)


class QueueRunner:
    """Hands executions to the RQ workers."""

    name = "rq"

    def submit(self, **job: Any) -> str:
        return start(job_spec(job, "rq")).id

    def run(self, **job: Any) -> RunOutcome:
        if webhook_here(job):
            job.pop("timeout_s", None)
            return run_here(job_spec(job, "inline"))
        timeout = float(job.pop("timeout_s", 0) or 300.0)
        wf = job.get("workflow")
        if wf is not None and wf.settings.timeout_s:
            timeout = wf.settings.timeout_s + 5
        handle = start(job_spec(job, "rq"))
        row = handle.result(timeout)
        return RunOutcome(handle.id, str(row.status), None, row.error, handle.answer())

    def wait_for(self, execution_id: str, timeout_s: float) -> Any:
        return wait(execution_id, timeout_s)

    def cancel(self, execution_id: str) -> Any:
        cancel(execution_id)
        return get_store().executions.get(execution_id)

    def retry(self, execution_id: str, *, wait: bool = False) -> str | RunOutcome:
        handle = start(retry_spec(execution_id, "rq"))
        if not wait:
            return handle.id
        row = handle.result(300.0)
        return RunOutcome(handle.id, str(row.status), None, row.error)

    def close(self) -> None:
        """Nothing to wait for: workers own the executions."""
