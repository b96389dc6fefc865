"""Node-RED node types → AURA nodes, on the ``msg`` ↔ item model.

A Node-RED message becomes an item whose JSON holds the message properties:
``msg.payload`` is ``$json.payload``, ``msg.topic`` is ``$json.topic``. Values typed
``msg`` become expressions; ``str``/``num``/``bool``/``json`` literals stay literals;
``flow``/``global`` context reads become ``$flow``/``$global`` and JSONata
``$jsonata("...")`` (:mod:`.nodered_context`, :mod:`.nodered_values`); the HTTP and
format nodes are in :mod:`.nodered_formats`, trigger, batch and join in
:mod:`.nodered_sequence`. Mustache templates (``template``, ``http request`` URLs) become
AURA templates.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from engine.interop._mapping import MapContext, Mapped, Unmappable
from engine.interop.expressions import escape_literal
from engine.interop.nodered_context import jsonata_expr, map_change_context, writes_context
from engine.interop.nodered_formats import (
    map_csv,
    map_html,
    map_http_in,
    map_http_request,
    map_http_response,
    map_json,
    map_xml,
    map_yaml,
)
from engine.interop.nodered_values import field_expr, mustache, noted, typed_value

__all__ = ["MAPPERS"]


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
                {"name": prop, "value": noted(cx, f"rules[{i}]", f"change {prop}", value)}
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
    value = noted(cx, "property", f"range {prop}", "{{ " + x + " }}")
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
