"""Node-RED node types → AURA nodes, on the ``msg`` ↔ item model.

A Node-RED message becomes an item whose JSON holds the message properties:
``msg.payload`` is ``$json.payload``, ``msg.topic`` is ``$json.topic``. Values typed
``msg`` become expressions; ``str``/``num``/``bool``/``json`` literals stay literals;
``flow``/``global`` context reads become ``$flow``/``$global`` and JSONata
``$jsonata("...")`` (:mod:`.nodered_context`); trigger, batch and join are in
:mod:`.nodered_sequence`.
Mustache templates (``template``, ``http request`` URLs) become AURA templates.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from engine.interop._mapping import MapContext, Mapped, Unmappable
from engine.interop.expressions import ExpressionNote, escape_literal
from engine.interop.nodered_context import (
    context_expr,
    jsonata_expr,
    map_change_context,
    writes_context,
)

__all__ = ["MAPPERS", "field_expr", "mustache", "typed_value"]

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
        return _note(cx, path, f"{vtype}:{value}", "{{ $now.to_millis() }}")
    if vtype == "msg":
        return _note(cx, path, f"msg.{value}", "{{ " + field_expr(str(value)) + " }}")
    if vtype == "env":
        return _note(cx, path, f"env.{value}", "{{ $env." + str(value) + " }}")
    if vtype == "jsonata":
        return jsonata_expr(cx, str(value), path)
    if vtype in ("flow", "global"):
        return context_expr(cx, vtype, str(value), path)
    cx.expressions.append(
        ExpressionNote(path, f"{vtype}.{value}", None, f"'{vtype}' context has no AURA equivalent")
    )
    raise Unmappable(f"'{vtype}' context values (use workflow variables or static data)")


def _note(cx: MapContext, path: str, original: str, out: str) -> str:
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
    return _note(cx, path, text, "".join(out))


def map_change(cx: MapContext) -> Mapped:
    if writes_context(cx.get("rules")) and cx.has("core.change"):
        return map_change_context(cx)
    assignments: list[dict[str, Any]] = []
    removed: list[str] = []
    for i, r in enumerate(cx.get("rules") or []):
        if r.get("pt", "msg") != "msg":
            raise Unmappable(f"rule {i + 1} writes {r.get('pt')} context")
        prop = str(r.get("p", "payload"))
        field_expr(prop)
        t = r.get("t", "set")
        if t == "set":
            assignments.append(
                {
                    "name": prop,
                    "value": typed_value(
                        cx, r.get("to", ""), r.get("tot", "str"), f"rules[{i}].to"
                    ),
                }
            )
        elif t == "delete":
            removed.append(prop)
        elif t == "move":
            to = str(r.get("to", ""))
            assignments.append({"name": to, "value": "{{ " + field_expr(prop) + " }}"})
            removed.append(prop)
        elif t == "change":
            if r.get("fromt", "str") != "str" or r.get("tot", "str") != "str":
                raise Unmappable(f"rule {i + 1} replaces with a {r.get('fromt')} pattern")
            src = field_expr(prop)
            value = (
                "{{ " + f"{src}.replace({json.dumps(r.get('from', ''))}, "
                f"{json.dumps(r.get('to', ''))})" + " }}"
            )
            assignments.append(
                {"name": prop, "value": _note(cx, f"rules[{i}]", f"change {prop}", value)}
            )
        else:
            raise Unmappable(f"rule type '{t}'")
    p: dict[str, Any] = {"assignments": assignments}
    if removed:
        p["keep"] = "except"
        p["fields"] = removed
    return Mapped("core.set", p)


_SWITCH_OPS = {
    "eq": ("equals", "eq"),
    "neq": ("not_equals", "ne"),
    "lt": (None, "lt"),
    "lte": (None, "lte"),
    "gt": (None, "gt"),
    "gte": (None, "gte"),
    "cont": ("contains", None),
    "regex": ("regex", None),
}


def _switch_rule(cx: MapContext, left: str, r: dict[str, Any], i: int) -> dict[str, Any]:
    t = r.get("t")
    if t == "jsonata_exp":
        test = jsonata_expr(cx, str(r.get("v", "")), f"rules[{i}].v")
        return {"left": test, "type": "boolean", "operation": "is_true"}
    if t in ("true", "false"):
        return {"left": left, "type": "boolean", "operation": f"is_{t}"}
    if t == "null":
        return {"left": left, "type": "any", "operation": "not_exists"}
    if t == "nnull":
        return {"left": left, "type": "any", "operation": "exists"}
    if t in ("empty", "nempty"):
        return {
            "left": left,
            "type": "string",
            "operation": "is_empty" if t == "empty" else "is_not_empty",
        }
    if t not in _SWITCH_OPS:
        raise Unmappable(f"switch rule '{t}'")
    vt = r.get("vt", "str")
    right = typed_value(cx, r.get("v", ""), vt, f"rules[{i}].v")
    as_string, as_number = _SWITCH_OPS[t]
    if (vt == "num" and as_number) or as_string is None:
        return {"left": left, "type": "number", "operation": as_number, "right": right}
    return {"left": left, "type": "string", "operation": as_string, "right": right}


def map_switch(cx: MapContext) -> Mapped:
    ptype = str(cx.get("propertyType", "msg"))
    if ptype == "msg":
        left = "{{ " + field_expr(str(cx.get("property", "payload"))) + " }}"
    elif ptype in ("flow", "global", "jsonata"):
        left = typed_value(cx, cx.get("property", ""), ptype, "property")
    else:
        raise Unmappable(f"switching on a {ptype} value")
    rules, fallback = [], "none"
    raw = cx.get("rules") or []
    for i, r in enumerate(raw):
        if r.get("t") == "else":
            if i != len(raw) - 1:
                raise Unmappable("an 'otherwise' rule that is not the last one")
            fallback = "extra"
            continue
        if r.get("t") == "btwn":
            lo = typed_value(cx, r.get("v", ""), r.get("vt", "num"), f"rules[{i}].v")
            hi = typed_value(cx, r.get("v2", ""), r.get("v2t", "num"), f"rules[{i}].v2")
            rules.append(
                {
                    "conditions": [
                        {"left": left, "type": "number", "operation": "gte", "right": lo},
                        {"left": left, "type": "number", "operation": "lte", "right": hi},
                    ]
                }
            )
            continue
        rules.append({"conditions": [_switch_rule(cx, left, r, i)]})
    outputs = [f"output_{i}" for i in range(len(rules))] + (
        ["fallback"] if fallback == "extra" else []
    )
    return Mapped(
        "core.switch",
        {
            "rules": rules,
            "fallback_output": fallback,
            "loose_type_validation": True,
            "all_matching_outputs": str(cx.get("checkall", "true")) == "true",
        },
        outputs=outputs,
    )


def map_template(cx: MapContext) -> Mapped:
    if cx.get("fieldType", "msg") != "msg":
        raise Unmappable(f"a template written to {cx.get('fieldType')} context")
    if cx.has("core.template"):
        field = str(cx.get("field", "payload") or "payload").removeprefix("msg.")
        fmt = {"json": "json", "yaml": "yaml"}.get(str(cx.get("output", "str")), "text")
        return Mapped(
            "core.template",
            {
                "template": str(cx.get("template", "")),
                "output_field": field,
                "syntax": "plain" if cx.get("syntax") == "plain" else "mustache",
                "output_format": fmt,
            },
        )
    if cx.get("syntax", "mustache") == "plain":
        text = escape_literal(str(cx.get("template", "")))
    else:
        text = mustache(cx, str(cx.get("template", "")), "template")
    kind = "string"
    if cx.get("output") == "json":
        kind = "array" if str(cx.get("template", "")).lstrip().startswith("[") else "object"
        cx.info(f"the template's text is parsed as a JSON {kind}")
    return Mapped(
        "core.set",
        {
            "assignments": [
                {"name": str(cx.get("field", "payload") or "payload"), "value": text, "type": kind}
            ]
        },
    )


def map_http_in(cx: MapContext) -> Mapped:
    path = str(cx.get("url", "")).strip().strip("/")
    if not path:
        raise Unmappable("the endpoint has no URL")
    method = str(cx.get("method", "get")).upper()
    if method not in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        raise Unmappable(f"method {method}")
    cx.info(
        "Node-RED's msg.payload (query or body) is $json.query / $json.body on AURA's "
        "webhook item; msg.req.headers is $json.headers"
    )
    return Mapped(
        "core.webhook_trigger",
        {"http_method": method, "path": path, "response_mode": "respond_node"},
        inputs=[],
    )


def map_http_response(cx: MapContext) -> Mapped:
    p: dict[str, Any] = {"respond_with": "text", "response_body": "{{ $json.payload }}"}
    code = str(cx.get("statusCode", "") or "").strip()
    if code:
        p["response_code"] = int(code)
    headers = cx.get("headers") or {}
    if headers:
        p["response_headers"] = [{"name": k, "value": str(v)} for k, v in headers.items()]
    return Mapped("core.respond_to_webhook", p)


def map_http_request(cx: MapContext) -> Mapped:
    method = str(cx.get("method", "GET")).upper()
    if method == "USE":
        raise Unmappable("the method comes from msg.method")
    url = str(cx.get("url", ""))
    url = mustache(cx, url, "url") if url else _note(cx, "url", "msg.url", "{{ $json.url }}")
    p: dict[str, Any] = {
        "method": method,
        "url": url,
        "output_field": "payload",
        "response_format": {"txt": "text", "obj": "json", "bin": "binary"}.get(
            cx.get("ret", "txt"), "auto"
        ),
    }
    if method in ("POST", "PUT", "PATCH"):
        p["body_type"] = "json"
        p["json_body"] = _note(cx, "payload", "msg.payload", "{{ $json.payload }}")
    cx.note(
        "the response replaces the item (text responses go to 'payload'); Node-RED "
        "kept the other msg properties"
    )
    return Mapped("core.http_request", p)


def map_json(cx: MapContext) -> Mapped:
    field = str(cx.get("property", "payload")).removeprefix("msg.")
    action = cx.get("action", "")
    if action == "":
        action = "str" if cx.object_input else "obj"
        done = (
            "turns the object from the node before into JSON text"
            if action == "str"
            else "parses JSON text"
        )
        cx.note(f"Node-RED converts both ways at run time; this node {done}")
    op = "stringify" if action == "str" else "parse"
    p: dict[str, Any] = {"operation": op, "field": field, "output_field": field}
    if op == "stringify" and cx.get("pretty"):
        p["pretty"] = True
    return Mapped("core.json", p)


def map_csv(cx: MapContext) -> Mapped:
    cols = [c.strip() for c in str(cx.get("temp", "")).split(",") if c.strip()]
    sep = str(cx.get("sep", ",")).replace("\\t", "\t") or ","
    if cx.object_input:
        cx.note(
            "Node-RED converts CSV both ways at run time; this node builds CSV text in "
            "'payload' from the objects the node before sends"
        )
        return Mapped(
            "core.csv",
            {"operation": "build", "destination": "field", "field": "payload", "delimiter": sep},
        )
    cx.note("Node-RED converts CSV both ways at run time; this node parses CSV text from 'payload'")
    p: dict[str, Any] = {
        "operation": "parse",
        "source": "field",
        "field": "payload",
        "delimiter": sep,
        "header_row": bool(cx.get("hdrin")),
        "auto_type": cx.get("strings", True) not in (False, "false"),  # "parse numbers"
    }
    if cols and not cx.get("hdrin"):
        p["column_names"] = cols
    skip = int(str(cx.get("skip", "0") or 0))
    if skip:
        p["skip_rows"] = skip
    return Mapped("core.csv", p)


def map_split(cx: MapContext) -> Mapped:
    if cx.dict_input:
        cx.note("Node-RED split an object into one message per key; AURA splits lists and text")
    else:
        cx.info("splits a list in msg.payload into one message per element")
    return Mapped(
        "core.split_out", {"field": ["payload"], "include": "all", "destination": ["payload"]}
    )


def map_sort(cx: MapContext) -> Mapped:
    if cx.get("targetType", "seq") != "seq":
        raise Unmappable("sorting a list inside the message")
    key = str(cx.get("seqKey", "payload"))
    if cx.get("seqKeyType", "msg") == "jsonata":
        return Mapped(
            "core.sort",
            {
                "type": "expression",
                "key": jsonata_expr(cx, key, "seqKey"),
                "key_order": "desc" if cx.get("order") == "descending" else "asc",
            },
        )
    if cx.get("seqKeyType", "msg") != "msg":
        raise Unmappable(f"a {cx.get('seqKeyType')} sort key")
    return Mapped(
        "core.sort",
        {
            "type": "simple",
            "fields": [
                {"field": key, "order": "desc" if cx.get("order") == "descending" else "asc"}
            ],
        },
    )


_UNITS = {"milliseconds": 0.001, "seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}


def map_delay(cx: MapContext) -> Mapped:
    mode = cx.get("pauseType", "delay")
    if mode == "rate" and cx.has("core.delay"):
        per = float(cx.get("nbRateUnits", 1) or 1) * _UNITS.get(
            str(cx.get("rateUnits", "second")) + "s", 1
        )
        excess = "drop" if cx.get("drop") else "wait"
        outputs = ["main"]
        if cx.get("drop") and str(cx.get("outputs", 1)) == "2":
            excess, outputs = "second_output", ["main", "dropped"]
        return Mapped(
            "core.delay",
            {
                "mode": "rate_limit",
                "rate": int(cx.get("rate", 1) or 1),
                "interval_s": per,
                "on_excess": excess,
            },
            outputs=outputs,
        )
    if mode != "delay":
        raise Unmappable(f"delay mode '{mode}'", known=mode == "rate")
    seconds = float(cx.get("timeout", 5) or 0) * _UNITS.get(cx.get("timeoutUnits", "seconds"), 1)
    if cx.has("core.delay"):
        return Mapped("core.delay", {"mode": "delay", "seconds": seconds})
    return Mapped("core.wait", {"resume": "time_interval", "amount": seconds, "unit": "seconds"})


def map_function(cx: MapContext) -> Mapped:
    code = str(cx.get("func", ""))
    libs = cx.get("libs") or []
    if any(not isinstance(lib, dict) or lib.get("module") != "crypto" for lib in libs):
        raise Unmappable("the function loads modules (libs) other than crypto")
    for lib in reversed(libs):
        var = str(lib.get("var") or "crypto")
        if not re.fullmatch(r"[A-Za-z_$][\w$]*", var):
            raise Unmappable(f"the module variable name '{var}'")
        code = f"const {var} = require('crypto');\n" + code
    for part in ("initialize", "finalize"):
        if str(cx.get(part, "") or "").strip():
            cx.note(f"its '{part}' code is not carried over: move it into the main code")
    n = int(cx.get("outputs", 1) or 0)
    if n < 1:
        cx.note("it had no outputs in Node-RED; the AURA node has one")
    n = max(1, n)
    return Mapped(
        "core.code_js",
        {"style": "node_red", "code": code, "outputs": n},
        outputs=["main"] if n == 1 else [f"output_{i}" for i in range(n)],
    )


def _both_ways(cx: MapContext, node_type: str, what: str) -> Mapped:
    field = str(cx.get("property", "payload") or "payload").removeprefix("msg.")
    op = "build" if cx.object_input else "parse"
    cx.note(
        f"Node-RED converts {what} both ways at run time; this node "
        + (
            "builds it from the object the node before sends"
            if op == "build"
            else f"parses {what} text"
        )
    )
    return Mapped(node_type, {"operation": op, "field": field, "output_field": ""})


def map_xml(cx: MapContext) -> Mapped:
    out = _both_ways(cx, "core.xml", "XML")
    cx.note("attributes are '@name' keys and text '#text' (Node-RED used '$' and '_')")
    return out


def map_yaml(cx: MapContext) -> Mapped:
    return _both_ways(cx, "core.yaml", "YAML")


def map_html(cx: MapContext) -> Mapped:
    ret = {"html": "html", "text": "text"}.get(str(cx.get("ret", "html")))
    if ret is None:
        raise Unmappable("returning all attributes of the elements")
    field = str(cx.get("property", "payload") or "payload").removeprefix("msg.")
    out = str(cx.get("outproperty", "payload") or "payload").removeprefix("msg.")
    return Mapped(
        "core.html",
        {
            "operation": "extract",
            "field": field,
            "keep_source": True,
            "extractions": [
                {
                    "key": out,
                    "selector": str(cx.get("tag", "")),
                    "return_value": ret,
                    "return_array": True,
                }
            ],
        },
    )


def map_range(cx: MapContext) -> Mapped:
    action = cx.get("action", "scale")
    if action == "roll":
        raise Unmappable("'roll' mode")
    try:
        a, b, c, d = (float(cx.get(k, 0)) for k in ("minin", "maxin", "minout", "maxout"))
    except ValueError:
        raise Unmappable("the range limits are not numbers") from None
    if a == b:
        raise Unmappable("the input range is empty")
    prop = str(cx.get("property", "payload"))
    x = f"(({field_expr(prop)} - {a}) * {(d - c) / (b - a)!r} + {c})"
    if action == "clamp":
        x = f"max({min(c, d)}, min({max(c, d)}, {x}))"
    if cx.get("round"):
        x = f"round({x})"
    value = _note(cx, "property", f"range {prop}", "{{ " + x + " }}")
    return Mapped("core.set", {"assignments": [{"name": prop, "value": value, "type": "number"}]})


def map_debug(cx: MapContext) -> Mapped:
    cx.info("what Node-RED printed in the debug sidebar is this node's data in the execution")
    return Mapped("core.noop", {})


def map_catch(cx: MapContext) -> Mapped:
    cx.info(
        "the nodes it watches send their errors to it through their 'error' output "
        "('On error: route'); the message's error is in $json.error"
    )
    return Mapped("core.noop", {})


def map_noop(cx: MapContext) -> Mapped:
    return Mapped("core.noop", {})


MAPPERS: dict[str, Callable[[MapContext], Mapped]] = {
    "change": map_change,
    "switch": map_switch,
    "template": map_template,
    "http in": map_http_in,
    "http response": map_http_response,
    "http request": map_http_request,
    "json": map_json,
    "csv": map_csv,
    "split": map_split,
    "sort": map_sort,
    "delay": map_delay,
    "function": map_function,
    "xml": map_xml,
    "yaml": map_yaml,
    "html": map_html,
    "range": map_range,
    "debug": map_debug,
    "catch": map_catch,
    "link in": map_noop,
    "link out": map_noop,
    "link call": map_noop,
    "junction": map_noop,
}
