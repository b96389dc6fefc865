"""What an execution does, as the runtimes see it: the functions the services install.

The runtimes dispatch, claim, watch and recover executions; what running one *means*
(a workflow's node runs recorded as its principal, with its error workflow; an agent's
steps; a crashed run retried as a new execution from its spec) is the services'
business. :mod:`engine.services` installs its functions here when it is imported
(:func:`install`), so the runtimes never import the services (the import-linter
``layers`` contract) and every process that starts or works executions has them: the
API, ``aura up``, the CLI, and ``aura worker``'s processes, whose entry point is
:mod:`engine.services.worker_process`. A work horse inherits them from its worker.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from engine.errors import AuraError

if TYPE_CHECKING:
    from engine.executor import ExecutionHooks, ExecutionResult, RunRequest

__all__ = ["NotInstalled", "Work", "install", "installed"]


class NotInstalled(AuraError):
    """A runtime was asked to run an execution in a process that never imported
    :mod:`engine.services` (nothing says what running it means)."""

    code = "runtime_not_installed"
    http_status = 500


@dataclass(frozen=True)
class Work:
    """The services' side of running an execution.

    Attributes:
        run_workflow: ``(store, request, workflow_id, hooks)``: runs the request of a
            recorded workflow execution, recording it (claims ``queued -> running``);
            returns the executor's result.
        run_agent: ``(execution_id, hosted)``: claims a queued agent execution and runs
            it (on this process's agent host when ``hosted``); returns its status,
            ``"hosted"``, or None when there was nothing to do.
        retry: ``(execution_id)``: starts a crashed execution again (``rq``); returns
            the new execution's id.
        warm_up: loads in a worker what a work horse would otherwise import per run.
    """

    run_workflow: Callable[[Any, RunRequest, str | None, ExecutionHooks | None], ExecutionResult]
    run_agent: Callable[[str, bool], str | None]
    retry: Callable[[str], str]
    warm_up: Callable[[], None]


_work: Work | None = None


def install(work: Work) -> None:
    """Sets what executions do in this process (the services call it on import)."""
    global _work
    _work = work


def installed() -> Work:
    """What executions do in this process.

    Raises:
        NotInstalled: :mod:`engine.services` was never imported here.
    """
    if _work is None:
        raise NotInstalled(
            "This process cannot run executions: the services are not loaded. Start "
            "workers with 'aura worker' (or import engine.services first)."
        )
    return _work
