"""More of the studio's door into the engine: variables, settings, credentials (names and
kinds only; secrets never reach the browser) and executions.

Where a dedicated service exists in ``engine.services`` it is used; otherwise the
store's repository (through ``engine.services.store.get_store``). Each function takes the
acting principal first and checks it like the matching HTTP API route does.
"""

from __future__ import annotations

import importlib
from typing import Any

from engine.errors import PermissionDenied
from engine.services import access, auth
from engine.services.auth import Principal
from engine.services.store import get_store

__all__ = [
    "credential_slots",
    "credentials_of_kinds",
    "delete_execution",
    "delete_variable",
    "execution_detail",
    "list_executions",
    "list_variables",
    "may",
    "set_variable",
    "variables_dict",
]


def _credentials_service() -> Any:
    """``engine.services.credentials`` when it exists (being built), else None."""
    try:
        return importlib.import_module("engine.services.credentials")
    except ImportError:
        return None


def credentials_of_kinds(
    p: Principal, kinds: list[str], workflow_id: str | None = None
) -> list[dict[str, str]]:
    """Stored credentials accepted by a slot that ``p`` may use (``credential:use``) and,
    for a saved workflow, that its project may use too (its triggers run as the
    project): ``[{id, name, kind}]`` (no secrets)."""
    from engine.services.principals import RunAs, acting_principal, can_use_credential

    svc = _credentials_service()
    rows = svc.list_credentials(p) if svc is not None else get_store().credentials.list()
    users = [p]
    if workflow_id:
        users.append(
            acting_principal(RunAs.trigger(get_store().workflows.get(workflow_id).project_id))
        )
    return [
        {"id": r.id, "name": r.name, "kind": r.kind}
        for r in rows
        if (not kinds or r.kind in kinds) and all(can_use_credential(u, r.id) for u in users)
    ]


def credential_slots(
    p: Principal, node: dict[str, Any], workflow_id: str | None = None
) -> list[dict[str, Any]]:
    """The node's credential slots with the choices for each (what ``p`` and the
    workflow's project may use) and the current one."""
    from studio.logic.specs import spec_dict

    info = spec_dict(node["type"], node.get("type_version", 1))
    chosen = node.get("credentials") or {}
    out = []
    for slot in info.get("credentials") or []:
        ref = chosen.get(slot["name"]) or {}
        out.append(
            {
                "name": slot["name"],
                "kinds": slot["kinds"],
                "kinds_text": ", ".join(slot["kinds"]),
                "required": slot["required"],
                "description": slot.get("description", ""),
                "selected": ref.get("id", "") or "__none__",
                "options": credentials_of_kinds(p, slot["kinds"], workflow_id),
            }
        )
    return out


# -- variables ------------------------------------------------------------------------------
def variables_dict(p: Principal) -> dict[str, str]:
    """``$vars`` as expressions see them (global scope)."""
    try:
        auth.authorize(p, "variable:read")
        return dict(get_store().variables.as_dict())
    except Exception:
        return {}


def list_variables(p: Principal) -> list[dict[str, str]]:
    auth.authorize(p, "variable:read")
    return [{"key": v.key, "value": v.value} for v in get_store().variables.list()]


def set_variable(p: Principal, key: str, value: str) -> None:
    auth.authorize(p, "variable:update")
    store = get_store().variables
    existed = key in store.as_dict()
    store.set(key, value)
    action = "variable.updated" if existed else "variable.created"
    auth.record_audit(p, action, "variable", key, {"via": "studio"})


def delete_variable(p: Principal, key: str) -> None:
    auth.authorize(p, "variable:update")
    get_store().variables.delete(key)
    auth.record_audit(p, "variable.deleted", "variable", key, {"via": "studio"})


def may(p: Principal, action: str, project_id: str | None = None) -> bool:
    """Whether ``p`` may do ``action`` (for hiding controls)."""
    try:
        auth.authorize(p, action, project_id=project_id)
    except PermissionDenied:
        return False
    return True


# -- executions -----------------------------------------------------------------------------
def list_executions(
    p: Principal, workflow_id: str = "", status: str = "", since_hours: int = 0, limit: int = 100
) -> tuple[list[dict[str, Any]], int]:
    """Executions ``p`` may read, newest first, with the filters of the executions page."""
    from datetime import UTC, datetime, timedelta

    from engine.services import executions as executions_svc

    since = datetime.now(UTC) - timedelta(hours=since_hours) if since_hours else None
    rows, total = access.executions(
        p, workflow_id=workflow_id or None, status=status or None, since=since, limit=limit
    )
    return [executions_svc.summary(r) for r in rows], total


def execution_detail(
    p: Principal, eid: str
) -> tuple[dict[str, Any], dict[str, Any] | None, list[dict[str, Any]]]:
    """(summary, the workflow as it ran or None, node runs with their data)."""
    from engine.services import executions as executions_svc

    store = get_store()
    row = access.execution(p, eid)
    data = executions_svc.get(row.id)
    definition = dict(row.definition) if row.definition else None
    if definition is None and row.workflow_id and row.workflow_version_id:
        try:
            versions = store.workflows.versions(row.workflow_id)
            ver = next((v for v in versions if v.id == row.workflow_version_id), None)
            definition = dict(ver.definition) if ver else None
        except Exception:
            definition = None
    runs = data.pop("node_runs")
    return data, definition, runs


def delete_execution(p: Principal, eid: str) -> None:
    access.execution(p, eid, "execution:delete")
    get_store().executions.delete(eid, force=True)
    auth.record_audit(p, "execution.deleted", "execution", eid, {"via": "studio"})
