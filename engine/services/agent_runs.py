"""Agent runs: executions of kind ``agent``, started here and carried out on the workers.

:func:`start_run` checks the caller may run the agent (and its state and budget), then
starts it through :func:`engine.services.executions.start`, the one door, from a
:class:`~engine.services.executions.RunSpec` of kind ``agent`` (as the caller's
principal, in the agent's project, with the agent's newest version and the prompt);
:func:`engine.runtimes.dispatch` runs it like any execution: ``rq`` puts its job on the
queue (:func:`engine.runtimes.rq.agent_jobs.run_agent_job`), ``inline`` runs it here. On
a worker, :func:`run_on_worker` claims it and hands it to the process's
:class:`~engine.runtimes.agent_host.AgentHost`, so the worker is free while the model
thinks.

The run itself (:func:`_execute`) thinks through :func:`engine.services.agent_think.think`
(the model, tools and memory it builds; each finished step a row, so a run whose worker
died is resumed by another from its last step) and ends here. A sensitive tool parks the
run (``waiting``, no thread held) until :mod:`approvals` decides; :func:`resume` sends it
back to the workers. The answer lands in the execution's ``output_summary``. Reading
runs is :mod:`engine.services.agent_run_views` (re-exported here).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from engine.agents import registry
from engine.agents.definition import load_definition
from engine.agents.thinking import Parked
from engine.auth.types import Principal
from engine.errors import AuraError, ConflictError, ValidationError
from engine.services.agent_run_views import get_run, list_runs, run_dict, run_steps
from engine.services.agent_think import think
from engine.services.execution_start import RunHandle, RunSpec, Runtime, start
from engine.services.principals import RunAs
from engine.services.store import get_store

__all__ = [
    "chat",
    "get_run",
    "list_runs",
    "resume",
    "run_on_worker",
    "run_steps",
    "start_run",
    "wait_for_run",
]

log = logging.getLogger(__name__)

MAX_PROMPT = 100_000


# -- starting ------------------------------------------------------------------------
def start_run(
    principal: Principal,
    ref: str,
    prompt: str,
    *,
    session: str | None = None,
    runtime: Runtime | None = None,
    mode: str = "manual",
    watch: bool = False,
) -> RunHandle:
    """Starts a run of agent ``ref`` (id or name) for ``prompt`` as the caller.

    ``session``: a conversation id; the agent's memory carries from run to run within it.
    Drafts and active agents run; paused and retired ones refuse (409). A budget past
    its stop refuses too (409).
    """
    from engine.services import ledger
    from engine.services.agents import find_agent

    rec = find_agent(principal, ref, "agent:run")
    if rec.state in ("paused", "retired"):
        raise ConflictError(
            f"Agent '{rec.name}' is {rec.state}; "
            + ("activate it to run it." if rec.state == "paused" else "reopen it as a draft."),
            details={"state": rec.state},
        )
    prompt = (prompt or "").strip()
    if not prompt or len(prompt) > MAX_PROMPT:
        raise ValidationError(f"Give the agent a prompt of 1-{MAX_PROMPT} characters.")
    _, ver = registry.current(get_store(), rec.id)
    budget = load_definition(ver.definition).budget
    warnings = ledger.check_budget(rec.id, budget, rec.name, rec.project_id)
    spec = RunSpec(
        principal=RunAs.caller(principal, rec.project_id),
        kind="agent",
        agent_id=rec.id,
        agent_version_id=ver.id,
        prompt=prompt,
        session=session,
        mode=mode,
        trigger={"warnings": warnings},
        runtime=runtime,
    )
    return start(spec, watch=watch)


# -- on the worker ---------------------------------------------------------------------
def run_on_worker(execution_id: str, *, hosted: bool) -> str | None:
    """Claims the queued agent execution and runs it: on a thread of this process's
    agent host when ``hosted`` (returns ``"hosted"`` at once), else here until it ends
    or parks. None when there was nothing to do (claimed elsewhere, cancelled)."""
    from engine.runtimes._load import worker_identity
    from engine.runtimes.agent_host import agent_host

    store = get_store()
    try:
        row = store.executions.set_status(execution_id, "running", worker_id=worker_identity())
    except AuraError as exc:
        log.info("agent run %s not claimed: %s", execution_id, exc.message)
        return None
    _publish_started(row)
    host = agent_host()
    if hosted and host.try_submit(execution_id, lambda ev: _execute(execution_id, ev)):
        return "hosted"
    host.run_here(execution_id, lambda ev: _execute(execution_id, ev))
    return str(store.executions.get(execution_id).status)


def _publish_started(row: Any) -> None:
    from engine.events import bus
    from engine.events.types import EXECUTION_STARTED, new_event

    try:
        bus.publish(
            new_event(
                EXECUTION_STARTED,
                execution_id=row.id,
                workflow_id=None,
                workflow_name=row.workflow_name,
                mode=row.mode,
                kind="agent",
                agent_id=row.agent_id,
                status="running",
            )
        )
    except Exception as exc:
        log.debug("could not publish the start of %s: %s", row.id, exc)


def _execute(execution_id: str, cancel: threading.Event) -> None:
    """Carries the claimed run to its end, or parks it for an approval."""
    from engine.runtimes.rq.jobs import local_execution

    store = get_store()
    row = store.executions.get(execution_id)
    try:
        with local_execution(execution_id, cancel):
            answer, summary = think(store, row, cancel)
        _end(execution_id, "succeeded", output={"answer": answer, **summary})
    except Parked as parked:
        _park(execution_id, parked.approval_id)
    except AuraError as exc:
        status = "cancelled" if exc.code == "cancelled" else "failed"
        _end(
            execution_id,
            status,
            error={
                "type": type(exc).__name__,
                "code": exc.code,
                "message": exc.message,
                "details": exc.details,
            },
        )
    except Exception as exc:
        log.exception("agent run %s failed unexpectedly", execution_id)
        _end(
            execution_id,
            "failed",
            error={
                "type": type(exc).__name__,
                "code": "internal_error",
                "message": f"The agent run failed: {type(exc).__name__}: {exc}",
            },
        )


# -- ends, parking, resuming -------------------------------------------------------------
def _end(
    execution_id: str,
    status: str,
    *,
    output: dict[str, Any] | None = None,
    error: dict[str, Any] | None = None,
) -> None:
    from engine.events import publish_execution_finished
    from engine.runtimes._redis import cancel_key, redis_configured, redis_connection
    from engine.runtimes.rq.jobs import notify_done

    store = get_store()
    try:
        row = store.executions.finish(execution_id, status, error=error, output_summary=output)
    except AuraError as exc:  # ended elsewhere meanwhile (cancelled while parked...)
        log.info("agent run %s: %s", execution_id, exc.message)
        return
    publish_execution_finished(row)
    if redis_configured():
        r = redis_connection()
        try:
            r.delete(cancel_key(execution_id))
        except Exception as exc:
            log.debug("could not clear the cancel flag of %s: %s", execution_id, exc)
        notify_done(r, execution_id)


def _notify_waiters(execution_id: str) -> None:
    """Wakes :func:`wait_for_run` callers of a run that parked (best effort)."""
    from engine.runtimes._redis import redis_configured, redis_connection
    from engine.runtimes.rq.jobs import notify_done

    if redis_configured():
        notify_done(redis_connection(), execution_id)


def _move(execution_id: str, source: str, values: dict[str, Any]) -> bool:
    from sqlmodel import col, update

    from engine.store.models import Execution

    with get_store().db.write() as s:
        done = s.exec(
            update(Execution)
            .where(col(Execution.id) == execution_id, col(Execution.status) == source)
            .values(**values)
        )
    return bool(done.rowcount)


def _park(execution_id: str, approval_id: str) -> None:
    from engine.events import bus
    from engine.events.types import EXECUTION_WAITING, new_event

    if _move(
        execution_id, "running", {"status": "waiting", "heartbeat_at": None, "worker_id": None}
    ):
        bus.publish(
            new_event(
                EXECUTION_WAITING,
                execution_id=execution_id,
                kind="agent",
                status="waiting",
                approval_id=approval_id,
            )
        )
        bus.kick()
        _notify_waiters(execution_id)


def resume(execution_id: str) -> None:
    """Sends a parked agent run back to the workers (after its approval was decided):
    queued again, then dispatched through :func:`engine.services.executions.start`."""
    if _move(execution_id, "waiting", {"status": "queued", "worker_id": None}):
        row = get_store().executions.get(execution_id)
        start(RunSpec(principal=RunAs.from_row(row), kind="agent", execution_id=execution_id))


# -- waiting for a run -------------------------------------------------------------------
def chat(
    principal: Principal, ref: str, message: str, *, session: str, timeout: float = 300.0
) -> dict[str, Any]:
    """One turn of a conversation: runs the agent for ``message`` in ``session`` and
    waits for it (a run waiting for an approval comes back ``waiting``)."""
    handle = start_run(principal, ref, message, session=session, mode="chat")
    row = wait_for_run(handle, timeout)
    return run_dict(row)


def wait_for_run(handle: RunHandle, timeout: float) -> Any:
    """The run's execution row once it has ended or parked (``waiting`` for an
    approval), or as it is after ``timeout`` seconds (the one wait of every run,
    :func:`engine.runtimes.wait_for`, woken by the worker)."""
    from engine.runtimes import WaitTimeout, wait_for

    try:
        return wait_for(handle.id, timeout, or_status=frozenset({"waiting"}))
    except WaitTimeout:
        return get_store().executions.get(handle.id)


def _on_decision(execution_id: str) -> None:
    resume(execution_id)


def _register() -> None:
    from engine.services import approvals

    approvals.on_decision("tool", _on_decision)


_register()
