"""Running workflows inline, recorded in the store: the path the CLI and tests use.

The queue runtime reuses :class:`StoreRecorder` and :func:`execute_recorded` so that an
execution is recorded the same way wherever it runs. That includes durable waits: a run
that stops at a Wait node is parked (``waiting``, with its checkpoint), and a later run
of the same execution id resumes it (see :mod:`engine.runtimes.resume`).
"""

from __future__ import annotations

import copy
import logging
import secrets
import threading
from typing import Any

from engine.errors import AuraError, ConflictError, CredentialError
from engine.events import EventPublisher
from engine.executor import ExecutionHooks, ExecutionResult, Executor, MultiHooks, RunRequest
from engine.executor.result import Checkpoint, ExecutionStatus, NodeRunRecord
from engine.graph import CredentialRef, NodeDef, Workflow, load_workflow
from engine.observability.hooks import ExecutionObserver
from engine.sdk.items import Item
from engine.services.principals import SYSTEM, RunAs
from engine.services.store import get_store

__all__ = [
    "SYSTEM",
    "Heartbeat",
    "StoreRecorder",
    "credential_resolver",
    "execute_recorded",
    "load_stored",
    "make_executor",
    "run_workflow",
]

log = logging.getLogger(__name__)
LIVE_MODES = frozenset({"manual", "cli", "test"})
"""Modes whose node runs are written as they finish (the editor watches them)."""


class StoreRecorder(ExecutionHooks):
    """Persists an execution and each node run as they happen.

    When the run resumes a parked execution (``resumed``), the nodes it reuses from the
    checkpoint were recorded by the earlier run and are not recorded again; the node
    that waited gets its run completed with its output. A run that ends ``waiting`` is
    parked with its checkpoint and ``resume_token``.
    """

    def __init__(
        self,
        store: Any,
        execution_id: str,
        workflow: Workflow,
        secrets: set[str] | None = None,
        *,
        resumed: Checkpoint | None = None,
        resume_token: str | None = None,
        live: bool = True,
        claimed: bool = False,
        carried: bool = False,
    ) -> None:
        self.store = store
        self.claimed = claimed
        self.carried = carried  # the row's checkpoint carries a partial run's reused data
        self.execution_id = execution_id
        self.workflow = workflow
        self.max_items = workflow.settings.max_saved_items
        self.resumed = resumed
        self.resume_token = resume_token
        self.secrets = secrets if secrets is not None else set()
        # Production runs (webhooks, schedules...) write their node runs in one transaction
        # at the end: a few commits per execution instead of one per node. Live progress
        # comes from the event stream. Editor and CLI runs are written as they happen.
        self.live = live
        self._pending: list[dict[str, Any]] = []
        # buffered node runs keep their output items as they are until the run's outcome
        # says whether its node data is saved: saving none converts nothing
        self._outputs: list[dict[str, list[Item]]] = []
        settings = workflow.settings
        self._keeps_none = settings.save_data_success == settings.save_data_error == "none"

    def _redact(self, value: Any) -> Any:
        """Secrets of the credentials used so far never reach the store."""
        if not self.secrets:
            return value
        from engine.vault.redact import Redactor

        return Redactor(self.secrets)(value)

    def execution_started(self, result: ExecutionResult) -> None:
        if not self.claimed:  # queued -> running: exactly one claimer wins
            self.store.executions.set_status(self.execution_id, "running")

    def node_finished(self, result: ExecutionResult, run: NodeRunRecord) -> None:
        if self.resumed is not None and str(run.status) == "reused":
            if run.node == self.resumed.node:
                self._complete_waiting_run(run)
            return
        status = str(run.status)
        fields: dict[str, Any] = dict(
            node_type=run.type,
            type_version=run.type_version,
            status=status,
            started_at=run.started_at,
            finished_at=run.finished_at,
            attempts=max(1, run.attempts),
            input_counts=run.input_counts,
            output_counts=run.output_counts,
            output=self._output(run.outputs) if self.live else None,
            error=self._redact(run.error),
            logs=self._redact(run.logs),
            position=run.index,
            max_items=self.max_items,
        )
        if self.live:
            self.store.node_runs.record(self.execution_id, run.node, **fields)
        else:
            self._pending.append({"node_name": run.node, **fields})
            self._outputs.append({p: items[: self.max_items] for p, items in run.outputs.items()})

    def _output(self, outputs: dict[str, list[Item]]) -> dict[str, Any]:
        """A node run's output as stored: the first ``max_items`` items of each port."""
        out = {p: [i.to_dict() for i in items[: self.max_items]] for p, items in outputs.items()}
        redacted: dict[str, Any] = self._redact(out)
        return redacted

    def _take(self, keep_data: bool) -> list[dict[str, Any]]:
        """The buffered node runs, with their output when ``keep_data`` (then emptied)."""
        pending, outputs = self._pending, self._outputs
        self._pending, self._outputs = [], []
        if keep_data:
            for row, out in zip(pending, outputs, strict=True):
                row["output"] = self._output(out)
        return pending

    def flush(self) -> None:
        """Writes buffered node runs (one transaction)."""
        if self._pending:
            self.store.node_runs.record_many(self.execution_id, self._take(not self._keeps_none))

    def _complete_waiting_run(self, run: NodeRunRecord) -> None:
        rows = [
            r
            for r in self.store.node_runs.list(self.execution_id, run.node)
            if r.status == "waiting"
        ]
        if not rows:
            return
        self.store.node_runs.update(
            rows[-1].id,
            status="succeeded",
            finished_at=run.finished_at,
            output=self._redact(
                {p: [i.to_dict() for i in items] for p, items in run.outputs.items()}
            ),
            output_counts=run.output_counts,
            max_items=self.max_items,
        )

    def execution_finished(self, result: ExecutionResult) -> None:
        if result.status == ExecutionStatus.WAITING:
            from engine.runtimes.resume import park

            self.flush()
            assert result.checkpoint is not None
            park(self.store, self.execution_id, result.checkpoint, self.resume_token)
            return
        s = self.workflow.settings
        keep = s.save_data_success if result.ok else s.save_data_error
        # saving less costs less: node data that is not kept is never converted or written
        pending = self._take(keep != "none")
        summary: dict[str, Any] = {"last_node": result.last_node, "items": len(result.output)}
        if result.webhook_response is not None:
            # a Respond-to-Webhook answer, read back by the HTTP server when a worker ran it
            summary["webhook_response"] = self._redact(result.webhook_response)
        if self.resumed is not None or self.carried:
            # before the final status: whoever sees the execution finished sees no checkpoint
            from engine.runtimes.resume import clear_checkpoint

            clear_checkpoint(self.store, self.execution_id)
        try:  # the buffered node runs and the final status: one transaction
            self.store.executions.finish(
                self.execution_id,
                str(result.status),
                error=self._redact(result.error),
                output_summary=summary,
                node_runs=pending,
            )
        except ConflictError:  # e.g. cancelled meanwhile: what the nodes did is kept
            if pending:
                self.store.node_runs.record_many(self.execution_id, pending)
            raise
        if keep == "none" and (self.live or self.resumed is not None):
            self.store.node_runs.drop_data(self.execution_id)  # written as they ran


def credential_resolver(run_as: RunAs, secrets: set[str] | None = None) -> Any:
    """Decrypts a node's credential from the vault (refreshing OAuth2 tokens that are
    about to expire) and remembers its secret strings so the recorder can redact them —
    only when ``run_as``, the execution's principal, may use it now (else the node fails
    with a :class:`CredentialError` and nothing is decrypted)."""
    from engine.services import credentials as cred_service
    from engine.services.principals import acting_principal, check_credential

    acting: list[Any] = []  # the auth principal, read once per execution

    def resolve(node: NodeDef, slot: str, ref: CredentialRef) -> dict[str, Any]:
        if run_as.kind != "system" and not acting:
            try:
                acting.append(acting_principal(run_as))
            except AuraError as exc:
                raise CredentialError(
                    f"Node '{node.name}', credential '{slot}': {exc.message}"
                ) from None
        check_credential(
            run_as, ref.id, node=node.name, slot=slot, principal=acting[0] if acting else None
        )
        try:
            return dict(cred_service.resolve(ref.id, secrets))
        except AuraError as exc:
            raise CredentialError(
                f"Node '{node.name}', credential '{slot}': {exc.message}"
            ) from None

    return resolve


def make_executor(store: Any | None, run_as: RunAs, secrets: set[str] | None = None) -> Executor:
    """An executor whose credentials and sub-workflows (by id or name) are those
    ``run_as`` may use and run (see :mod:`engine.services.principals`)."""
    if store is None:
        return Executor()

    def loader(ref: str) -> Workflow:
        from engine.services.principals import find_workflow

        rec = find_workflow(run_as, ref)
        wf = load_workflow(store.workflows.definition(rec.id))
        wf.id = rec.id
        return wf

    return Executor(credentials=credential_resolver(run_as, secrets), workflow_loader=loader)


def load_stored(ref: str) -> tuple[Workflow, str]:
    """The draft definition of a stored workflow (by id, prefix or name) and its id."""
    from engine.services.workflows import find

    rec = find(ref)
    wf = load_workflow(get_store().workflows.definition(rec.id))
    wf.id = rec.id
    return wf, rec.id


def execute_recorded(
    store: Any,
    request: RunRequest,
    *,
    workflow_id: str | None,
    hooks: ExecutionHooks | None = None,
    claimed: bool = False,
    row: Any = None,
) -> ExecutionResult:
    """Runs ``request`` (whose execution row exists) recording into ``store``; then the
    workflow's error workflow if it failed; then saves static data.

    A parked execution (it has a checkpoint) is resumed from its checkpoint; a run that
    reaches a parking Wait node ends ``waiting`` (see :mod:`engine.runtimes.resume`).
    ``$execution.resume_url`` is set for every recorded run, with a fresh token.
    ``claimed``: the row was recorded ``running`` by this process (a run here), so no
    worker can take it. ``row``: that row as this process just recorded it (else it is
    read).
    """
    from engine.runtimes.resume import prepare_resume, resume_url

    wf = request.workflow
    if row is None:
        row = store.executions.get(request.execution_id)
    resumed = prepare_resume(store, request, row=row)
    token = secrets.token_urlsafe(24)
    request.resume_url = resume_url(request.execution_id, token)
    if workflow_id:
        request.static_data = store.workflows.get_static_data(workflow_id)
    before = copy.deepcopy(request.static_data)
    used_secrets: set[str] = set()
    # who the run acts as comes from its row, never from the caller
    run_as = RunAs.from_row(row)
    if not request.vars:  # $vars as seen from the execution's project (on workers too)
        request.vars = store.variables.as_dict(run_as.project_id)
    executor = make_executor(store, run_as, used_secrets)
    recorder = StoreRecorder(
        store,
        request.execution_id,
        wf,
        used_secrets,
        resumed=resumed,
        resume_token=token,
        live=request.mode in LIVE_MODES,
        claimed=claimed,
        carried=resumed is None and bool(row.checkpoint),
    )
    events = EventPublisher(
        workflow_id=workflow_id,
        workflow_name=wf.name,
        mode=request.mode,
        secrets=used_secrets,
        resumed=resumed is not None,
    )
    chain = MultiHooks(recorder, events) if hooks is None else MultiHooks(recorder, hooks, events)
    chain.hooks.append(ExecutionObserver(workflow_id, wf.name, request.mode, used_secrets))
    result = executor.run(request, hooks=chain)
    if workflow_id and request.static_data != before:
        # merged, not replaced: another execution of this workflow may have saved its
        # own changes since this one read the data
        store.workflows.merge_static_data(workflow_id, before, request.static_data)
    if result.status == ExecutionStatus.WAITING:
        return result
    if not result.ok and wf.settings.error_workflow and request.mode != "error":
        try:
            run_error_workflow(store, wf, result, workflow_id, project_id=run_as.project_id)
        except AuraError as exc:
            log.warning("error workflow of '%s' could not run: %s", wf.name, exc.message)
    if request.mode in ("manual", "cli") and not wf.settings.save_manual:
        store.executions.delete(request.execution_id)
    return result


def run_error_workflow(
    store: Any,
    wf: Workflow,
    failed: ExecutionResult,
    workflow_id: str | None,
    *,
    project_id: str | None = None,
) -> str:
    """Runs ``wf.settings.error_workflow`` from its Error Trigger with the failure, as a
    trigger of the failed execution's project; the error workflow must belong to that
    same project (NotFoundError otherwise). Returns the error workflow's execution id."""
    from engine.services.workflow_access import error_workflow_in

    ref = wf.settings.error_workflow
    assert ref is not None
    rec = error_workflow_in(ref, project_id)
    ewf = load_workflow(store.workflows.definition(rec.id))
    ewf.id = rec.id
    from engine.sdk import get_catalog

    cat = get_catalog()
    trigger = next(
        (n.name for n in ewf.nodes if cat.trigger_kind(n.type, n.type_version) == "error"), None
    )
    if trigger is None:
        raise CredentialError(f"Error workflow '{ewf.name}' has no Error Trigger node.")
    payload = {
        "execution": {
            "id": failed.id,
            "error": failed.error,
            "last_node_executed": failed.last_node,
            "mode": "trigger",
            "status": str(failed.status),
        },
        "workflow": {"id": workflow_id, "name": wf.name},
    }
    from engine.services.execution_start import RunSpec, start

    # here, in the failed run's process, as a trigger of the error workflow's project
    handle = start(
        RunSpec(
            principal=RunAs.trigger(rec.project_id),
            workflow_id=rec.id,
            mode="error",
            start_node=trigger,
            input_items=[Item(json=payload)],
            runtime="inline",
        )
    )
    return handle.id


class Heartbeat:
    """Marks an in-process execution alive while it runs, like a worker does, so the crash
    reaper of a worker sharing the database never takes a long CLI, editor or webhook run
    for a crashed one. One daemon thread per process beats every execution running in it
    (``AURA_QUEUE_HEARTBEAT_INTERVAL_S``), not a thread per execution."""

    _lock = threading.Lock()
    _running: dict[str, Any] = {}  # execution id -> its store
    _thread: threading.Thread | None = None
    _wake = threading.Event()  # the interval got shorter: beat now, then at the new one
    _sleeping = float("inf")  # the interval the thread waits for now

    def __init__(self, store: Any, execution_id: str) -> None:
        self.store = store
        self.execution_id = execution_id

    @classmethod
    def _beat(cls) -> None:
        from engine.config import settings

        interval = 5.0
        while True:
            try:
                interval = settings().queue.heartbeat_interval_s
            except Exception:  # the environment changing under us: keep the last one
                log.debug("heartbeat interval unreadable", exc_info=True)
            cls._sleeping = interval
            cls._wake.wait(interval)
            cls._wake.clear()
            with cls._lock:
                running = list(cls._running.items())
            for execution_id, store in running:
                try:
                    store.executions.heartbeat(execution_id)
                except Exception:  # a missed beat is not worth failing a run
                    log.debug("heartbeat of %s failed", execution_id, exc_info=True)

    def __enter__(self) -> Heartbeat:
        cls = type(self)
        with cls._lock:
            cls._running[self.execution_id] = self.store
            if cls._thread is None or not cls._thread.is_alive():  # also after a fork
                cls._thread = threading.Thread(target=cls._beat, name="aura-heartbeat", daemon=True)
                cls._thread.start()
        # a run's row is stamped when it starts running, so the first beat is due one
        # interval later; wake the thread only when it sleeps longer than the interval
        # now set (not on every run: under load that was a write per run started)
        if _heartbeat_interval() < cls._sleeping:
            cls._wake.set()
        return self

    def __exit__(self, *exc: object) -> None:
        with type(self)._lock:
            type(self)._running.pop(self.execution_id, None)


def _heartbeat_interval() -> float:
    from engine.config import settings

    try:
        return float(settings().queue.heartbeat_interval_s)
    except Exception:  # the environment changing under us: let the thread decide
        log.debug("heartbeat interval unreadable", exc_info=True)
        return 0.0


def run_workflow(
    wf: Workflow,
    *,
    workflow_id: str | None = None,
    input_items: list[Item] | None = None,
    mode: str = "manual",
    destination: str | None = None,
    hooks: ExecutionHooks | None = None,
    record: bool = True,
    principal: RunAs = SYSTEM,
    **request: Any,
) -> ExecutionResult:
    """Runs a workflow in this process as ``principal`` (default: the console operator),
    through :func:`engine.services.executions.start` (a stored one: its draft); records
    it in the store unless ``record=False`` (then no credentials and no stored
    sub-workflows can be reached)."""
    from engine.services.execution_start import RunSpec, start

    unknown = set(request) - {"trigger_node", "reuse"}
    if unknown:
        raise TypeError(f"run_workflow() got unexpected options {sorted(unknown)}")
    handle = start(
        RunSpec(
            principal=principal,
            workflow_id=workflow_id if record else None,
            definition=None if workflow_id and record else wf.to_json_dict(),
            record=record,
            mode=mode,
            input_items=input_items,
            start_node=request.get("trigger_node"),
            destination=destination,
            reuse=dict(request.get("reuse") or {}),
            runtime="inline",
        ),
        hooks=hooks,
    )
    assert handle.outcome is not None
    return handle.outcome
