"""What the runtimes run, installed by the services (private; see
:mod:`engine.runtimes.work`): :mod:`engine.services` calls :func:`install` when it is
imported, so every process that imports a service can run, and retry, executions
wherever the runtimes put them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engine.executor import ExecutionHooks, ExecutionResult, RunRequest

__all__ = ["WARM_UP", "install"]

WARM_UP = {
    "name": "aura worker warm-up",
    "nodes": [
        {"name": "Start", "type": "core.manual_trigger"},
        {"name": "Set", "type": "core.set", "parameters": {}},
    ],
    "connections": [{"source": "Start", "target": "Set"}],
}
"""What a worker runs in memory (nothing recorded) before its first job."""


def _run_workflow(
    store: Any, request: RunRequest, workflow_id: str | None, hooks: ExecutionHooks | None
) -> ExecutionResult:
    from engine.services.runs import execute_recorded

    return execute_recorded(store, request, workflow_id=workflow_id, hooks=hooks)


def _run_agent(execution_id: str, hosted: bool) -> str | None:
    from engine.services.agent_runs import run_on_worker

    return run_on_worker(execution_id, hosted=hosted)


def _retry(execution_id: str) -> str:
    from engine.services.execution_start import retry_spec, start

    return start(retry_spec(execution_id, "rq")).id


def _warm_up() -> None:
    """Builds the recording executor (importing the credential service, vault, auth...)
    and runs :data:`WARM_UP` in memory. (Agent jobs are not forked: a worker imports
    their runner once, at the first.)"""
    from engine.executor import RunRequest
    from engine.graph import load_workflow
    from engine.services.runs import SYSTEM, make_executor
    from engine.services.store import get_store

    make_executor(get_store(), SYSTEM, set()).run(RunRequest(workflow=load_workflow(WARM_UP)))


def install() -> None:
    """Installs the services' side of running executions in this process."""
    from engine.runtimes.work import Work
    from engine.runtimes.work import install as set_work

    set_work(Work(run_workflow=_run_workflow, run_agent=_run_agent, retry=_retry, warm_up=_warm_up))
