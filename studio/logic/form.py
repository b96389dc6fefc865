"""The parameter form: field descriptors derived from a node's JSON Schema, value edits by
path, and inline validation messages.

A descriptor is a plain dict the form component renders::

    {"key": "url", "label": "URL", "kind": "text", "help": "...", "required": True,
     "default": None, "options": [...], "expression": True, "fields": [...]}

``kind`` follows the spec's ``x-aura-ui`` hint when there is one, otherwise the JSON
Schema type: text, textarea, password, number, boolean, options, json, code, collection,
key_value, list (of strings), credential, datetime, any (a free value).

What the spec declares with :func:`engine.sdk.ui` is derived here for every node: option
labels (``labels``), fields that apply only to some values of their siblings (``show`` /
``hide``, like n8n's ``displayOptions``: hidden fields are neither drawn nor checked) and
choices that depend on a sibling (``options_by``), a help text shorter than the field's
description (``help``); :mod:`.form_rules` applies them to values.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from studio.logic.specs import spec_or_none

__all__ = [
    "default_item",
    "describe",
    "describe_schema",
    "get_path",
    "parse_path",
    "remove_path",
    "set_path",
]

_ACRONYMS = {
    "url": "URL",
    "id": "ID",
    "json": "JSON",
    "http": "HTTP",
    "csv": "CSV",
    "ssl": "SSL",
    "api": "API",
    "s": "(s)",
    "ms": "(ms)",
    "sql": "SQL",
}


def _label(key: str, title: str | None) -> str:
    words = key.split("_")
    out = [_ACRONYMS.get(w, w) for w in words]
    if out and out[-1] in ("(s)", "(ms)") and len(out) > 1:
        out[-1] = {"(s)": "(seconds)", "(ms)": "(ms)"}[out[-1]]
    text = " ".join(out)
    return text[:1].upper() + text[1:] if text else (title or key)


def _resolve(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return {
            **defs.get(ref.split("/")[-1], {}),
            **{k: v for k, v in schema.items() if k != "$ref"},
        }
    return schema


def _option_label(value: Any, labels: dict[str, str]) -> str:
    text = labels.get(str(value)) or str(value).replace("_", " ")
    return text[:1].upper() + text[1:]


def _enum_options(
    schema: dict[str, Any], labels: dict[str, str] | None = None
) -> list[dict[str, str]] | None:
    labels = labels or {}
    if "enum" in schema:
        return [{"value": str(v), "label": _option_label(v, labels)} for v in schema["enum"]]
    if "const" in schema:
        return [{"value": str(schema["const"]), "label": _option_label(schema["const"], labels)}]
    return None


def _kind(prop: dict[str, Any], defs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The widget kind and extra descriptor keys for one property schema."""
    hint = prop.get("x-aura-ui")
    extra: dict[str, Any] = {}
    any_of = [_resolve(s, defs) for s in prop.get("anyOf", [])]
    non_null = [s for s in any_of if s.get("type") != "null"]
    base = non_null[0] if len(non_null) == 1 else prop
    if hint == "code":
        extra["language"] = prop.get("x-aura-language", "python")
        return "code", extra
    if hint in ("collection", "key_value"):
        item = _resolve(prop.get("items") or {}, defs)
        extra["fields"] = _fields(item, defs) if item.get("properties") else []
        return hint, extra
    if hint in (
        "json",
        "textarea",
        "password",
        "datetime",
        "credential",
        "text",
        "number",
        "boolean",
    ):
        return hint, extra
    if prop.get("format") == "password" or prop.get("x-aura-secret"):
        return "password", extra
    if isinstance(prop.get("x-aura-options-by"), dict):
        by = prop["x-aura-options-by"]
        key = next(iter(by), "")
        extra["options_by"] = {"field": key, "options": by.get(key) or {}}
        extra["options"] = []
        extra["free"] = False
        return "options", extra
    labels = prop.get("x-aura-labels") or {}
    if hint == "options" or "enum" in base or any("enum" in s for s in non_null):
        opts = _enum_options(base, labels) or next(
            (o for s in non_null if (o := _enum_options(s, labels))), None
        )
        extra["options"] = opts or []
        extra["free"] = len(non_null) > 1 or not opts  # other values may be typed
        return "options", extra
    t = base.get("type")
    if t == "boolean":
        return "boolean", extra
    if t in ("integer", "number"):
        extra["integer"] = t == "integer"
        for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            if k in base:
                extra[k] = base[k]
        return "number", extra
    if t == "string":
        if base.get("format") in ("date-time", "date"):
            return "datetime", extra
        return "text", extra
    if t == "array":
        item = _resolve(base.get("items") or {}, defs)
        if item.get("properties"):
            extra["fields"] = _fields(item, defs)
            return "collection", extra
        if item.get("type") in ("string", None):
            return "list", extra
        return "json", extra
    if t == "object" or any(s.get("type") in ("object", "array") for s in non_null):
        return "json", extra
    return "any", extra


def _fields(schema: dict[str, Any], defs: dict[str, Any]) -> list[dict[str, Any]]:
    required = set(schema.get("required", []))
    out = []
    for key, raw in (schema.get("properties") or {}).items():
        prop = _resolve(raw, defs)
        kind, extra = _kind(prop, defs)
        default = prop.get("default")
        out.append(
            {
                "key": key,
                "label": _label(key, prop.get("title")),
                "kind": kind,
                "help": prop.get("x-aura-help") or prop.get("description", ""),
                "required": key in required,
                "default": default,
                "expression": prop.get("x-aura-expression", True) is not False,
                "sensitive": bool(prop.get("x-aura-sensitive")),
                "fields": [],
                "options": [],
                "free": False,
                "show": prop.get("x-aura-show") or None,
                "hide": prop.get("x-aura-hide") or None,
                "options_by": None,
                **extra,
            }
        )
    return out


def describe(type_: str, version: int | None = None) -> list[dict[str, Any]]:
    """Field descriptors of a node type's parameters, in declaration order."""
    spec = spec_or_none(type_, version)
    if spec is None:
        return []
    schema = spec.params_schema()
    return _fields(schema, schema.get("$defs", {}))


def describe_schema(schema: dict[str, Any], *, expressions: bool = True) -> list[dict[str, Any]]:
    """Field descriptors of any JSON Schema object (credential kinds use this)."""
    fields = _fields(schema, schema.get("$defs", {}))
    if not expressions:
        for f in fields:
            f["expression"] = False
    return fields


def default_item(fields: list[dict[str, Any]]) -> dict[str, Any]:
    """A new collection entry: each sub-field's default (or an empty value)."""
    empty = {
        "boolean": False,
        "number": 0,
        "collection": [],
        "key_value": [],
        "list": [],
        "json": {},
    }
    return {
        f["key"]: copy.deepcopy(f["default"])
        if f["default"] is not None
        else copy.deepcopy(empty.get(f["kind"], ""))
        for f in fields
    }


# -- values by path ------------------------------------------------------------------------
def parse_path(path: str) -> list[str | int]:
    """``"rules.0.conditions.1.left"`` -> ``["rules", 0, "conditions", 1, "left"]``."""
    return [int(p) if re.fullmatch(r"\d+", p) else p for p in path.split(".") if p != ""]


def get_path(data: Any, path: str, default: Any = None) -> Any:
    cur = data
    for part in parse_path(path):
        try:
            cur = cur[part]
        except (KeyError, IndexError, TypeError):
            return default
    return cur


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    """Sets ``value`` at ``path``, creating dicts and growing lists on the way."""
    parts = parse_path(path)
    cur: Any = data
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        nxt: Any = [] if not last and isinstance(parts[i + 1], int) else {}
        if isinstance(part, int):
            while len(cur) <= part:
                cur.append(copy.deepcopy(nxt) if not last else None)
            if last:
                cur[part] = value
            else:
                if not isinstance(cur[part], (dict, list)):
                    cur[part] = nxt
                cur = cur[part]
        else:
            if last:
                cur[part] = value
            else:
                if not isinstance(cur.get(part), (dict, list)):
                    cur[part] = nxt
                cur = cur[part]


def remove_path(data: dict[str, Any], path: str) -> None:
    """Deletes the list entry or key at ``path`` (no error if missing)."""
    parts = parse_path(path)
    parent = get_path(data, ".".join(map(str, parts[:-1]))) if len(parts) > 1 else data
    last = parts[-1]
    try:
        if isinstance(parent, list) and isinstance(last, int):
            parent.pop(last)
        elif isinstance(parent, dict):
            parent.pop(last, None)
    except IndexError:
        pass


def move_item(data: dict[str, Any], path: str, delta: int) -> None:
    """Moves the list entry at ``path`` up (-1) or down (+1)."""
    parts = parse_path(path)
    parent = get_path(data, ".".join(map(str, parts[:-1])))
    i = parts[-1]
    if isinstance(parent, list) and isinstance(i, int) and 0 <= i + delta < len(parent):
        parent[i], parent[i + delta] = parent[i + delta], parent[i]


def coerce(kind: str, text: Any, integer: bool = False) -> Any:
    """The stored value for what a widget sent (expressions stay text)."""
    if isinstance(text, str) and "{{" in text:
        return text
    if kind == "number":
        if text in ("", None):
            return None
        try:
            num = float(text)
        except (TypeError, ValueError):
            return text  # shown as an inline error by validation
        return int(num) if num.is_integer() else num
    if kind == "any" and isinstance(text, str):
        try:
            val = json.loads(text)
        except ValueError:
            return text
        return val if isinstance(val, (int, float)) and not isinstance(val, bool) else text
    if kind == "json" and isinstance(text, str):
        try:
            return json.loads(text) if text.strip() else {}
        except ValueError:
            return text  # kept as text; validation explains what is wrong
    if kind == "list" and isinstance(text, str):
        return [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]
    return text
