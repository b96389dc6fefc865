"""The studio's door into the engine: thin calls to ``engine.services`` (and, where no
service exists yet, the store's repositories reached through ``get_store()``).

Reflex state handlers call these functions only; they never open sessions or run SQL.
Everything returns plain JSON-friendly dicts.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from engine.errors import AuraError, NotFoundError
from engine.graph import load_workflow, validate
from engine.sdk import get_catalog
from engine.services import executions as executions_svc
from engine.services import workflows as workflows_svc
from engine.services.store import get_store

__all__ = ["ago", "create_workflow", "delete_workflow", "duplicate_workflow",
           "export_json", "folders_and_tags", "import_text", "last_runs", "list_workflows",
           "load_definition", "publish", "restore", "save", "set_active", "versions"]


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


# -- workflows ---------------------------------------------------------------------------
def list_workflows(search: str = "", tag: str = "", folder: str | None = None,
                   limit: int = 200) -> tuple[list[dict[str, Any]], int]:
    rows, total = get_store().workflows.list(search=search or None, tag=tag or None,
                                             folder=folder, limit=limit)
    return [workflows_svc.summary(r) for r in rows], total


def folders_and_tags() -> tuple[list[str], list[str]]:
    rows, _ = get_store().workflows.list(limit=10_000)
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


def create_workflow(name: str = "My workflow", folder: str = "",
                    definition: dict[str, Any] | None = None) -> str:
    from studio.logic.settings import new_workflow_settings

    wf = load_workflow(definition or {"name": name, "nodes": [], "connections": [],
                                      "settings": new_workflow_settings()})
    return str(get_store().workflows.create(wf, "Created in the studio", folder=folder).id)


def duplicate_workflow(wid: str) -> str:
    store = get_store()
    rec = store.workflows.get(wid)
    data = store.workflows.definition(wid)
    data.pop("id", None)
    data["name"] = f"{rec.name} (copy)"[:200]
    return str(store.workflows.create(load_workflow(data), f"Copy of {rec.name}",
                                      folder=rec.folder).id)


def delete_workflow(wid: str) -> None:
    get_store().workflows.delete(wid)


def set_active(wid: str, active: bool) -> str | None:
    """Turns triggers on or off; activating publishes the draft when nothing is published.
    Returns a note for the user when it published."""
    store = get_store()
    note = None
    if active and store.workflows.get(wid).published_version_id is None:
        ver = store.workflows.publish(wid)
        note = f"Published version {ver.number} so that its triggers can run."
    store.workflows.set_active(wid, active)
    return note


def move_to_folder(wid: str, folder: str) -> None:
    get_store().workflows.move(wid, folder)


def export_json(wid: str) -> tuple[str, str]:
    """(file name, JSON text) of a workflow's draft."""
    data = workflows_svc.export(wid)[0]
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in data["name"])[:60]
    return f"{safe or 'workflow'}.json", json.dumps(data, indent=2, ensure_ascii=False)


def import_text(text: str | bytes, source: str) -> list[dict[str, Any]]:
    """Imports one workflow or a list of them from JSON text (all or nothing)."""
    from engine.graph.io import parse_json

    data = parse_json(text, what=f"file {source}")
    entries = data if isinstance(data, list) else [data]
    for i, entry in enumerate(entries):  # validate all before storing any
        wf = load_workflow(entry, what=f"workflow in {source}")
        report = validate(wf, get_catalog())
        if not report.ok:
            from engine.errors import WorkflowValidationError

            where = source if len(entries) == 1 else f"{source} (workflow #{i + 1})"
            raise WorkflowValidationError(f"{where}: '{wf.name}' is not valid: "
                                          f"{report.errors[0].message}. Nothing was imported.")
    return [workflows_svc.import_definition(e, source=source) for e in entries]


# -- one workflow: draft, versions -----------------------------------------------------------
def load_definition(wid: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(draft definition, info: name, version, published_version, active)."""
    store = get_store()
    rec = store.workflows.get(wid)
    data = store.workflows.definition(wid)
    data["id"] = wid
    published = None
    if rec.published_version_id:
        published = next((v.number for v in store.workflows.versions(wid)
                          if v.id == rec.published_version_id), None)
    return data, {"name": rec.name, "version": rec.version_counter, "published": published,
                  "active": rec.active, "folder": rec.folder}


def save(wid: str, definition: dict[str, Any], message: str = "",
         base_version: int | None = None) -> int:
    """Stores the definition as a new version (none if unchanged); returns its number."""
    ver = get_store().workflows.save(wid, load_workflow(definition), message,
                                     base_version=base_version)
    return int(ver.number)


def versions(wid: str) -> list[dict[str, Any]]:
    store = get_store()
    rec = store.workflows.get(wid)
    return [{"number": v.number, "message": v.message or "", "id": v.id,
             "created_at": v.created_at.isoformat(), "ago": ago(v.created_at.isoformat()),
             "published": v.id == rec.published_version_id,
             "current": v.id == rec.current_version_id} for v in store.workflows.versions(wid)]


def version_definition(wid: str, number: int) -> dict[str, Any]:
    return dict(get_store().workflows.get_version(wid, number).definition)


def restore(wid: str, number: int) -> int:
    return int(get_store().workflows.restore(wid, number).number)


def publish(wid: str, number: int | None = None) -> int:
    return int(get_store().workflows.publish(wid, number).number)


def unpublish(wid: str) -> None:
    get_store().workflows.unpublish(wid)


def message_of(exc: BaseException) -> str:
    """What to show a person for an error."""
    if isinstance(exc, AuraError):
        return exc.message
    return f"{type(exc).__name__}: {exc}"


__all__ += ["NotFoundError", "message_of", "move_to_folder", "unpublish",
            "version_definition"]
