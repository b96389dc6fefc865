"""Where the API runs executions: the one adapter between HTTP and the runtimes.

:class:`InlineRunner` runs in this process (tests, ``--runtime inline``): ``run`` on the
calling thread, ``submit`` on a small background pool. :class:`QueueRunner` hands
executions to ``engine.runtimes`` (RQ workers) when that package provides ``submit``.
:func:`make_runner` picks one; switching is this one function.

Both implement :class:`engine.triggers.webhooks.Runner` plus ``wait_for``, ``cancel`` and
``retry`` for the executions API.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from engine.errors import AuraError, ConflictError, RateLimited
from engine.graph import Workflow, load_workflow, validate
from engine.sdk import get_catalog
from engine.sdk.items import Item, items_from_json
from engine.services.principals import RunAs
from engine.services.store import get_store
from engine.store.enums import FINISHED, ExecutionStatus
from engine.triggers.webhooks import RunOutcome

__all__ = ["InlineRunner", "QueueRunner", "make_runner"]

log = logging.getLogger("studio.api.runner")
_PRODUCTION = {"webhook", "trigger", "schedule"}


def _runtimes() -> Any | None:
    try:
        mod = importlib.import_module("engine.runtimes")
    except ImportError:
        return None
    return mod if hasattr(mod, "submit") and hasattr(mod, "wait_for") else None


def make_runner(runtime: str | None = None) -> InlineRunner | QueueRunner:
    """The runner for ``runtime`` ("inline" or "rq"; default ``AURA_RUNTIME``, else rq
    when the queue runtime is installed and Redis configured, else inline)."""
    name = (runtime or os.environ.get("AURA_RUNTIME") or "").strip().lower()
    mod = _runtimes()
    if not name and (mod is None or not mod.redis_configured()):
        name = "inline"
    if name == "inline":
        return InlineRunner()
    if name not in ("", "rq"):
        raise ValueError(f"unknown runtime {runtime!r}; use 'inline' or 'rq'")
    if mod is None:
        log.warning("the queue runtime is not installed; running executions inline")
        return InlineRunner()
    return QueueRunner(mod)


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
        self._events: dict[str, threading.Event] = {}
        self._lock = threading.Lock()

    # -- starting --------------------------------------------------------------------
    def _prepare(
        self,
        *,
        workflow_id: str | None,
        definition: dict[str, Any] | None = None,
        workflow: Workflow | None = None,
        mode: str = "manual",
        input_items: list[Item] | None = None,
        trigger_node: str | None = None,
        published: bool = False,
        trigger: dict[str, Any] | None = None,
        retry_of: str | None = None,
        attempt: int = 1,
        project_id: str | None = None,
        version_id: str | None = None,
        principal: RunAs | None = None,
    ) -> Any:
        from engine.executor import RunRequest

        store = get_store()
        if workflow is None:
            if definition is None:
                if workflow_id is None:
                    raise ValueError("give workflow_id, definition or workflow")
                definition = store.workflows.definition(workflow_id, published=published)
            workflow = load_workflow(definition)
            workflow.id = workflow_id
            validate(workflow, get_catalog()).raise_for_errors()
        if workflow_id is not None and not (published and version_id):
            rec = store.workflows.get(workflow_id)
            project_id = rec.project_id
            if published:
                version_id = rec.published_version_id
        store_mode = "manual" if mode == "test" else mode
        run_as = (principal or RunAs.trigger()).in_project(project_id)
        project_id = run_as.project_id
        row = store.executions.create(
            workflow_id=workflow_id,
            workflow_version_id=version_id,
            project_id=project_id,
            definition=None if workflow_id else workflow.to_json_dict(),
            mode=store_mode,
            input=[i.to_dict() for i in input_items or []] or None,
            trigger={**(trigger or {}), "node": trigger_node},
            retry_of=retry_of,
            attempt=attempt,
            **run_as.principal_fields(),
        )
        event = threading.Event()
        with self._lock:
            self._events[row.id] = event
        return RunRequest(
            workflow=workflow,
            execution_id=row.id,
            mode=mode,
            trigger_node=trigger_node,
            input_items=input_items,
            cancel_event=event,
            active=published,
            validate=False,
            vars=store.variables.as_dict(project_id),
        )

    def _execute(self, request: Any, workflow_id: str | None) -> RunOutcome:
        from engine.services.runs import execute_recorded

        store = get_store()
        try:
            result = execute_recorded(store, request, workflow_id=workflow_id)
        except AuraError as exc:
            with contextlib.suppress(AuraError):
                store.executions.finish(request.execution_id, "failed", error=exc)
            return RunOutcome(request.execution_id, "failed", None, exc.to_dict())
        finally:
            with self._lock:
                self._events.pop(request.execution_id, None)
        return RunOutcome(result.id, str(result.status), result, result.error)

    def run(self, *, timeout_s: float | None = None, **job: Any) -> RunOutcome:
        """Runs to the end on this thread (the workflow's own timeout applies)."""
        request = self._prepare(**job)
        return self._execute(request, job.get("workflow_id"))

    def submit(self, **job: Any) -> str:
        """Records the execution and runs it on the background pool. At most
        ``max_pending`` wait there: beyond, callers wait up to ``pending_wait_s`` for a
        free place, then get RateLimited (429)."""
        if not self._slots.acquire(timeout=self._pending_wait_s):
            raise RateLimited(
                "Too many executions are waiting to run in this process; try again shortly.",
                details={"retry_after": 5},
            )
        try:
            request = self._prepare(**job)
        except BaseException:
            self._slots.release()
            raise
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="aura-run")
            pool = self._pool
        pool.submit(self._background, request, job.get("workflow_id"))
        return str(request.execution_id)

    def _background(self, request: Any, workflow_id: str | None) -> None:
        try:
            self._execute(request, workflow_id)
        except Exception:
            log.exception("execution %s crashed", request.execution_id)
            with contextlib.suppress(AuraError):
                get_store().executions.finish(
                    request.execution_id,
                    "crashed",
                    error={"type": "Crash", "message": "internal error"},
                )
        finally:
            self._slots.release()

    # -- managing ---------------------------------------------------------------------
    def wait_for(self, execution_id: str, timeout_s: float) -> Any:
        """The execution row once finished (or as it is after ``timeout_s``)."""
        return wait_row(execution_id, timeout_s)

    def cancel(self, execution_id: str) -> Any:
        """Cancels a queued, waiting or running execution. ConflictError if finished."""
        store = get_store()
        row = store.executions.get(execution_id)
        if _finished(row.status):
            raise ConflictError(
                f"Execution {execution_id} already {row.status}; there is nothing to cancel.",
                details={"status": row.status},
            )
        with self._lock:
            event = self._events.get(execution_id)
        if event is not None:
            event.set()
            return wait_row(execution_id, 10.0)
        return store.executions.set_status(execution_id, "cancelled")

    def retry(self, execution_id: str, *, wait: bool = False) -> str | RunOutcome:
        """Runs a failed, crashed or cancelled execution again with the same input."""
        store = get_store()
        row = store.executions.get(execution_id)
        if row.status not in ("failed", "crashed", "cancelled"):
            raise ConflictError(
                f"Execution {execution_id} is {row.status}; only failed, "
                "crashed or cancelled executions can be retried.",
                details={"status": row.status},
            )
        definition = None if row.workflow_id else row.definition
        if row.workflow_id is None and not definition:
            raise ConflictError(f"Execution {execution_id} kept no workflow to run again.")
        published = row.mode in _PRODUCTION
        if (
            row.workflow_id
            and published
            and store.workflows.get(row.workflow_id).published_version_id is None
        ):
            published = False
        trigger = dict(row.trigger or {})
        items = items_from_json(row.input) if isinstance(row.input, list) else None
        job = {
            "workflow_id": row.workflow_id,
            "definition": definition,
            "mode": "retry",
            "input_items": items,
            "trigger_node": trigger.pop("node", None),
            "published": published,
            "trigger": trigger,
            "retry_of": row.id,
            "attempt": row.attempt + 1,
            "principal": RunAs.trigger(row.project_id),
        }
        return self.run(**job) if wait else self.submit(**job)

    def close(self) -> None:
        """Waits for background executions to end (a later submit starts a new pool)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=False)


class QueueRunner:
    """Hands executions to the queue runtime (``engine.runtimes``)."""

    name = "rq"

    def __init__(self, runtimes: Any) -> None:
        self.rt = runtimes

    def submit(self, **job: Any) -> str:
        wf = job.pop("workflow", None)
        project_id = job.pop("project_id", None)
        for key in ("attempt", "version_id"):
            job.pop(key, None)
        if job.get("principal") is not None:
            job["principal"] = job["principal"].in_project(project_id)
        if job.get("workflow_id"):
            job.pop("definition", None)
        elif job.get("definition") is None and wf is not None:
            job["definition"] = wf.to_json_dict()
        return str(self.rt.submit(runtime="rq", **job))

    def run(self, **job: Any) -> RunOutcome:
        timeout = float(job.pop("timeout_s", 0) or 300.0)
        wf = job.get("workflow")
        if wf is not None and wf.settings.timeout_s:
            timeout = wf.settings.timeout_s + 5
        eid = self.submit(**job)
        row = self.rt.wait_for(eid, timeout)
        return RunOutcome(eid, str(row.status), None, row.error)

    def wait_for(self, execution_id: str, timeout_s: float) -> Any:
        return self.rt.wait_for(execution_id, timeout_s)

    def cancel(self, execution_id: str) -> Any:
        self.rt.cancel(execution_id)
        return get_store().executions.get(execution_id)

    def retry(self, execution_id: str, *, wait: bool = False) -> str | RunOutcome:
        eid = str(self.rt.retry(execution_id))
        if not wait:
            return eid
        row = self.rt.wait_for(eid, 300.0)
        return RunOutcome(eid, str(row.status), None, row.error)

    def close(self) -> None:
        """Nothing to wait for: workers own the executions."""
