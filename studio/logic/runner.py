"""Running the editor's workflow: recorded in the store, observed live through hooks.

:func:`run_canvas` runs in a worker thread; :class:`QueueHooks` hands each node's
progress to the event loop of the Reflex background task that started it. The run is
recorded like any other (``engine.services.runs.execute_recorded``) with a snapshot of
the definition, so its execution page shows the workflow exactly as it ran.

:func:`run_canvas_queued` submits the same snapshot to the workers instead and posts the
same node events onto the same queue (from the execution's live events, then its record:
:mod:`studio.logic.live`), so the editor's consumer has one code path;
:func:`cancel_queued` stops it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from engine.graph import load_workflow, validate
from engine.sdk import get_catalog
from engine.sdk.items import Item
from engine.services.auth import Principal
from engine.services.executions import (
    ExecutionHooks,
    ExecutionResult,
    NodeRunRecord,
    RunSpec,
    start,
)
from engine.services.principals import RunAs
from engine.services.store import get_store
from studio.logic.live import Follower

__all__ = [
    "MAX_UI_ITEMS",
    "QueueHooks",
    "QueuedRun",
    "cancel_queued",
    "error_text",
    "node_event",
    "reuse_from",
    "run_canvas",
    "run_canvas_queued",
]

MAX_UI_ITEMS = 200


def _cut(ports: dict[str, list[Item]]) -> dict[str, list[dict[str, Any]]]:
    return {p: [i.to_dict() for i in items[:MAX_UI_ITEMS]] for p, items in ports.items()}


def node_event(run: NodeRunRecord, *, finished: bool) -> dict[str, Any]:
    """What the editor needs of a node run: status, counts, error, and its data."""
    ev: dict[str, Any] = {
        "node": run.node,
        "node_id": run.node_id,
        "status": str(run.status) if finished else "running",
    }
    if finished:
        ev.update(
            counts=run.output_counts,
            input_counts=run.input_counts,
            error=error_text(run.error) if run.error else "",
            error_detail=run.error or {},
            inputs=_cut(run.inputs),
            outputs=_cut(run.outputs),
            logs=list(run.logs)[-200:],
            duration_ms=run.duration_ms,
        )
        if ev["status"] == "reused":
            ev["status"] = "succeeded"
    return ev


def error_text(err: dict[str, Any] | None) -> str:
    """An error dict in plain words."""
    if not err:
        return ""
    msg = str(err.get("message") or err.get("type") or "failed")
    return msg


class QueueHooks(ExecutionHooks):
    """Posts ``node.started`` / ``node.finished`` events onto an asyncio queue."""

    def __init__(self, loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[Any]) -> None:
        self.loop = loop
        self.queue = queue

    def _post(self, ev: dict[str, Any]) -> None:
        self.loop.call_soon_threadsafe(self.queue.put_nowait, ev)

    post = _post

    def execution_started(self, result: ExecutionResult) -> None:
        self._post({"kind": "started", "execution_id": result.id})

    def node_started(self, result: ExecutionResult, run: NodeRunRecord) -> None:
        self._post({"kind": "node", **node_event(run, finished=False)})

    def node_finished(self, result: ExecutionResult, run: NodeRunRecord) -> None:
        self._post({"kind": "node", **node_event(run, finished=True)})


def reuse_from(
    last: dict[str, dict[str, Any]], names: set[str]
) -> dict[str, dict[str, list[Item]]]:
    """Outputs of the last run for ``names``, to reuse instead of running them again."""
    out: dict[str, dict[str, list[Item]]] = {}
    for name in names:
        data = last.get(name)
        if data and data.get("status") in ("succeeded", "pinned", "disabled"):
            out[name] = {
                p: [Item.from_dict(i) for i in items]
                for p, items in (data.get("outputs") or {}).items()
            }
    return out


def ancestors(wf: dict[str, Any], name: str) -> set[str]:
    parents: dict[str, set[str]] = {}
    for c in wf["connections"]:
        parents.setdefault(c["target"], set()).add(c["source"])
    seen: set[str] = set()
    stack = [name]
    while stack:
        for p in parents.get(stack.pop(), ()):
            if p not in seen:
                seen.add(p)
                stack.append(p)
    return seen


def run_canvas(
    p: Principal,
    definition: dict[str, Any],
    workflow_id: str | None,
    hooks: ExecutionHooks,
    destination: str | None = None,
    reuse: dict[str, dict[str, list[Item]]] | None = None,
) -> ExecutionResult:
    """Runs the definition (in this thread) for ``p`` (who needs ``workflow:execute`` on
    the workflow), recording it as a manual execution."""
    wf = _authorized_workflow(p, definition, workflow_id)
    spec = _spec(p, wf, workflow_id, "inline")
    spec.destination, spec.reuse = destination or None, reuse or {}
    handle = start(spec, hooks=hooks)
    assert handle.outcome is not None
    return handle.outcome


def _spec(p: Principal, wf: Any, workflow_id: str | None, runtime: Any) -> RunSpec:
    """A manual run of the canvas (a snapshot of its definition, pinned data included)
    for ``p``, recorded against the workflow when it is saved."""
    return RunSpec(
        principal=_run_as(p, workflow_id),
        workflow_id=workflow_id,
        definition=wf.to_json_dict(),
        mode="manual",
        runtime=runtime,
    )


def _run_as(p: Principal, workflow_id: str | None) -> RunAs:
    """The run's principal: the signed-in user, in the workflow's project (an unsaved
    canvas: the user's own project)."""
    from engine.services import auth

    return RunAs.caller(p, None if workflow_id else auth.default_project(p))


def _authorized_workflow(p: Principal, definition: dict[str, Any], workflow_id: str | None) -> Any:
    from engine.services import auth

    if workflow_id:
        auth.authorize_resource(p, "workflow:execute", "workflow", workflow_id)
    else:
        auth.authorize(p, "workflow:execute", project_id=auth.default_project(p))
    wf = load_workflow(definition, what="workflow on the canvas")
    wf.id = workflow_id
    validate(wf, get_catalog()).raise_for_errors()
    return wf


# -- on the workers ------------------------------------------------------------------------
@dataclass
class QueuedRun:
    """How a queued canvas run ended (what the editor reads of an ``ExecutionResult``)."""

    id: str
    status: str
    error: dict[str, Any] | None = None
    node_runs: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "succeeded"


def run_canvas_queued(
    p: Principal,
    definition: dict[str, Any],
    workflow_id: str | None,
    hooks: QueueHooks,
    destination: str | None = None,
    reuse: dict[str, dict[str, list[Item]]] | None = None,
) -> QueuedRun:
    """Submits the definition (a snapshot, pinned data included) to the workers as a
    manual execution for ``p`` (who needs ``workflow:execute``), then posts the same
    events as :func:`run_canvas` onto ``hooks`` until it finishes (or parks at a Wait
    node), from its live events, then its stored record
    (:class:`studio.logic.live.Follower`). Blocks; run it in a worker thread.

    A partial run (up to ``destination``, with the outputs of ``reuse`` instead of
    running those nodes) goes to the workers too: the reused data travels with the
    execution.

    Raises:
        NoRedisConfigured: no ``AURA_REDIS_URL``.
    """
    wf = _authorized_workflow(p, definition, workflow_id)
    spec = _spec(p, wf, workflow_id, "rq")
    spec.destination, spec.reuse = destination or None, reuse or {}
    # watch: subscribed before it is dispatched, so no event is missed
    handle = start(spec, watch=True)
    eid = handle.id
    with handle.subscription as sub:
        hooks.post({"kind": "started", "execution_id": eid})
        status, error, runs = Follower(wf, eid, hooks).follow(sub)
        return QueuedRun(eid, status, error, runs)


def cancel_queued(p: Principal, execution_id: str) -> None:
    """Cancels a queued canvas run for ``p`` (who needs ``workflow:execute`` on its
    workflow, as to start it).

    Raises:
        NotFoundError: no such execution.
        ConflictError: it has already finished.
    """
    from engine.services import auth
    from engine.services.executions import cancel

    row = get_store().executions.get(execution_id)
    if row.workflow_id:
        auth.authorize_resource(p, "workflow:execute", "workflow", row.workflow_id)
    else:
        auth.authorize(p, "workflow:execute", project_id=auth.default_project(p))
    cancel(execution_id)
