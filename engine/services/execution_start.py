"""The one door to start an execution: :func:`start` a :class:`RunSpec`, get a
:class:`RunHandle` (RQ's small vocabulary: a spec is what to run and as whom, a handle is
the execution once recorded).

Every entry point builds a spec naming its **principal** (who the run acts as, recorded
on the execution; see :mod:`engine.services.principals`) and calls :func:`start`; the
runtime only decides *where* it runs. A spec runs a workflow, or (``kind="agent"``) an
agent: :func:`engine.services.agent_runs.start_run` checks the caller may run it and
its budget, then starts it here like any run::

    from engine.services.executions import RunSpec, start

    handle = start(RunSpec(principal=RunAs.caller(p), workflow_id=wid, mode="manual"))
    row = handle.result(timeout=30)          # the finished execution row
    for event in handle.events(): ...        # live events (open with watch=True)
    handle.cancel()

``runtime="rq"`` records the execution as ``queued`` and enqueues it for the workers;
``"inline"`` records it and runs it in this process, returning when it has finished
(with the heartbeat a worker would beat, so no reaper takes it for crashed; an agent
run: until it ends or parks for an approval). Runs observed
through ``hooks`` run inline; partial runs (``destination``, ``reuse``) run on either, the
reused data travelling with the execution. This module (with
:mod:`engine.services._execution_record`) is the only place that records executions.
"""

from __future__ import annotations

import builtins
import contextlib
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from engine.services._execution_record import record_agent, record_row, validated_once
from engine.services.principals import RunAs

if TYPE_CHECKING:
    from collections.abc import Iterator

    from engine.executor import ExecutionHooks, ExecutionResult
    from engine.sdk.items import Item

__all__ = ["RunHandle", "RunSpec", "Runtime", "default_runtime", "record", "retry_spec", "start"]

Runtime = Literal["rq", "inline"]
Kind = Literal["workflow", "agent"]


@dataclass
class RunSpec:
    """What to run, how, and as whom.

    Attributes:
        principal: who the execution acts as (required; recorded on it).
        kind: ``"workflow"`` (the default) or ``"agent"``: a run of ``agent_id``
            (``agent_version_id``, default its newest version) for ``prompt`` in
            conversation ``session``; of the workflow fields only ``mode``, ``trigger``,
            ``runtime``, ``execution_id`` and ``queue`` apply.
        workflow_id: a stored workflow, or ``definition`` (an ad-hoc workflow, kept as a
            snapshot on the execution).
        version: ``"published"`` or ``"draft"``; default: published for trigger,
            webhook and schedule modes, else the draft.
        version_id: an exact stored version of the workflow instead (a retry).
        mode: what started it (manual, cli, webhook, schedule, error, retry, ...).
        input_items: items given to the start node.
        start_node: the node to start from (default: the executor's choice).
        destination: a partial run up to (and including) this node.
        reuse: node outputs of an earlier run to use instead of running them (kept on
            the queued row for a worker, cleared when the run ends).
        trigger: metadata recorded with the execution (webhook request, schedule slot).
        runtime: ``"rq"`` (the workers) or ``"inline"``; default: rq when Redis is
            configured, else inline.
        execution_id: the id to use; a ``queued`` execution with this id is
            (re-)dispatched instead (a resumed one).
        queue: the RQ queue (default ``AURA_QUEUE_NAME``).
    """

    principal: RunAs
    kind: Kind = "workflow"
    agent_id: str | None = None
    agent_version_id: str | None = None
    prompt: str | None = None
    session: str | None = None
    workflow_id: str | None = None
    definition: dict[str, Any] | None = None
    version: Literal["draft", "published"] | None = None
    version_id: str | None = None
    mode: str = "manual"
    input_items: builtins.list[Item] | None = None
    start_node: str | None = None
    destination: str | None = None
    reuse: dict[str, dict[str, builtins.list[Item]]] = field(default_factory=dict)
    trigger: dict[str, Any] | None = None
    runtime: Runtime | None = None
    execution_id: str | None = None
    queue: str | None = None
    retry_of: str | None = None
    attempt: int = 1
    parent_execution_id: str | None = None
    record: bool = True
    """False: run it here without recording it (``aura run --no-store``): no execution
    row, no credentials and no stored sub-workflows (they need a recorded principal)."""

    def chosen_runtime(self) -> Runtime:
        return self.runtime if self.runtime is not None else default_runtime()


def default_runtime() -> Runtime:
    """Where a run goes when its spec does not say: ``rq`` (the workers) when Redis is
    configured (``AURA_REDIS_URL``, or the ``aura up`` of this data directory), else
    ``inline``."""
    from engine.runtimes import redis_configured

    return "rq" if redis_configured() else "inline"


class RunHandle:
    """A started execution: its id, live events, its result and a way to stop it."""

    def __init__(
        self, execution_id: str, *, outcome: ExecutionResult | None = None, subscription: Any = None
    ) -> None:
        self.id = execution_id
        self.outcome = outcome
        """The in-process result when it ran inline (None on the workers)."""
        self._subscription = subscription

    def __repr__(self) -> str:
        return f"RunHandle({self.id!r})"

    @property
    def subscription(self) -> Any:
        """The live event subscription opened by ``start(..., watch=True)`` (a
        :class:`engine.events.Subscription`; None otherwise or once :meth:`events` took
        it)."""
        return self._subscription

    def events(self, timeout: float | None = None) -> Iterator[dict[str, Any]]:
        """The execution's live events until it has finished (or ``timeout`` seconds
        pass without one). Started with ``watch=True``, nothing is missed; otherwise
        only events from now on."""
        from engine.events import subscribe

        sub = self._subscription or subscribe(execution_id=self.id)
        self._subscription = None
        with sub:
            while True:
                event = sub.get(timeout=timeout)
                if event is None:
                    return
                yield event
                if event.get("type") == "execution.finished":
                    return

    def result(self, timeout: float) -> Any:
        """The execution row once it has finished (succeeded, failed, cancelled,
        crashed). Raises :class:`~engine.runtimes.WaitTimeout` after ``timeout``."""
        from engine.runtimes import wait_for

        return wait_for(self.id, timeout)

    def answer(self) -> dict[str, Any] | None:
        """What the finished run answers its waiter (a webhook's answer; see
        :meth:`engine.executor.ExecutionResult.answer`): from the in-process result, or
        as the worker kept it when the run's ``trigger`` asked for it (None otherwise)."""
        if self.outcome is not None:
            answer: dict[str, Any] = self.outcome.answer()
            return answer
        from engine.runtimes.answers import answer as kept

        return kept(self.id)

    def cancel(self) -> None:
        """Cancels it (queued or waiting: at once; running: at the next node boundary).
        Raises ConflictError when it has already finished."""
        from engine.runtimes import cancel

        cancel(self.id)

    def close(self) -> None:
        """Drops an unused event subscription."""
        if self._subscription is not None:
            self._subscription.close()
            self._subscription = None


def start(spec: RunSpec, *, hooks: ExecutionHooks | None = None, watch: bool = False) -> RunHandle:
    """Records the execution (as ``spec.principal``) and starts it; see the module.

    Args:
        hooks: observe the run node by node (runs it inline, in this thread).
        watch: subscribe to its events before it starts (read them with
            :meth:`RunHandle.events`).

    Raises:
        ValidationError: neither ``workflow_id`` nor ``definition``; hooks with
            ``runtime="rq"``.
        NotFoundError: no such workflow, or no published version when one is needed.
        ConflictError: the workflow is at its concurrency limit with overflow ``drop``.
        NoRedisConfigured: ``runtime="rq"`` without ``AURA_REDIS_URL``.
    """
    from engine.observability import correlation

    with correlation.ensure():  # a schedule, the CLI...: a new id; a request's is kept
        return _start_correlated(spec, hooks, watch)


def _start_correlated(spec: RunSpec, hooks: ExecutionHooks | None, watch: bool) -> RunHandle:
    from engine.errors import ValidationError

    if spec.kind == "agent" and (hooks is not None or not spec.record):
        raise ValidationError("An agent run is recorded and followed by its events and steps.")
    if not spec.record:
        return _run_unrecorded(spec, hooks)
    runtime = spec.chosen_runtime()
    if hooks is not None and runtime == "rq":
        raise ValidationError(
            "Runs observed node by node run in this process: use runtime 'inline' "
            "(or follow a run on the workers from its events)."
        )
    if runtime == "rq":
        from engine.runtimes import redis_connection

        redis_connection()  # no Redis configured: say so before recording anything
    # an id the caller chose may name a recorded execution to dispatch; one chosen here
    # is new (no read to find out)
    given = spec.execution_id is not None
    _reserve_id(spec)  # the caller knows the id, also when the start fails
    subscription = None
    if watch:
        from engine.events import subscribe

        subscription = subscribe(execution_id=spec.execution_id)
    try:
        return _start(spec, runtime, hooks, subscription, given)
    except BaseException:
        if subscription is not None:
            subscription.close()
        raise


def _start(
    spec: RunSpec,
    runtime: Runtime,
    hooks: ExecutionHooks | None,
    subscription: Any,
    given: bool = True,
) -> RunHandle:
    from engine.runtimes import dispatch

    queued = _queued(spec.execution_id) if given and spec.execution_id is not None else None
    if queued is not None:
        # recorded already (by record(), or parked and now resumed): dispatch it
        dispatch(queued.id, runtime=runtime, queue=spec.queue, row=queued)
        return RunHandle(queued.id, subscription=subscription)
    if spec.kind == "agent":  # queued; inline: claimed and run here by the dispatch
        agent_row = record_agent(spec)
        dispatch(agent_row.id, runtime=runtime, queue=spec.queue, row=agent_row)
        return RunHandle(agent_row.id, subscription=subscription)
    check_limit = not _from_editor(spec) and hooks is None
    if runtime == "inline":
        # recorded running, by this process: no worker takes it for an orphan meanwhile
        row, wf = record_row(spec, check_limit=check_limit, here=True)
        outcome = _run_here(spec, row, wf, hooks)
        return RunHandle(row.id, outcome=outcome, subscription=subscription)
    row, wf = record_row(spec, check_limit=check_limit)
    dispatch(row.id, runtime=runtime, queue=spec.queue, row=row, workflow=wf)
    return RunHandle(row.id, subscription=subscription)


def _from_editor(spec: RunSpec) -> bool:
    """A canvas run (a snapshot of a stored workflow, or a partial run): the editor's own
    try, never dropped by the workflow's concurrency limit."""
    snapshot = spec.workflow_id is not None and spec.definition is not None
    partial = spec.destination is not None or bool(spec.reuse)
    return partial or (snapshot and spec.version_id is None and spec.attempt == 1)


def record(spec: RunSpec) -> RunHandle:
    """Records a workflow's execution (``queued``, as ``spec.principal``) without starting it;
    ``start(RunSpec(principal=..., execution_id=handle.id, runtime=...))`` dispatches it
    later (e.g. from a background thread, once the caller has its id)."""
    row, _ = record_row(spec, check_limit=True)
    return RunHandle(row.id)


def _queued(execution_id: str) -> Any:
    """The recorded ``queued`` execution ``execution_id``; None when there is none.

    Raises:
        ConflictError: it exists and is no longer queued.
    """
    from engine.errors import ConflictError, NotFoundError
    from engine.services.store import get_store

    try:
        row = get_store().executions.get(execution_id)
    except NotFoundError:
        return None
    if row.status != "queued":
        raise ConflictError(
            f"Execution {execution_id} already exists and is {row.status}.",
            details={"id": execution_id, "status": row.status},
        )
    return row


def _reserve_id(spec: RunSpec) -> str:
    """The execution id (chosen now, so a subscription can open before it starts)."""
    import uuid

    if spec.execution_id is None:
        spec.execution_id = uuid.uuid4().hex
    return spec.execution_id


def retry_spec(execution_id: str, runtime: Runtime | None = None) -> RunSpec:
    """The spec that runs a failed, crashed or cancelled execution again: the same
    workflow version (or snapshot), input and start node, ``retry_of`` set and
    ``attempt`` one more, as a trigger of its project (whoever started the first).

    Raises:
        NotFoundError: no such execution.
        ConflictError: it is not failed, crashed or cancelled, or kept no workflow.
    """
    from engine.errors import ConflictError
    from engine.sdk.items import items_from_json
    from engine.services.store import get_store

    row = get_store().executions.get(execution_id)
    if row.status not in ("failed", "crashed", "cancelled"):
        raise ConflictError(
            f"Execution {execution_id} is {row.status}; only failed, crashed or cancelled "
            "executions can be retried.",
            details={"id": execution_id, "status": row.status},
        )
    if row.workflow_id is None and not row.definition:
        raise ConflictError(f"Execution {execution_id} kept no workflow to run again.")
    trigger = dict(row.trigger or {})
    node = trigger.pop("node", None)
    return RunSpec(
        principal=RunAs.trigger(row.project_id),
        workflow_id=row.workflow_id,
        definition=row.definition,
        version_id=None if row.definition is not None else row.workflow_version_id,
        version="published" if row.mode in ("trigger", "webhook", "schedule") else "draft",
        mode="retry",
        input_items=items_from_json(row.input) if isinstance(row.input, list) else None,
        start_node=node if isinstance(node, str) and node else None,
        trigger=trigger or None,
        retry_of=row.id,
        attempt=row.attempt + 1,
        parent_execution_id=row.parent_execution_id,
        runtime=runtime,
    )


def _run_here(spec: RunSpec, row: Any, wf: Any, hooks: ExecutionHooks | None) -> ExecutionResult:
    """Runs a recorded execution in this thread, heartbeating and cancellable. An error
    that stops it before it could end (a definition that does not validate) ends it
    ``failed`` and is raised."""
    from engine.errors import AuraError
    from engine.executor import RunRequest
    from engine.runtimes._load import PUBLISHED_MODES
    from engine.services.runs import Heartbeat, execute_recorded
    from engine.services.store import get_store

    store = get_store()
    event = threading.Event()
    request = RunRequest(
        workflow=wf,
        execution_id=row.id,
        mode=spec.mode,
        trigger_node=spec.start_node,
        input_items=spec.input_items,
        destination=spec.destination or None,
        reuse=dict(spec.reuse),
        cancel_event=event,
        active=spec.mode in PUBLISHED_MODES,
    )
    try:
        # a stored version shared by this process's runs is validated once, not per run
        request.validate = not validated_once(wf)
        with _cancellable(row.id, event), Heartbeat(store, row.id):
            return execute_recorded(
                store, request, workflow_id=spec.workflow_id, hooks=hooks, claimed=True, row=row
            )
    except AuraError as exc:
        _fail(store, row.id, exc)
        raise


def _run_unrecorded(spec: RunSpec, hooks: ExecutionHooks | None) -> RunHandle:
    from engine.errors import ValidationError
    from engine.executor import Executor, RunRequest
    from engine.graph import load_workflow

    if spec.definition is None or spec.runtime == "rq":
        raise ValidationError(
            "A run that is not recorded runs a definition here: give the definition "
            "and runtime 'inline'."
        )
    request = RunRequest(
        workflow=load_workflow(spec.definition, what="the workflow to run"),
        mode=spec.mode,
        trigger_node=spec.start_node,
        input_items=spec.input_items,
        destination=spec.destination or None,
        reuse=dict(spec.reuse),
    )
    result = Executor().run(request, hooks=hooks)
    return RunHandle(result.id, outcome=result)


def _fail(store: Any, execution_id: str, exc: Exception) -> None:
    """Ends an execution that could not run ``failed`` (unless it already ended)."""
    from engine.errors import ConflictError, NotFoundError
    from engine.events import publish_execution_finished

    try:
        ended = store.executions.finish(execution_id, "failed", error=exc)
    except (ConflictError, NotFoundError):
        return
    publish_execution_finished(ended)


@contextlib.contextmanager
def _cancellable(execution_id: str, event: threading.Event) -> Iterator[None]:
    """Lets :meth:`RunHandle.cancel` (``engine.runtimes.cancel``) stop this run."""
    from engine.runtimes.rq.jobs import local_execution

    with local_execution(execution_id, event):
        yield
