"""What a saved workflow may reference: checked when it is saved or imported.

:func:`check_references` refuses (with a 4xx naming the node and saying what to do) a
definition that references

* a credential the saver may not use, or that the workflow's project may not use (its
  triggers run as the project) — in its own nodes or in a sub-workflow definition given
  inline in a node's parameters. References already in the stored draft are kept, so an
  editor of a shared workflow can save it without access to its owner's credentials;
* an error workflow outside the workflow's own project.

The same rules hold at run time (:mod:`engine.services.principals`), so a reference that
stops being allowed later (a revoked share) fails the node instead of leaking anything.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from engine.auth.types import Principal
from engine.errors import CredentialError, NotFoundError, ValidationError
from engine.graph import Workflow
from engine.services.principals import RunAs, acting_principal, can_use_credential

__all__ = ["check_references", "credential_refs", "error_workflow_in"]

MAX_NESTING = 10


def _as_definition(value: Any) -> dict[str, Any] | None:
    """``value`` if it looks like a workflow definition (a dict, or JSON text of one,
    with a ``nodes`` list)."""
    if isinstance(value, str):
        text = value.strip()
        if not (text.startswith("{") and '"nodes"' in text):
            return None
        try:
            value = json.loads(text)
        except ValueError:
            return None
    if isinstance(value, dict) and isinstance(value.get("nodes"), list):
        return value
    return None


def _nested(value: Any, depth: int) -> Iterator[dict[str, Any]]:
    """Workflow definitions found anywhere inside a node's parameters."""
    if depth > MAX_NESTING:
        return
    found = _as_definition(value)
    if found is not None:
        yield found
        return
    if isinstance(value, dict):
        for v in value.values():
            yield from _nested(v, depth + 1)
    elif isinstance(value, list):
        for v in value:
            yield from _nested(v, depth + 1)


def credential_refs(
    definition: dict[str, Any], where: str = "", depth: int = 0
) -> Iterator[tuple[str, str, str]]:
    """``(node path, slot, credential id)`` of every credential reference in a definition,
    including sub-workflow definitions inline in node parameters (path ``A > B``)."""
    if depth > MAX_NESTING:
        return
    for node in definition.get("nodes") or []:
        if not isinstance(node, dict):
            continue
        name = f"{where}{node.get('name', '?')}"
        for slot, ref in (node.get("credentials") or {}).items():
            cid = ref.get("id") if isinstance(ref, dict) else getattr(ref, "id", None)
            if isinstance(cid, str) and cid:
                yield name, str(slot), cid
        for inner in _nested(node.get("parameters") or {}, 0):
            yield from credential_refs(inner, f"{name} > ", depth + 1)


def _dump(wf: Workflow | dict[str, Any] | None) -> dict[str, Any]:
    if wf is None:
        return {}
    if isinstance(wf, Workflow):
        return wf.to_json_dict()
    return wf


def check_references(
    principal: Principal,
    wf: Workflow | dict[str, Any],
    *,
    project_id: str | None,
    previous: Workflow | dict[str, Any] | None = None,
) -> None:
    """Refuses a definition ``principal`` saves into ``project_id`` (see the module).

    Args:
        previous: the stored draft it replaces; its credential references are kept.

    Raises:
        CredentialError: (422) a credential reference the saver or the project may not
            use, naming the node.
        ValidationError: (422) an error workflow outside the project.
    """
    data = _dump(wf)
    kept = {cid for _, _, cid in credential_refs(_dump(previous))}
    project = acting_principal(RunAs.trigger(project_id))
    for node, slot, cid in credential_refs(data):
        if cid in kept:
            continue
        if not can_use_credential(principal, cid):
            raise CredentialError(
                f"Node '{node}' uses credential {cid} (slot '{slot}'), which you may not "
                "use: it does not exist, or it is neither yours nor shared with your "
                "project. Choose another credential in the node's Credentials section, or "
                "ask its owner to share it with your project.",
                details={"node": node, "slot": slot, "credential_id": cid},
            )
        if not can_use_credential(project, cid):
            raise CredentialError(
                f"Node '{node}' uses credential {cid} (slot '{slot}'), which this "
                "workflow's project may not use, so its triggers could not run it. Share "
                "the credential with the workflow's project, or choose one of the project's "
                "credentials.",
                details={
                    "node": node,
                    "slot": slot,
                    "credential_id": cid,
                    "project_id": project_id,
                },
            )
    ref = (data.get("settings") or {}).get("error_workflow")
    if ref:
        try:
            error_workflow_in(str(ref), project_id)
        except NotFoundError as exc:
            raise ValidationError(
                exc.message, details={"path": "settings.error_workflow", "error_workflow": ref}
            ) from None


def error_workflow_in(ref: str, project_id: str | None) -> Any:
    """The workflow ``ref`` (id or exact name) of project ``project_id`` (None: a
    workflow outside any project) — the only ones an error workflow may be.

    Raises:
        NotFoundError: no such workflow in that project.
    """
    from sqlmodel import col

    from engine.services.store import get_store
    from engine.store.models import WorkflowRecord
    from engine.store.workflows import named

    store = get_store()
    pid = col(WorkflowRecord.project_id)
    same_project = pid.is_(None) if project_id is None else pid == project_id
    with store.db.read() as s:
        rec = s.get(WorkflowRecord, ref)
        if rec is None or rec.project_id != project_id:
            rec = s.exec(named(ref, same_project).limit(1)).first()
    if rec is None:
        raise NotFoundError(
            f"The error workflow '{ref}' is not a workflow of this workflow's project; an "
            "error workflow must belong to the same project. Choose one of the project's "
            "workflows (by id or name) in Settings → Error workflow.",
            details={"error_workflow": ref, "project_id": project_id},
        )
    return rec
