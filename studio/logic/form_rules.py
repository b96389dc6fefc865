"""What a node's spec declares about its fields beyond their types, applied to values:
which fields apply (``show``/``hide``), which choices a field offers (``options_by``),
values outside the choices (Save refuses them), and the form's inline messages.
"""

from __future__ import annotations

import re
from typing import Any

from engine.graph import validate_params
from studio.logic.form import _fields, parse_path
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


def _sibling(values: dict[str, Any], fields: list[dict[str, Any]], key: str) -> Any:
    if key in values:
        return values[key]
    return next((f["default"] for f in fields if f["key"] == key), None)


def _text(value: Any) -> str:
    """A value as the rules compare it (as the browser does: ``true``, ``null``)."""
    if isinstance(value, bool) or value is None:
        return "true" if value is True else "false" if value is False else "null"
    return str(value)


def visible(f: dict[str, Any], values: dict[str, Any], fields: list[dict[str, Any]]) -> bool:
    """False if the field's ``show``/``hide`` rules leave it out for its siblings' values."""
    for key, allowed in (f.get("show") or {}).items():
        if _text(_sibling(values, fields, key)) not in {_text(a) for a in allowed}:
            return False
    for key, refused in (f.get("hide") or {}).items():
        if _text(_sibling(values, fields, key)) in {_text(a) for a in refused}:
            return False
    return True


def options_of(
    f: dict[str, Any], values: dict[str, Any], fields: list[dict[str, Any]]
) -> list[dict[str, str]]:
    """The field's choices, for its siblings' values when they depend on one."""
    by = f.get("options_by")
    if not by:
        return list(f.get("options") or [])
    return list((by.get("options") or {}).get(str(_sibling(values, fields, by["field"])), []))


def _is_expression(value: Any) -> bool:
    return isinstance(value, str) and "{{" in value


def choice_errors(
    fields: list[dict[str, Any]], values: dict[str, Any], prefix: str = ""
) -> dict[str, str]:
    """``{path: message}`` for values outside a fixed set of choices (expressions, which
    are checked when they run, and hidden fields excepted)."""
    out: dict[str, str] = {}
    for f in fields:
        if not visible(f, values, fields):
            continue
        path = f"{prefix}.{f['key']}" if prefix else f["key"]
        value = values.get(f["key"], f["default"])
        if f["kind"] in ("collection", "key_value") and isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, dict):
                    out.update(choice_errors(f.get("fields") or [], item, f"{path}.{i}"))
            continue
        if f["kind"] != "options" or f.get("free") or value in (None, "") or _is_expression(value):
            continue
        opts = options_of(f, values, fields)
        if opts and str(value) not in {o["value"] for o in opts}:
            shown = ", ".join(o["label"] for o in opts[:12])
            more = f" (and {len(opts) - 12} more)" if len(opts) > 12 else ""
            out[path] = f"'{value}' is not a choice of {f['label']}. Pick one: {shown}{more}."
    return out


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
    """``{path: message}`` for values outside their fixed choices (Save refuses them).

    A value the node itself accepts (an alias such as number ``equals`` for ``eq``) is
    fine. The node's own check runs with expressions blanked, as pydantic errors under
    an entry holding an expression would otherwise be ignored.
    """
    spec = spec_or_none(type_, version)
    if spec is None:
        return {}
    schema = spec.params_schema()
    fields = _fields(schema, schema.get("$defs", {}))
    candidates = choice_errors(fields, params)
    if not candidates:
        return {}
    refused = [
        ".".join(p for p in path.split(".") if _PART.fullmatch(p))
        for path, _ in validate_params(spec, _blank_expressions(params))
    ]
    return {
        c: msg
        for c, msg in candidates.items()
        if any(c == w or c.startswith(w + ".") for w in refused)
    }


def validation_errors(type_: str, version: int | None, params: dict[str, Any]) -> dict[str, str]:
    """Inline messages by field path; fields holding expressions are checked at run time,
    fields hidden by the other options are not checked."""
    spec = spec_or_none(type_, version)
    if spec is None:
        return {}
    schema = spec.params_schema()
    fields = _fields(schema, schema.get("$defs", {}))
    hidden = _hidden_paths(fields, params)
    found: dict[str, str] = {}
    for path, msg in validate_params(spec, params):
        parts = [p for p in path.split(".") if _PART.fullmatch(p)]
        where = ".".join(parts) or path
        if not any(where == h or where.startswith(h + ".") for h in hidden):
            found.setdefault(where, msg)
    out = refused_choices(type_, version, params)
    for where, msg in found.items():
        if not any(c == where or c.startswith(where + ".") for c in out):
            out[where] = msg
    return out


_PART = re.compile(r"\d+|[A-Za-z_][A-Za-z0-9_]*")


def _blank_expressions(value: Any) -> Any:
    if _is_expression(value):
        return None
    if isinstance(value, dict):
        return {k: _blank_expressions(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_blank_expressions(v) for v in value]
    return value


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
