"""What a node's spec declares about its fields beyond their types, applied to values:
which fields apply (``show``/``hide``), which choices a field offers (``options_by``),
values outside the choices (Save refuses them), and the form's inline messages; the
rules themselves live in :mod:`engine.graph.choices`, where every save door checks them.
"""

from __future__ import annotations

from typing import Any

from engine.graph import validate_params
from engine.graph.choices import bad_choices, choice_errors, options_of, plain_path, visible
from engine.sdk.fields import fields_of
from studio.logic.form import parse_path
from studio.logic.specs import spec_or_none

__all__ = [
    "choice_errors",
    "level_fields",
    "options_of",
    "refused_choices",
    "validation_errors",
    "visible",
    "workflow_refusals",
]


def _hidden_paths(
    fields: list[dict[str, Any]], values: dict[str, Any], prefix: str = ""
) -> list[str]:
    out: list[str] = []
    for f in fields:
        path = f"{prefix}.{f['key']}" if prefix else f["key"]
        if not visible(f, values, fields):
            out.append(path)
            continue
        value = values.get(f["key"])
        if f["kind"] in ("collection", "key_value") and isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, dict):
                    out += _hidden_paths(f.get("fields") or [], item, f"{path}.{i}")
    return out


def refused_choices(type_: str, version: int | None, params: dict[str, Any]) -> dict[str, str]:
    """``{path: message}`` for values outside their fixed choices (Save refuses them, and
    so does every other door: :func:`engine.graph.validate`)."""
    spec = spec_or_none(type_, version)
    if spec is None:
        return {}
    return {b.path: b.message for b in bad_choices(spec, params)}


def validation_errors(type_: str, version: int | None, params: dict[str, Any]) -> dict[str, str]:
    """Inline messages by field path; fields holding expressions are checked at run time,
    fields hidden by the other options are not checked."""
    spec = spec_or_none(type_, version)
    if spec is None:
        return {}
    schema = spec.params_schema()
    fields = fields_of(schema, schema.get("$defs", {}))
    hidden = _hidden_paths(fields, params)
    found: dict[str, str] = {}
    for path, msg in validate_params(spec, params):
        where = plain_path(path) or path
        if not any(where == h or where.startswith(h + ".") for h in hidden):
            found.setdefault(where, msg)
    out = refused_choices(type_, version, params)
    for where, msg in found.items():
        if not any(c == where or c.startswith(where + ".") for c in out):
            out[where] = msg
    return out


def workflow_refusals(wf: dict[str, Any]) -> list[dict[str, str]]:
    """Every node's parameter values outside their fixed choices (Save refuses them):
    ``[{node, id, path, message}]`` in canvas order."""
    out = []
    for n in wf.get("nodes") or []:
        for path, msg in refused_choices(
            n["type"], n.get("type_version", 1), n.get("parameters") or {}
        ).items():
            out.append({"node": n["name"], "id": n["id"], "path": path, "message": msg})
    return out


def level_fields(fields: list[dict[str, Any]], path: str) -> tuple[str, list[dict[str, Any]]]:
    """The parent path of ``path`` and the descriptors of its level (its siblings)."""
    parts = parse_path(path)
    level = fields
    for part in parts[:-1]:
        if isinstance(part, int):
            continue
        f = next((x for x in level if x["key"] == part), None)
        level = (f or {}).get("fields") or []
    return ".".join(str(p) for p in parts[:-1]), level
