"""Node-RED values as AURA values: ``msg`` properties as ``$json`` paths, typed inputs
(value + type: ``str``, ``num``, ``msg``, ``flow``...) as literals or expressions,
Mustache templates as AURA templates; every expression made is noted for the report."""

from __future__ import annotations

import json
import re
from typing import Any

from engine.interop._mapping import MapContext, Unmappable
from engine.interop.expressions import ExpressionNote, escape_literal
from engine.interop.nodered_context import context_expr, jsonata_expr

__all__ = ["field_expr", "mustache", "noted", "typed_value"]

_IDENT = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_MUSTACHE = re.compile(r"\{\{\{?\s*([^{}#^/!>&]*?)\s*\}?\}\}")


def field_expr(prop: str) -> str:
    """``payload.a`` (a msg property) as ``$json.payload.a``."""
    prop = prop.strip().removeprefix("msg.")
    if not prop or "[" in prop or ".." in prop:
        raise Unmappable(f"the property '{prop}'")
    return "$json" + "".join(
        f".{p}" if _IDENT.match(p) else f'["{p}"]'
        for p in prop.split(".")
        if '"' not in p and "\\" not in p
    )


def typed_value(cx: MapContext, value: Any, vtype: str, path: str) -> Any:
    """A Node-RED typed input (value + type) as an AURA value; records an expression note
    for the types that are expressions in Node-RED."""
    vtype = vtype or "str"
    if vtype in ("str", "string"):
        return escape_literal(str(value))
    if vtype == "num":
        try:
            return json.loads(str(value))
        except ValueError:
            raise Unmappable(f"'{value}' is not a number") from None
    if vtype == "bool":
        return str(value).lower() == "true"
    if vtype == "json":
        try:
            return json.loads(str(value) or "null")
        except ValueError:
            raise Unmappable(f"the JSON value at {path} is not valid JSON") from None
    if vtype == "date":
        return noted(cx, path, f"{vtype}:{value}", "{{ $now.to_millis() }}")
    if vtype == "msg":
        return noted(cx, path, f"msg.{value}", "{{ " + field_expr(str(value)) + " }}")
    if vtype == "env":
        return noted(cx, path, f"env.{value}", "{{ $env." + str(value) + " }}")
    if vtype == "jsonata":
        return jsonata_expr(cx, str(value), path)
    if vtype in ("flow", "global"):
        return context_expr(cx, vtype, str(value), path)
    cx.expressions.append(
        ExpressionNote(path, f"{vtype}.{value}", None, f"'{vtype}' context has no AURA equivalent")
    )
    raise Unmappable(f"'{vtype}' context values (use workflow variables or static data)")


def noted(cx: MapContext, path: str, original: str, out: str) -> str:
    cx.expressions.append(ExpressionNote(path, original, out))
    return out


def mustache(cx: MapContext, text: str, path: str) -> str:
    """A Mustache template (variables only) as an AURA template."""
    if re.search(r"\{\{\s*[#^/>!]", text):
        cx.expressions.append(
            ExpressionNote(
                path, text, None, "Mustache sections and partials have no AURA equivalent"
            )
        )
        raise Unmappable("Mustache sections ({{#...}}) or partials")
    if "{{" not in text:
        return escape_literal(text)
    out, pos = [], 0
    for m in _MUSTACHE.finditer(text):
        out.append(escape_literal(text[pos : m.start()]))
        name = m.group(1).strip()
        if name.startswith(("flow.", "global.")):
            scope, _, prop = name.partition(".")
            if scope == "global":
                cx.note("global context is kept per workflow in AURA")
            expr = "$" + scope + "." + prop
        elif name.startswith("env."):
            expr = "$env." + name[4:]
        else:
            expr = field_expr(name)
        out.append("{{ " + expr + " }}")
        pos = m.end()
    out.append(escape_literal(text[pos:]))
    return noted(cx, path, text, "".join(out))
