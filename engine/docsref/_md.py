"""Markdown pieces the generated references share: table cells, JSON Schema types in
words, defaults."""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["cell", "default_text", "plain", "table", "type_text"]

_CODE_SPAN = re.compile(r"(`+[^`]*`+)")


def plain(text: str) -> str:
    """``text`` with ``<`` outside code spans written as ``&lt;``: a description's
    ``<data dir>`` is a placeholder, not an HTML tag the browser would swallow."""
    parts = _CODE_SPAN.split(text)
    return "".join(p if i % 2 else p.replace("<", "&lt;") for i, p in enumerate(parts))


def cell(text: Any) -> str:
    """``text`` made safe for one Markdown table cell (one line, pipes escaped, ``<``
    outside code written as an entity)."""
    return plain(" ".join(str(text or "").split()).replace("|", "\\|"))


def table(headers: list[str], rows: list[list[Any]]) -> list[str]:
    """A Markdown table (no lines when there are no rows)."""
    if not rows:
        return []
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return [*out, ""]


def type_text(schema: dict[str, Any]) -> str:
    """A JSON Schema as a short type: ``string``, ``integer | null``, ``one of: a, b``,
    ``list of string``, ``Workflow`` (a ``$ref``)."""
    if not isinstance(schema, dict):
        return ""
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "enum" in schema:
        return "one of: " + ", ".join(json.dumps(v) for v in schema["enum"])
    if "const" in schema:
        return json.dumps(schema["const"])
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return " | ".join(dict.fromkeys(type_text(s) for s in schema[key]))
    kind = schema.get("type")
    if kind == "array":
        return f"list of {type_text(schema.get('items', {})) or 'any'}"
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        return f"map of {type_text(schema['additionalProperties']) or 'any'}"
    if isinstance(kind, list):
        return " | ".join(map(str, kind))
    fmt = schema.get("format")
    return f"{kind} ({fmt})" if kind and fmt else str(kind or "any")


def default_text(schema: dict[str, Any], required: bool) -> str:
    """The default as JSON in backticks, ``required``, or empty."""
    if required:
        return "required"
    if "default" not in schema:
        return ""
    value = json.dumps(schema["default"])
    return f"`{value[:60]}`" if len(value) <= 60 else f"`{value[:57]}...`"
