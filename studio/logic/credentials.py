"""Credentials for the studio: kinds and their typed forms, masked views, save, test.

Everything goes through ``engine.services.credentials`` (which validates, encrypts,
authorizes and audits); secrets come back masked and are kept when the mask is sent
back unchanged.
"""

from __future__ import annotations

import importlib
from typing import Any

from engine.graph.messages import plain_message
from studio.logic import form

__all__ = ["available", "delete", "fields_of", "kinds", "list_rows", "load", "save", "test",
           "validation_errors"]


def _svc() -> Any:
    return importlib.import_module("engine.services.credentials")


def available() -> bool:
    """True when the credentials service is installed (it is built alongside the studio)."""
    try:
        _svc()
    except ImportError:
        return False
    return True


def kinds() -> list[dict[str, str]]:
    return [{"kind": k["kind"], "title": k.get("title") or k["kind"],
             "description": k.get("description", "")} for k in _svc().kinds()]


def fields_of(kind: str) -> list[dict[str, Any]]:
    for k in _svc().kinds():
        if k["kind"] == kind:
            return form.describe_schema(k["schema"], expressions=False)
    return []


def list_rows(principal: Any) -> list[dict[str, str]]:
    titles = {k["kind"]: k["title"] for k in kinds()}
    from studio.logic.backend import ago

    return [{"id": v.id, "name": v.name, "kind": v.kind,
             "kind_title": titles.get(v.kind, v.kind), "updated": ago(
                 v.updated_at.isoformat())} for v in _svc().list_credentials(principal)]


def load(principal: Any, cid: str) -> dict[str, Any]:
    """``{name, kind, data}`` with secrets masked."""
    v = _svc().get_credential(principal, cid)
    return {"name": v.name, "kind": v.kind, "data": dict(v.data or {})}


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None}


def validation_errors(kind: str, data: dict[str, Any], editing: bool) -> dict[str, str]:
    """Inline messages per field (masked secrets count as set when editing)."""
    from engine.services.credentials import MASK, get_kind

    try:
        cls = get_kind(kind)
    except Exception:
        return {}
    probe = {k: ("x" if editing and v == MASK else v) for k, v in _clean(data).items()}
    try:
        cls.model_validate(probe)
    except Exception as exc:
        errs = getattr(exc, "errors", None)
        if not callable(errs):
            return {}
        out: dict[str, str] = {}
        for e in errs():
            path = ".".join(str(p) for p in e.get("loc", ())) or "data"
            out.setdefault(path, plain_message(e))
        return out
    return {}


def save(principal: Any, cid: str, name: str, kind: str, data: dict[str, Any]) -> str:
    if cid:
        return str(_svc().update_credential(principal, cid, name=name, data=_clean(data)).id)
    return str(_svc().create_credential(principal, name, kind, _clean(data)).id)


def test(principal: Any, cid: str, kind: str, data: dict[str, Any]) -> tuple[bool, str]:
    result = _svc().test_credential_data(principal, kind, _clean(data),
                                         credential_id=cid or None)
    return bool(result.ok), str(result.message)


def delete(principal: Any, cid: str) -> None:
    _svc().delete_credential(principal, cid)
