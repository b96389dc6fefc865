"""Recording an execution before it runs (private to
:mod:`engine.services.execution_start`): the one place that creates execution rows, a
workflow's (:func:`record_row`) or an agent's (:func:`record_agent`).

Which definition a run records: the spec's ``definition`` (kept as a snapshot on the
row), else an exact stored version (a retry), else the stored workflow's published
version (trigger, webhook and schedule modes, or ``version="published"``) or its draft.

What a run carries to wherever it runs travels in the row, so a worker needs nothing
but the id: the start node and a partial run's ``destination`` in ``trigger``
(keys of :mod:`engine.runtimes._load`, which reads them back), and the node outputs a
partial run reuses in ``checkpoint["reuse"]`` (cleared when the run ends).
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engine.graph import Workflow
    from engine.sdk.items import Item
    from engine.services.execution_start import RunSpec
    from engine.store.models import Execution

from engine.runtimes._load import DESTINATION_KEY, PUBLISHED_MODES, REUSE_KEY, START_NODE_KEY

__all__ = ["record_agent", "record_row", "stored_version", "validated_once"]


def record_row(
    spec: RunSpec, *, check_limit: bool = False, here: bool = False
) -> tuple[Execution, Workflow]:
    """Records the execution of ``spec`` (``queued``; ``running`` by this process when
    ``here``) with the definition it runs; returns the row and that definition.

    Raises:
        ValidationError: neither a workflow id nor a definition.
        NotFoundError: no such workflow or version, or no published version.
        ConflictError: ``check_limit`` and the workflow drops runs over its limit.
    """
    from engine.errors import ValidationError
    from engine.graph import load_workflow
    from engine.services.store import get_store

    if spec.workflow_id is None and spec.definition is None:
        raise ValidationError("Give a stored workflow's id or a workflow definition to run.")
    store = get_store()
    version_id = None
    if spec.definition is not None:
        wf = load_workflow(spec.definition, what="the workflow to run")
        wf.id = spec.workflow_id
    elif spec.version_id is not None:
        wf, version_id = _exact_version(store, spec), spec.version_id
    else:
        assert spec.workflow_id is not None
        published = (
            spec.mode in PUBLISHED_MODES if spec.version is None else spec.version == "published"
        )
        wf, version_id = stored_version(store, spec.workflow_id, published)
    if check_limit and spec.workflow_id is not None:
        from engine.runtimes.concurrency import check_drop

        check_drop(store, wf, spec.workflow_id)
    trigger = dict(spec.trigger or {})
    if spec.start_node:
        trigger[START_NODE_KEY] = spec.start_node
    if spec.destination:
        trigger[DESTINATION_KEY] = spec.destination
    row = store.executions.create(
        workflow_id=spec.workflow_id,
        workflow_version_id=version_id,
        definition=wf.to_json_dict() if spec.definition is not None else None,
        workflow_name=wf.name,
        mode=spec.mode,
        input=[i.to_dict() for i in spec.input_items] if spec.input_items is not None else None,
        trigger=trigger or None,
        retry_of=spec.retry_of,
        parent_execution_id=spec.parent_execution_id,
        attempt=spec.attempt,
        id=spec.execution_id,
        status="running" if here else "queued",
        worker_id=_identity() if here else None,
        **spec.principal.row_fields(),
    )
    if spec.reuse and not here:
        row = _carry_reuse(store, row, spec.reuse)
    return row, wf


def record_agent(spec: RunSpec) -> Execution:
    """Records the ``queued`` execution of an agent run (``kind="agent"``): in the
    agent's project, with the version it runs (``spec.agent_version_id``, else its
    newest) and the prompt and session as its input.

    Raises:
        ValidationError: no agent id or no prompt.
        NotFoundError: no such agent or version.
    """
    from engine.agents import registry
    from engine.errors import ValidationError
    from engine.services.store import get_store
    from engine.store.models import Execution as Row
    from engine.store.types import utcnow

    if not spec.agent_id or not spec.prompt:
        raise ValidationError("Give the agent to run and a prompt.")
    store = get_store()
    rec = registry.get(store, spec.agent_id)
    version_id = spec.agent_version_id or registry.current(store, rec.id)[1].id
    row = Row(
        kind="agent",
        agent_id=rec.id,
        workflow_name=rec.name,
        mode=spec.mode,
        status="queued",
        input={"prompt": spec.prompt, "session": spec.session},
        trigger={**(spec.trigger or {}), "agent_version_id": version_id},
        project_id=rec.project_id,
        created_at=utcnow(),
        **spec.principal.principal_fields(),
    )
    if spec.execution_id is not None:
        row.id = spec.execution_id
    with store.db.write() as s:
        s.add(row)
    return row


def _carry_reuse(store: Any, row: Execution, reuse: dict[str, dict[str, list[Item]]]) -> Any:
    """Keeps the outputs a partial run reuses on its (queued) row, for the worker."""
    from sqlalchemy import update
    from sqlmodel import col

    from engine.store.models import Execution as Row
    from engine.store.types import jsonable

    data = {
        REUSE_KEY: {
            node: {p: [i.to_dict() for i in items] for p, items in ports.items()}
            for node, ports in reuse.items()
        }
    }
    with store.db.write() as s:
        s.exec(update(Row).where(col(Row.id) == row.id).values(checkpoint=jsonable(data)))
    row.checkpoint = data
    return row


def stored_version(store: Any, workflow_id: str, published: bool) -> tuple[Workflow, str | None]:
    """A stored workflow's published (or draft) definition and its version id.

    The workflow is loaded once per version and shared by every run of this process
    (a version never changes; the workflow record, which says which version is
    published, is read every time through its stamped cache): callers must not change
    it. :func:`validated_once` says whether it still needs validating.

    Raises:
        NotFoundError: no such workflow, no published version, or its version is gone.
    """
    from engine.errors import NotFoundError
    from engine.graph import load_workflow
    from engine.store.models import WorkflowVersion

    rec = store.workflows.cached(workflow_id)  # see engine.store.stamps
    vid = rec.published_version_id if published else rec.current_version_id
    if vid is None:
        raise NotFoundError(
            f"Workflow '{rec.name}' has no published version; publish one first "
            "(Publish in the editor, or 'aura workflow activate' publishes the draft).",
            details={"id": workflow_id},
        )
    key = (id(store), vid)
    hit = _workflows.get(key)
    if hit is not None:
        return hit, vid
    with store.db.read() as s:
        ver = s.get(WorkflowVersion, vid)
    if ver is None:
        raise NotFoundError(f"Version {vid} of workflow '{rec.name}' is missing.")
    wf = load_workflow(copy.deepcopy(ver.definition), what=f"workflow '{rec.name}'")
    wf.id = workflow_id
    if len(_workflows) >= 256:
        _workflows.clear()
        _shared.clear()
        _checked.clear()
    _workflows[key] = wf
    _shared[id(wf)] = wf
    return wf, vid


_workflows: dict[tuple[int, str], Workflow] = {}
"""Stored versions loaded by this process, by (store, version id): shared, never changed
(version ids are unique, so a store at a reused address never finds another's)."""
_shared: dict[int, Workflow] = {}
"""The same workflows by ``id()``."""
_checked: dict[int, tuple[Workflow, Any]] = {}
"""Shared workflows that passed validation, by ``id()``: with the node catalog they
passed it with (installing or removing a package builds a new catalog)."""


def validated_once(wf: Workflow) -> bool:
    """Validates a shared stored version (:func:`stored_version`) once per node catalog
    and returns True: the executor need not validate it again for each run. Any other
    workflow: False (the executor validates it).

    Raises:
        WorkflowValidationError: the shared version does not validate.
    """
    from engine.graph.validate import validate
    from engine.sdk import get_catalog

    if _shared.get(id(wf)) is not wf:
        return False
    catalog = get_catalog()
    done = _checked.get(id(wf))
    if done is not None and done[0] is wf and done[1] is catalog:
        return True
    validate(wf, catalog).raise_for_errors()
    _checked[id(wf)] = (wf, catalog)
    return True


def _exact_version(store: Any, spec: RunSpec) -> Workflow:
    from engine.errors import NotFoundError
    from engine.graph import load_workflow
    from engine.store.models import WorkflowVersion

    with store.db.read() as s:
        ver = s.get(WorkflowVersion, spec.version_id)
    if ver is None or ver.workflow_id != spec.workflow_id:
        raise NotFoundError(
            f"Version {spec.version_id} of the workflow no longer exists; "
            "run the workflow again instead."
        )
    wf = load_workflow(ver.definition, what="the workflow to run")
    wf.id = spec.workflow_id
    return wf


def _identity() -> str:
    from engine.runtimes._load import worker_identity

    return worker_identity()
