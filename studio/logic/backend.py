"""The studio's door into the engine: thin calls to ``engine.services`` (and, where no
service exists yet, the store's repositories reached through ``get_store()``).

Reflex state handlers call these functions only; they never open sessions or run SQL.
Everything returns plain JSON-friendly dicts.

Each function takes the acting :class:`~engine.auth.types.Principal` first and checks it
with ``engine.services.auth`` under the action names of the HTTP API
(``workflow:read``, ``workflow:update``...): a refusal is a
:class:`~engine.errors.PermissionDenied` saying which role is needed. Lists show only
what the caller may read.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from engine.errors import AuraError, NotFoundError, PermissionDenied
from engine.graph import load_workflow, validate
from engine.sdk import get_catalog
from engine.services import access, auth
from engine.services import executions as executions_svc
from engine.services import workflows as workflows_svc
from engine.services.auth import Principal
from engine.services.store import get_store
from engine.services.workflow_access import check_references

__all__ = [
    "ago",
    "create_workflow",
    "delete_workflow",
    "duplicate_workflow",
    "export_json",
    "folders_and_tags",
    "import_text",
    "last_runs",
    "list_workflows",
    "load_definition",
    "publish",
    "restore",
    "save",
    "set_active",
    "versions",
]


def ago(iso: str | None, now: datetime | None = None) -> str:
    """'just now', '5 min ago', '3 h ago', '2 days ago', or the date."""
    if not iso:
        return ""
    when = datetime.fromisoformat(iso)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    secs = ((now or datetime.now(UTC)) - when).total_seconds()
    if secs < 45:
        return "just now"
    if secs < 3600:
        return f"{max(1, round(secs / 60))} min ago"
    if secs < 86400:
        return f"{round(secs / 3600)} h ago"
    if secs < 7 * 86400:
        days = round(secs / 86400)
        return f"{days} day{'s' if days > 1 else ''} ago"
    return when.strftime("%Y-%m-%d")


# -- who may ----------------------------------------------------------------------------
def _sees_all(p: Principal) -> bool:
    return p.role in ("owner", "admin") and not p.restricted


def _visible(p: Principal, rows: list[Any]) -> list[Any]:
    auth.authorize(p, "workflow:read")
    return rows if _sees_all(p) else auth.filter_visible(p, "workflow", rows)


def _check(p: Principal, action: str, wid: str) -> str | None:
    """Authorizes ``action`` on workflow ``wid``; returns its project id. NotFoundError
    when ``p`` may not even read it (as the API answers)."""
    return access.resource(p, action, "workflow", wid)


def _audit(p: Principal, event: str, wid: str | None) -> None:
    auth.record_audit(p, event, "workflow", wid, {"via": "studio"})


def may(p: Principal, action: str, wid: str) -> bool:
    """Whether ``p`` may do ``action`` on workflow ``wid`` (for read-only views)."""
    try:
        _check(p, action, wid)
    except (PermissionDenied, NotFoundError):
        return False
    return True


def _new_project(p: Principal) -> str | None:
    """Where the caller's new workflows go (their personal project), once allowed."""
    project = auth.default_project(p)
    auth.authorize(p, "workflow:create", project_id=project)
    return project


# -- workflows ---------------------------------------------------------------------------
def list_workflows(
    p: Principal, search: str = "", tag: str = "", folder: str | None = None, limit: int = 200
) -> tuple[list[dict[str, Any]], int]:
    auth.authorize(p, "workflow:read")
    rows, total = get_store().workflows.list(
        search=search or None,
        tag=tag or None,
        folder=folder,
        limit=limit if _sees_all(p) else 10_000,
    )
    if not _sees_all(p):
        rows = _visible(p, rows)
        total, rows = len(rows), rows[:limit]
    return [workflows_svc.summary(r) for r in rows], total


def folders_and_tags(p: Principal) -> tuple[list[str], list[str]]:
    rows = _visible(p, get_store().workflows.list(limit=10_000)[0])
    folders = sorted({r.folder for r in rows if r.folder})
    tags = sorted({t for r in rows for t in (r.tags or [])})
    return folders, tags


def last_runs(ids: list[str]) -> dict[str, dict[str, Any]]:
    """The newest execution of each workflow: ``{id: {status, at}}``."""
    out: dict[str, dict[str, Any]] = {}
    store = get_store()
    for wid in ids:
        rows, _ = store.executions.list(workflow_id=wid, limit=1)
        if rows:
            r = executions_svc.summary(rows[0])
            out[wid] = {"status": r["status"], "at": r["created_at"], "id": r["id"]}
    return out


def create_workflow(
    p: Principal,
    name: str = "My workflow",
    folder: str = "",
    definition: dict[str, Any] | None = None,
) -> str:
    from studio.logic.settings import new_workflow_settings

    project = _new_project(p)
    wf = load_workflow(
        definition
        or {"name": name, "nodes": [], "connections": [], "settings": new_workflow_settings()}
    )
    check_references(p, wf, project_id=project)
    wid = str(
        workflows_svc.create(
            wf, "Created in the studio", folder=folder, project_id=project, author_id=p.user_id
        ).id
    )
    _audit(p, "workflow.created", wid)
    return wid


def duplicate_workflow(p: Principal, wid: str) -> str:
    _check(p, "workflow:read", wid)
    project = _new_project(p)
    store = get_store()
    rec = store.workflows.get(wid)
    data = store.workflows.definition(wid)
    data.pop("id", None)
    data["name"] = f"{rec.name} (copy)"[:200]
    check_references(p, data, project_id=project)
    new = str(
        store.workflows.create(
            load_workflow(data),
            f"Copy of {rec.name}",
            folder=rec.folder,
            project_id=project,
            author_id=p.user_id,
        ).id
    )
    _audit(p, "workflow.created", new)
    return new


def delete_workflow(p: Principal, wid: str) -> None:
    _check(p, "workflow:delete", wid)
    get_store().workflows.delete(wid)
    _audit(p, "workflow.deleted", wid)


def set_active(p: Principal, wid: str, active: bool) -> str | None:
    """Turns triggers on or off; activating publishes the draft when nothing is published.
    Returns a note for the user when it published."""
    _check(p, "workflow:activate", wid)
    store = get_store()
    note = None
    if active and store.workflows.get(wid).published_version_id is None:
        ver = store.workflows.publish(wid)
        note = f"Published version {ver.number} so that its triggers can run."
    store.workflows.set_active(wid, active)
    _audit(p, "workflow.activated" if active else "workflow.deactivated", wid)
    return note


def move_to_folder(p: Principal, wid: str, folder: str) -> None:
    _check(p, "workflow:update", wid)
    get_store().workflows.move(wid, folder)


def export_json(p: Principal, wid: str) -> tuple[str, str]:
    """(file name, JSON text) of a workflow's draft."""
    _check(p, "workflow:read", wid)
    data = workflows_svc.export(wid)[0]
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in data["name"])[:60]
    return f"{safe or 'workflow'}.json", json.dumps(data, indent=2, ensure_ascii=False)


def import_text(p: Principal, text: str | bytes, source: str) -> list[dict[str, Any]]:
    """Imports one workflow or a list of them from JSON text (all or nothing), into the
    caller's project."""
    from engine.graph.io import parse_json

    project = _new_project(p)
    data = parse_json(text, what=f"file {source}")
    entries = data if isinstance(data, list) else [data]
    for i, entry in enumerate(entries):  # validate all before storing any
        wf = load_workflow(entry, what=f"workflow in {source}")
        report = validate(wf, get_catalog())
        if not report.ok:
            from engine.errors import WorkflowValidationError

            where = source if len(entries) == 1 else f"{source} (workflow #{i + 1})"
            raise WorkflowValidationError(
                f"{where}: '{wf.name}' is not valid: "
                f"{report.errors[0].message}. Nothing was imported."
            )
        check_references(p, wf, project_id=project)
    out = []
    for e in entries:
        wf = load_workflow(e, what=f"workflow in {source}")
        wf.id = None
        rec = workflows_svc.create(
            wf, f"Imported from {source}", project_id=project, author_id=p.user_id
        )
        _audit(p, "workflow.created", rec.id)
        out.append({"id": rec.id, "name": rec.name})
    return out


# -- one workflow: draft, versions -----------------------------------------------------------
def load_definition(p: Principal, wid: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(draft definition, info: name, version, published_version, active, can_edit)."""
    _check(p, "workflow:read", wid)
    store = get_store()
    rec = store.workflows.get(wid)
    data = store.workflows.definition(wid)
    data["id"] = wid
    published = None
    if rec.published_version_id:
        published = next(
            (v.number for v in store.workflows.versions(wid) if v.id == rec.published_version_id),
            None,
        )
    return data, {
        "name": rec.name,
        "version": rec.version_counter,
        "published": published,
        "active": rec.active,
        "folder": rec.folder,
        "can_edit": may(p, "workflow:update", wid),
    }


def save(
    p: Principal,
    wid: str,
    definition: dict[str, Any],
    message: str = "",
    base_version: int | None = None,
) -> int:
    """Stores the definition as a new version (none if unchanged); returns its number."""
    project = _check(p, "workflow:update", wid)
    before = get_store().workflows.get(wid).version_counter
    wf = load_workflow(definition)
    check_references(p, wf, project_id=project, previous=get_store().workflows.definition(wid))
    ver = workflows_svc.save(wid, wf, message, base_version=base_version, author_id=p.user_id)
    if ver.number != before:
        _audit(p, "workflow.updated", wid)
    return int(ver.number)


def versions(p: Principal, wid: str) -> list[dict[str, Any]]:
    _check(p, "workflow:read", wid)
    store = get_store()
    rec = store.workflows.get(wid)
    return [
        {
            "number": v.number,
            "message": v.message or "",
            "id": v.id,
            "created_at": v.created_at.isoformat(),
            "ago": ago(v.created_at.isoformat()),
            "published": v.id == rec.published_version_id,
            "current": v.id == rec.current_version_id,
        }
        for v in store.workflows.versions(wid)
    ]


def version_definition(p: Principal, wid: str, number: int) -> dict[str, Any]:
    _check(p, "workflow:read", wid)
    return dict(get_store().workflows.get_version(wid, number).definition)


def restore(p: Principal, wid: str, number: int) -> int:
    project = _check(p, "workflow:update", wid)
    store = get_store()
    check_references(
        p,
        store.workflows.get_version(wid, number).definition,
        project_id=project,
        previous=store.workflows.definition(wid),
    )
    new = int(get_store().workflows.restore(wid, number, author_id=p.user_id).number)
    _audit(p, "workflow.version_restored", wid)
    return new


def publish(p: Principal, wid: str, number: int | None = None) -> int:
    _check(p, "workflow:activate", wid)
    new = int(get_store().workflows.publish(wid, number).number)
    _audit(p, "workflow.published", wid)
    return new


def unpublish(p: Principal, wid: str) -> None:
    _check(p, "workflow:activate", wid)
    get_store().workflows.unpublish(wid)
    _audit(p, "workflow.unpublished", wid)


def message_of(exc: BaseException) -> str:
    """What to show a person for an error."""
    if isinstance(exc, AuraError):
        return exc.message
    return f"{type(exc).__name__}: {exc}"


__all__ += [
    "NotFoundError",
    "may",
    "message_of",
    "move_to_folder",
    "unpublish",
    "version_definition",
]
