"""Field descriptors derived from a node's params JSON Schema and its :func:`ui` hints.

A descriptor is a plain dict the editor's form renders and the save checks read::

    {"key": "url", "label": "URL", "kind": "text", "help": "...", "required": True,
     "default": None, "options": [...], "expression": True, "fields": [...]}

``kind`` follows the spec's ``x-aura-ui`` hint when there is one, otherwise the JSON
Schema type: text, textarea, password, number, boolean, options, json, code, collection,
key_value, list (of strings), credential, datetime, any (a free value). What
:func:`engine.sdk.ui` declares is derived here once for every node: option labels
(``labels``), fields that apply only to some values of their siblings (``show`` /
``hide``), choices that depend on a sibling (``options_by``) and a short ``help``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["describe_schema", "fields_of"]

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
        extra["fields"] = fields_of(item, defs) if item.get("properties") else []
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
            extra["fields"] = fields_of(item, defs)
            return "collection", extra
        if item.get("type") in ("string", None):
            return "list", extra
        return "json", extra
    if t == "object" or any(s.get("type") in ("object", "array") for s in non_null):
        return "json", extra
    return "any", extra


def fields_of(schema: dict[str, Any], defs: dict[str, Any]) -> list[dict[str, Any]]:
    """Descriptors of an object schema's properties, in declaration order (``defs``:
    the root schema's ``$defs``)."""
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


def describe_schema(schema: dict[str, Any], *, expressions: bool = True) -> list[dict[str, Any]]:
    """Field descriptors of any JSON Schema object (credential kinds use this)."""
    fields = fields_of(schema, schema.get("$defs", {}))
    if not expressions:
        for f in fields:
            f["expression"] = False
    return fields
