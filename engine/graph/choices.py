"""Fixed-choice parameters: values outside the choices a node's spec declares.

A field drawn as a select (a ``Literal``/``Enum`` field, or ``ui(options_by=...)`` whose
choices follow a sibling such as an If condition's type) must hold one of its choices
when a workflow is saved, whatever the door (editor, HTTP API, CLI, import). Values
holding an ``{{ expression }}`` are checked when they run; fields the spec hides for
their siblings' values (``show``/``hide``) are not checked. A value the node itself
accepts (an alias, such as number ``equals`` for ``eq``) is fine.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from engine.graph.messages import param_path
from engine.sdk.fields import fields_of
from engine.sdk.spec import NodeSpec

__all__ = ["BadChoice", "bad_choices", "choice_errors", "options_of", "plain_path", "visible"]

_SHOWN = 12
_PART = re.compile(r"\d+|[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class BadChoice:
    """A value outside its field's choices: ``path`` is dotted (``conditions.0.operation``)."""

    path: str
    label: str
    value: Any
    allowed: list[dict[str, str]]

    @property
    def message(self) -> str:
        """``'greater than' is not a choice of Operation. Pick one: Is equal to, …``"""
        shown = ", ".join(o["label"] for o in self.allowed[:_SHOWN])
        more = f" (and {len(self.allowed) - _SHOWN} more)" if len(self.allowed) > _SHOWN else ""
        return f"'{self.value}' is not a choice of {self.label}. Pick one: {shown}{more}."

    def details(self) -> dict[str, Any]:
        return {
            "parameter": param_path(self.path),
            "label": self.label,
            "value": self.value,
            "allowed": [dict(o) for o in self.allowed],
        }


def _sibling(values: dict[str, Any], fields: list[dict[str, Any]], key: str) -> Any:
    if key in values:
        return values[key]
    return next((f["default"] for f in fields if f["key"] == key), None)


def _text(value: Any) -> str:
    """A value as the rules compare it (as the browser does: ``true``, ``null``)."""
    if isinstance(value, bool) or value is None:
        return "true" if value is True else "false" if value is False else "null"
    return str(value)


def _is_expression(value: Any) -> bool:
    return isinstance(value, str) and "{{" in value


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


def _outside(
    fields: list[dict[str, Any]], values: dict[str, Any], prefix: str = ""
) -> list[BadChoice]:
    out: list[BadChoice] = []
    for f in fields:
        if not visible(f, values, fields):
            continue
        path = f"{prefix}.{f['key']}" if prefix else f["key"]
        value = values.get(f["key"], f["default"])
        if f["kind"] in ("collection", "key_value") and isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, dict):
                    out += _outside(f.get("fields") or [], item, f"{path}.{i}")
            continue
        if f["kind"] != "options" or f.get("free") or value in (None, "") or _is_expression(value):
            continue
        opts = options_of(f, values, fields)
        if opts and str(value) not in {o["value"] for o in opts}:
            out.append(BadChoice(path, f["label"], value, opts))
    return out


def choice_errors(
    fields: list[dict[str, Any]], values: dict[str, Any], prefix: str = ""
) -> dict[str, str]:
    """``{path: message}`` for values outside a fixed set of choices, by the descriptors
    alone (expressions and hidden fields excepted)."""
    return {b.path: b.message for b in _outside(fields, values, prefix)}


def _blank_expressions(value: Any) -> Any:
    if _is_expression(value):
        return None
    if isinstance(value, dict):
        return {k: _blank_expressions(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_blank_expressions(v) for v in value]
    return value


def plain_path(path: str) -> str:
    """A pydantic error's dotted path without its validator parts (``function-after[...]``)."""
    return ".".join(p for p in path.split(".") if _PART.fullmatch(p))


@functools.cache
def _fields(params: type[BaseModel]) -> list[dict[str, Any]]:
    """A params model's field descriptors, derived once (read only: every save and every
    run checks its choices)."""
    schema = params.model_json_schema()
    return fields_of(schema, schema.get("$defs", {}))


def bad_choices(spec: NodeSpec, params: dict[str, Any]) -> list[BadChoice]:
    """The node's values outside their fixed choices that the node refuses too.

    The node's own check runs with expressions blanked, as an error under an entry
    holding an expression elsewhere would otherwise be ignored.
    """
    if not isinstance(params, dict):
        return []
    candidates = _outside(_fields(spec.params), params)
    if not candidates:
        return []
    from engine.graph.validate import validate_params

    refused = [plain_path(path) for path, _ in validate_params(spec, _blank_expressions(params))]
    return [
        c for c in candidates if any(c.path == w or c.path.startswith(w + ".") for w in refused)
    ]
