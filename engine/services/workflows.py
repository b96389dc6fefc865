"""Workflow services: load from files or the store, create and save (the one save path:
values outside a parameter's fixed choices are refused there, whatever the door),
import, export, list."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from engine.errors import AuraError, NotFoundError, WorkflowValidationError
from engine.graph import Workflow, load_workflow, validate
from engine.graph.io import parse_json
from engine.sdk import get_catalog
from engine.services.store import get_store

__all__ = [
    "check_choices",
    "create",
    "export",
    "find",
    "import_definition",
    "import_files",
    "list_",
    "load_any",
    "save",
    "summary",
    "version_numbers",
]


def check_choices(wf: Workflow) -> None:
    """Refuses a workflow holding a parameter value outside its fixed choices (a select
    such as the If operation), even as a draft that may otherwise be invalid: such a
    value fails only at run time. Expressions are checked when they run.

    Raises:
        WorkflowValidationError: naming the node, the parameter, the value and the
            choices (their labels); ``details`` has one entry per value, with
            ``allowed: [{value, label}]``.
    """
    bad = [p for p in validate(wf, get_catalog()).errors if p.code == "invalid_choice"]
    if bad:
        more = f" ({len(bad) - 1} more like it)" if len(bad) > 1 else ""
        raise WorkflowValidationError(
            f"'{wf.name}' was not saved: {bad[0].message}{more}",
            details=[p.to_dict() for p in bad],
        )


def create(wf: Workflow, message: str = "", **kw: Any) -> Any:
    """Stores a new workflow (version 1) after :func:`check_choices`; ``kw`` as
    :meth:`engine.store.workflows.WorkflowRepo.create` takes them."""
    check_choices(wf)
    return get_store().workflows.create(wf, message, **kw)


def save(workflow_id: str, wf: Workflow, message: str = "", **kw: Any) -> Any:
    """Stores a new draft version after :func:`check_choices`; returns the version."""
    check_choices(wf)
    return get_store().workflows.save(workflow_id, wf, message, **kw)


def version_numbers(workflow_id: str) -> dict[str, int]:
    """``{version id: version number}`` of every saved version of a workflow."""
    from sqlmodel import select

    from engine.store.models import WorkflowVersion

    with get_store().db.read() as s:
        rows = s.exec(
            select(WorkflowVersion.id, WorkflowVersion.number).where(
                WorkflowVersion.workflow_id == workflow_id
            )
        ).all()
    return {vid: number for vid, number in rows}


def find(ref: str) -> Any:
    """A stored workflow by id, unique id prefix (>= 6 chars) or exact name."""
    from sqlmodel import col, select

    from engine.store.models import WorkflowRecord

    store = get_store()
    try:
        return store.workflows.get(ref)
    except NotFoundError:
        pass
    if len(ref) >= 6:
        with store.db.read() as s:
            rows = s.exec(
                select(WorkflowRecord).where(col(WorkflowRecord.id).startswith(ref)).limit(2)
            ).all()
        if len(rows) == 1:
            return rows[0]
    try:
        return store.workflows.get_by_name(ref)
    except NotFoundError:
        raise NotFoundError(
            f"No workflow with id or name '{ref}'. List them with 'aura "
            "workflow list', or give a path to a .json file."
        ) from None


def load_any(ref: str) -> Workflow:
    """A workflow from a file path, or the draft of a stored one (by id or name)."""
    p = Path(ref)
    if p.suffix.lower() == ".json" or p.exists():
        if not p.exists():
            raise NotFoundError(f"File '{ref}' does not exist.")
        return load_workflow(p, what=f"file {ref}")
    rec = find(ref)
    wf = load_workflow(get_store().workflows.definition(rec.id))
    wf.id = rec.id
    return wf


def import_definition(data: Any, *, source: str = "input") -> dict[str, Any]:
    """Validates and stores one workflow definition (outside any project, as the console
    operator: it may reference only credentials and an error workflow outside projects
    too, which is what its triggers can reach); returns ``{id, name, warnings}``."""
    wf = _checked(data, source)
    report = validate(wf, get_catalog())
    store = get_store()
    keep_id = wf.id
    if keep_id:
        try:
            store.workflows.get(keep_id)
            keep_id = None  # that id is taken: import as a copy with a new id
        except NotFoundError:
            pass
    rec = create(wf, f"Imported from {source}", id=keep_id)
    return {"id": rec.id, "name": rec.name, "warnings": [p.message for p in report.warnings]}


def import_files(files: list[Path]) -> list[dict[str, Any]]:
    """Imports each file (one workflow or a list of workflows). All are validated
    before any is stored, so a bad file imports nothing."""
    pending: list[tuple[Any, str]] = []
    for f in files:
        try:
            text = f.read_bytes()
        except OSError as exc:
            raise WorkflowValidationError(f"Cannot read {f}: {exc.strerror}.") from None
        data = parse_json(text, what=f"file {f}")
        entries = data if isinstance(data, list) else [data]
        for i, entry in enumerate(entries):
            where = f"{f}" if len(entries) == 1 else f"{f} (workflow #{i + 1})"
            _checked(entry, where, suffix=" Nothing was imported.")
            pending.append((entry, where))
    return [import_definition(entry, source=where) for entry, where in pending]


def _checked(data: Any, where: str, suffix: str = "") -> Workflow:
    """The workflow in ``data``, valid and referencing only what its triggers may reach
    (raises WorkflowValidationError, CredentialError or ValidationError otherwise)."""
    from engine.auth.types import Principal
    from engine.services.workflow_access import check_references

    wf = load_workflow(data, what=f"workflow in {where}")
    report = validate(wf, get_catalog())
    if not report.ok:
        raise WorkflowValidationError(
            f"{where}: '{wf.name}' is not valid: {report.errors[0].message}.{suffix}",
            details=[p.to_dict() for p in report.errors],
        )
    operator = Principal(user_id=None, email="console", role="owner")
    try:
        check_references(operator, wf, project_id=None)
    except AuraError as exc:
        raise type(exc)(f"{where}: {exc.message}{suffix}", details=exc.details) from None
    return wf


def export(ref: str | None, *, published: bool = False) -> list[dict[str, Any]]:
    """Definitions of one workflow (``ref``) or all (``None``), ready to write as JSON."""
    store = get_store()
    if ref is not None:
        recs = [find(ref)]
    else:
        recs, _ = store.workflows.list(limit=100_000, archived=None)
    out = []
    for rec in recs:
        d = store.workflows.definition(rec.id, published=published)
        d["id"] = rec.id
        out.append(d)
    return out


def summary(rec: Any) -> dict[str, Any]:
    return {
        "id": rec.id,
        "name": rec.name,
        "active": rec.active,
        "tags": list(rec.tags or []),
        "folder": rec.folder,
        "version": rec.version_counter,
        "published": rec.published_version_id is not None,
        "created_at": rec.created_at.isoformat(),
        "updated_at": rec.updated_at.isoformat(),
    }


def list_(
    *,
    search: str | None = None,
    tag: str | None = None,
    active: bool | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    rows, total = get_store().workflows.list(
        search=search, tag=tag, active=active, limit=limit, offset=offset
    )
    return [summary(r) for r in rows], total


def dumps(d: Any) -> str:
    return json.dumps(d, indent=2, ensure_ascii=False)
