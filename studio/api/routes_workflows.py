"""``/api/v1/workflows``: list, create, read, update (a new version), delete, versions,
publish, activate, deactivate, run and validate.

Bodies that carry a definition are the workflow JSON itself (the file format of
``aura workflow export``), validated by the workflow model first and by the node catalog
second; saving a definition with catalog problems needs ``allow_invalid=true`` (drafts
in the editor), publishing and running never accept one.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field
from starlette.responses import Response

from engine.errors import NotFoundError, ValidationError, WorkflowValidationError
from engine.graph import Workflow, load_workflow, validate
from engine.sdk import get_catalog
from engine.sdk.items import items_from_json
from engine.services import executions as exec_services
from engine.services import webhooks
from engine.services import workflows as wf_services
from engine.services.principals import RunAs
from engine.services.store import get_store
from engine.services.workflow_access import check_references
from studio.api.routing import MAX_INT_PARAM, Call, Router
from studio.api.schemas import In, Out, Page, PageQuery
from studio.api.serialize import json_response

__all__ = ["router"]

router = Router("Workflows")


# -- models ---------------------------------------------------------------------------
class WorkflowQuery(PageQuery):
    search: str | None = Field(
        None, max_length=200, description="Text in name or description (case-insensitive)."
    )
    tag: str | None = Field(None, max_length=200, description="Only workflows with this tag.")
    active: bool | None = Field(None, description="Only active (true) or inactive (false).")
    project_id: str | None = Field(None, max_length=64, description="Only this project.")


class SaveQuery(In):
    message: str = Field("", max_length=2000, description="Version message.")
    allow_invalid: bool = Field(
        False,
        description="Save even if the node catalog finds "
        "problems (unknown nodes, bad parameters): a draft.",
    )
    base_version: int | None = Field(
        None,
        ge=0,
        le=MAX_INT_PARAM,
        description="The version you edited; a newer save by someone else is then a 409.",
    )


class CreateQuery(SaveQuery):
    project_id: str | None = Field(
        None, max_length=64, description="Project to create it in; default: your personal project."
    )


class WorkflowSummary(Out):
    id: str
    name: str
    active: bool
    tags: list[str]
    folder: str
    version: int = Field(description="Number of the newest (draft) version.")
    published: bool
    created_at: str
    updated_at: str


class ProblemOut(Out):
    path: str
    message: str
    code: str
    node: str | None = None
    parameter: str | None = Field(None, description="invalid_choice: the parameter's path.")
    value: Any = Field(None, description="invalid_choice: the value outside the choices.")
    allowed: list[dict[str, str]] | None = Field(
        None, description="invalid_choice: the choices, as [{value, label}]."
    )


class ValidationOut(Out):
    ok: bool
    errors: list[ProblemOut]
    warnings: list[ProblemOut]


class WorkflowOut(WorkflowSummary):
    published_version: int | None = None
    definition: dict[str, Any]
    validation: ValidationOut | None = None


class VersionOut(Out):
    number: int
    message: str
    author_id: str | None = None
    created_at: str
    checksum: str
    current: bool
    published: bool
    definition: dict[str, Any] | None = None


class PublishIn(In):
    version: int | None = Field(
        None, ge=1, le=MAX_INT_PARAM, description="Version to publish; default: the current draft."
    )


class ActivationOut(Out):
    active: bool
    published_version: int | None = None
    webhooks: list[dict[str, Any]] = []
    removed_webhooks: int | None = None
    notice: str | None = Field(
        None,
        description="Set when activation changes nothing (no Webhook or Schedule "
        "trigger); say it to the user.",
    )


class RunIn(In):
    input_items: list[dict[str, Any]] | None = Field(
        None,
        max_length=100_000,
        description="Items for the start node: JSON objects, or {json, binary} items.",
    )
    trigger_node: str | None = Field(
        None,
        max_length=128,
        description="Node to start from; default: the manual trigger, else the first one.",
    )
    version: Literal["draft", "published"] = Field(
        "draft", description="Run the draft or the published version."
    )
    timeout_s: float = Field(
        300.0, gt=0, le=3600, description="With wait=true: how long to wait for the end."
    )


class RunQuery(In):
    wait: bool = Field(False, description="Wait for the end and return the result.")


class RunOut(Out):
    execution_id: str
    status: str
    execution: dict[str, Any] | None = None
    output: list[dict[str, Any]] | None = None


# -- helpers --------------------------------------------------------------------------
def _report(wf: Workflow) -> dict[str, Any]:
    return validate(wf, get_catalog()).to_dict()


def _check(wf: Workflow, allow_invalid: bool) -> dict[str, Any]:
    wf_services.check_choices(wf)  # never saved, not even as a draft
    report = _report(wf)
    if not report["ok"] and not allow_invalid:
        first = report["errors"][0]
        raise WorkflowValidationError(
            f"'{wf.name}' is not valid: {first['message']} (at {first['path']}). Fix it, or "
            "save it as a draft with allow_invalid=true.",
            details=report["errors"],
        )
    return report


def _version_numbers(workflow_id: str) -> dict[str, int]:
    from engine.services.workflows import version_numbers

    return version_numbers(workflow_id)


def _full(workflow_id: str, report: dict[str, Any] | None = None) -> dict[str, Any]:
    store = get_store()
    rec = store.workflows.get(workflow_id)
    numbers = _version_numbers(workflow_id) if rec.published_version_id else {}
    return {
        **wf_services.summary(rec),
        "published_version": numbers.get(rec.published_version_id or ""),
        "definition": store.workflows.definition(workflow_id),
        "validation": report,
    }


def _version(v: Any, rec: Any, *, definition: bool = False) -> dict[str, Any]:
    return {
        "number": v.number,
        "message": v.message,
        "author_id": v.author_id,
        "created_at": v.created_at.isoformat(),
        "checksum": v.checksum,
        "current": v.id == rec.current_version_id,
        "published": v.id == rec.published_version_id,
        "definition": v.definition if definition else None,
    }


def _author(call: Call) -> str | None:
    return getattr(call.principal, "user_id", None)


# -- CRUD -------------------------------------------------------------------------------
@router.get(
    "/workflows",
    action="workflow:read",
    summary="List workflows",
    query=WorkflowQuery,
    response=Page[WorkflowSummary],
)
def list_workflows(call: Call) -> dict[str, Any]:
    """Most recently updated first; filter by text, tag and active state."""
    q = call.query
    store = get_store()
    kw = {"search": q.search, "tag": q.tag, "active": q.active, "project_id": q.project_id}
    if call.sees_all:  # page in the database
        rows, total = store.workflows.list(limit=q.limit, offset=q.offset, **kw)
    else:
        rows = call.visible("workflow", store.workflows.list(limit=1000, **kw)[0])
        total, rows = len(rows), rows[q.offset : q.offset + q.limit]
    return {
        "items": [wf_services.summary(r) for r in rows],
        "total": total,
        "limit": q.limit,
        "offset": q.offset,
    }


@router.post(
    "/workflows",
    action="workflow:create",
    summary="Create a workflow",
    body=Workflow,
    query=CreateQuery,
    response=WorkflowOut,
    status=201,
    errors=(409,),
    scope="handler",
    audit="workflow.created",
)
def create_workflow(call: Call) -> Response:
    """Stores the definition as version 1 (a new id is always assigned) in the given
    project, by default the caller's personal one."""
    wf: Workflow = call.body
    project_id = call.query.project_id or call.default_project()
    call.authorize_in(project_id)
    report = _check(wf, call.query.allow_invalid)
    check_references(call.principal, wf, project_id=project_id)
    wf.id = None
    rec = wf_services.create(
        wf, call.query.message or "Created", author_id=_author(call), project_id=project_id
    )
    call.target_id = rec.id
    return json_response(_full(rec.id, report), 201, {"Location": f"/api/v1/workflows/{rec.id}"})


@router.get(
    "/workflows/{id}",
    action="workflow:read",
    summary="Get a workflow",
    response=WorkflowOut,
    errors=(404,),
    resource="workflow",
)
def get_workflow(call: Call) -> dict[str, Any]:
    """The workflow with its draft definition."""
    return _full(call.path["id"])


@router.put(
    "/workflows/{id}",
    action="workflow:update",
    summary="Save a workflow (new version)",
    body=Workflow,
    query=SaveQuery,
    response=WorkflowOut,
    errors=(404, 409),
    resource="workflow",
    audit="workflow.updated",
)
def update_workflow(call: Call) -> dict[str, Any]:
    """Saves the definition as a new draft version (unchanged definitions add none).
    The published version, which triggers run, changes only with publish."""
    wid = call.path["id"]
    rec = get_store().workflows.get(wid)
    report = _check(call.body, call.query.allow_invalid)
    check_references(
        call.principal,
        call.body,
        project_id=rec.project_id,
        previous=get_store().workflows.definition(wid),
    )
    wf_services.save(
        wid,
        call.body,
        call.query.message,
        author_id=_author(call),
        base_version=call.query.base_version,
    )
    return _full(wid, report)


@router.delete(
    "/workflows/{id}",
    action="workflow:delete",
    summary="Delete a workflow",
    status=204,
    errors=(404,),
    resource="workflow",
    audit="workflow.deleted",
)
def delete_workflow(call: Call) -> None:
    """Deletes the workflow, its versions and webhooks; its executions stay."""
    wid = call.path["id"]
    get_store().workflows.get(wid)
    webhooks.disarm_test(wid)
    get_store().workflows.delete(wid)


# -- versions ---------------------------------------------------------------------------
@router.get(
    "/workflows/{id}/versions",
    action="workflow:read",
    summary="List versions",
    response=Page[VersionOut],
    errors=(404,),
    resource="workflow",
)
def list_versions(call: Call) -> dict[str, Any]:
    """Every version, newest first (without definitions)."""
    store = get_store()
    rec = store.workflows.get(call.path["id"])
    items = [_version(v, rec) for v in store.workflows.versions(rec.id)]
    return {"items": items, "total": len(items), "limit": len(items), "offset": 0}


@router.get(
    "/workflows/{id}/versions/{number:int}",
    action="workflow:read",
    summary="Get a version",
    response=VersionOut,
    errors=(404,),
    resource="workflow",
)
def get_version(call: Call) -> dict[str, Any]:
    """One version with its definition."""
    store = get_store()
    rec = store.workflows.get(call.path["id"])
    return _version(store.workflows.get_version(rec.id, call.path["number"]), rec, definition=True)


@router.post(
    "/workflows/{id}/versions/{number:int}/restore",
    action="workflow:update",
    summary="Restore a version",
    response=VersionOut,
    errors=(404,),
    resource="workflow",
    audit="workflow.version_restored",
)
def restore_version(call: Call) -> dict[str, Any]:
    """Makes an old version's definition the draft again, as a new version."""
    store = get_store()
    wid = call.path["id"]
    check_references(
        call.principal,
        store.workflows.get_version(wid, call.path["number"]).definition,
        project_id=store.workflows.get(wid).project_id,
        previous=store.workflows.definition(wid),
    )
    v = store.workflows.restore(wid, call.path["number"], author_id=_author(call))
    return _version(v, store.workflows.get(wid), definition=True)


# -- state ------------------------------------------------------------------------------
@router.post(
    "/workflows/{id}/publish",
    action="workflow:activate",
    summary="Publish a version",
    body=PublishIn,
    response=ActivationOut,
    errors=(404, 409),
    resource="workflow",
    audit="workflow.published",
)
def publish_workflow(call: Call) -> dict[str, Any]:
    """Marks a version (default: the draft) as the one triggers run; an active workflow
    re-registers its webhooks for it."""
    store = get_store()
    wid = call.path["id"]
    if call.body.version is None:
        webhooks.assign_paths(wid)
    rec = store.workflows.get(wid)
    number = call.body.version or rec.version_counter
    definition = store.workflows.get_version(wid, number).definition
    _check(load_workflow(definition), False)
    previous = rec.published_version_id
    store.workflows.publish(wid, number)
    if rec.active:
        try:
            return webhooks.activate(wid)
        except Exception:
            if previous:
                store.workflows.publish(wid, _version_numbers(wid)[previous])
            raise
    return {"active": False, "published_version": number, "webhooks": []}


@router.post(
    "/workflows/{id}/activate",
    action="workflow:activate",
    summary="Activate a workflow",
    response=ActivationOut,
    errors=(404, 409),
    resource="workflow",
    audit="workflow.activated",
)
def activate_workflow(call: Call) -> dict[str, Any]:
    """Turns the triggers on (publishing the draft first if nothing is published);
    409 when another workflow already uses a webhook path."""
    return webhooks.activate(call.path["id"])


@router.post(
    "/workflows/{id}/deactivate",
    action="workflow:activate",
    summary="Deactivate a workflow",
    response=ActivationOut,
    errors=(404,),
    resource="workflow",
    audit="workflow.deactivated",
)
def deactivate_workflow(call: Call) -> dict[str, Any]:
    """Turns the triggers off (webhooks answer 404 from now on)."""
    return webhooks.deactivate(call.path["id"])


# -- run and validate ---------------------------------------------------------------------
@router.post(
    "/workflows/{id}/run",
    action="workflow:execute",
    summary="Run a workflow",
    body=RunIn,
    query=RunQuery,
    response=RunOut,
    status=202,
    errors=(404,),
    resource="workflow",
)
def run_workflow(call: Call) -> Response:
    """Starts a manual execution; with ``?wait=true`` waits and returns the result."""
    store = get_store()
    wid = call.path["id"]
    body: RunIn = call.body
    definition = store.workflows.definition(wid, published=body.version == "published")
    wf = load_workflow(definition)
    wf.id = wid
    _check(wf, False)
    if body.trigger_node is not None and body.trigger_node not in wf.node_names():
        raise ValidationError(
            f"There is no node '{body.trigger_node}' in '{wf.name}'; "
            f"start from one of: {', '.join(wf.node_names())}."
        )
    job = {
        "workflow_id": wid,
        "workflow": wf,
        "mode": "manual",
        "input_items": items_from_json(body.input_items) if body.input_items else None,
        "trigger_node": body.trigger_node,
        "published": body.version == "published",
        "trigger": {"kind": "api"},
        "principal": RunAs.caller(call.principal),
    }
    if not call.query.wait:
        eid = call.runner.submit(**job)
        return json_response(
            {"execution_id": eid, "status": "queued"},
            202,
            {"Location": f"/api/v1/executions/{eid}"},
        )
    outcome = call.runner.run(timeout_s=body.timeout_s, **job)
    execution: dict[str, Any] | None
    try:
        execution = exec_services.get(outcome.execution_id)
    except NotFoundError:  # not kept (settings.save_manual is off)
        execution = outcome.result.to_dict(max_items=100) if outcome.result else None
    output = [i.to_dict() for i in outcome.result.output] if outcome.result else None
    return json_response(
        {
            "execution_id": outcome.execution_id,
            "status": outcome.status,
            "execution": execution,
            "output": output,
        },
        200,
    )


@router.post(
    "/workflows/{id}/validate",
    action="workflow:read",
    summary="Validate a stored workflow",
    response=ValidationOut,
    errors=(404,),
    resource="workflow",
)
def validate_stored(call: Call) -> dict[str, Any]:
    """Problems of the draft: unknown nodes, bad parameters, broken connections, cycles."""
    return _report(load_workflow(get_store().workflows.definition(call.path["id"])))


@router.post(
    "/workflows/validate",
    action="workflow:read",
    summary="Validate a definition",
    body=Workflow,
    response=ValidationOut,
)
def validate_definition(call: Call) -> dict[str, Any]:
    """Problems of a definition that is not stored (nothing is saved)."""
    return _report(call.body)
