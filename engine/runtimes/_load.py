"""From an execution row to what the executor needs (private): the definition it runs
and the :class:`~engine.executor.RunRequest`.

Which definition: the row's snapshot for ad-hoc runs (a file), else the exact version
recorded at submit time (``workflow_version_id``: the published version for trigger,
webhook and schedule runs, the draft for manual ones), else — for rows written by older
code — the published or draft definition chosen by mode.

Run options travel in the row: ``trigger["node"]`` is the node to start from,
``trigger["destination"]`` the last node of a partial run (other ``trigger`` keys are the
trigger's own metadata: webhook request, schedule...), and ``checkpoint["reuse"]`` the
node outputs a partial run reuses instead of running those nodes (recorded by
:mod:`engine.services.execution_start`; a parked run's checkpoint has a ``node`` instead).
"""

from __future__ import annotations

import socket
import threading
from typing import Any

from engine.errors import NotFoundError
from engine.executor import RunRequest
from engine.graph import Workflow, load_workflow
from engine.sdk.items import items_from_json
from engine.store.models import Execution, WorkflowVersion

__all__ = [
    "DESTINATION_KEY",
    "PUBLISHED_MODES",
    "REUSE_KEY",
    "START_NODE_KEY",
    "load_definition",
    "make_request",
    "worker_identity",
]

PUBLISHED_MODES = frozenset({"trigger", "webhook", "schedule"})
"""Modes that run a workflow's published version rather than its draft."""

START_NODE_KEY = "node"
DESTINATION_KEY = "destination"
REUSE_KEY = "reuse"


def load_definition(store: Any, row: Execution) -> Workflow:
    """The workflow an execution runs.

    Raises:
        NotFoundError: the workflow or its version is gone.
        WorkflowValidationError: the stored definition is malformed.
    """
    if row.definition is not None:
        wf = load_workflow(row.definition, what=f"execution {row.id}")
    elif row.workflow_version_id:
        with store.db.read() as s:
            ver = s.get(WorkflowVersion, row.workflow_version_id)
        if ver is None:
            raise NotFoundError(
                f"Version {row.workflow_version_id} of workflow "
                f"'{row.workflow_name}' no longer exists; execution {row.id} "
                "cannot run. Trigger the workflow again."
            )
        wf = load_workflow(ver.definition, what=f"workflow '{row.workflow_name}'")
    elif row.workflow_id:
        data = store.workflows.definition(row.workflow_id, published=row.mode in PUBLISHED_MODES)
        wf = load_workflow(data, what=f"workflow '{row.workflow_name}'")
    else:
        raise NotFoundError(f"Execution {row.id} has neither a workflow nor a definition.")
    if row.workflow_id:
        wf.id = row.workflow_id
    return wf


def make_request(row: Execution, wf: Workflow, cancel_event: threading.Event | None) -> RunRequest:
    """The run request of a queued execution row."""
    trigger = row.trigger or {}
    node, dest = trigger.get(START_NODE_KEY), trigger.get(DESTINATION_KEY)
    carried = (row.checkpoint or {}).get(REUSE_KEY) or {}
    return RunRequest(
        workflow=wf,
        execution_id=row.id,
        mode=row.mode,
        trigger_node=node if isinstance(node, str) and node else None,
        input_items=items_from_json(row.input) if row.input is not None else None,
        destination=dest if isinstance(dest, str) and dest else None,
        reuse={
            n: {p: items_from_json(v) for p, v in ports.items()} for n, ports in carried.items()
        },
        cancel_event=cancel_event,
        active=row.mode in PUBLISHED_MODES,
    )


_identity: str | None = None


def worker_identity() -> str:
    """This process's worker id as recorded on executions (``host:pid`` unless the
    supervisor gave one through ``AURA_WORKER_ID``, the setting ``worker_id``)."""
    import os

    from engine.config import settings

    if _identity is not None:
        return _identity
    return settings().worker_id or f"{socket.gethostname()}:{os.getpid()}"


def set_worker_identity(value: str | None) -> None:
    global _identity
    _identity = value
