"""Node-RED's context, JSONata, timing and sequence nodes → AURA.

* ``flow`` / ``global`` context is the workflow's shared data: read in expressions as
  ``$flow.x`` / ``$global.x``, written by a ``core.change`` node (Node-RED's change rules,
  run in order); ``global`` is kept per workflow (a note says so).
* JSONata values become ``{{ $jsonata("...") }}`` (evaluated by jsonata-python over the
  item, as Node-RED evaluates them over ``msg``).
* ``trigger`` (send, wait, send) becomes a Delay followed by an Edit Fields node that
  sends the second message once; ``batch`` by time or concatenation becomes a pass-through
  (in AURA a run's items already form one sequence).
* ``join`` collects the run's messages with an Aggregate node; text, key/value objects
  and merged objects are then built by the Edit Fields node after it
  (:func:`join_message`).
"""

from __future__ import annotations

import json
import re
from typing import Any

from engine.interop._mapping import MapContext, Mapped, Unmappable
from engine.interop.expressions import ExpressionNote

__all__ = [
    "GLOBAL_NOTE",
    "TRIGGER_UNITS",
    "context_expr",
    "join_message",
    "jsonata_expr",
    "map_batch",
    "map_change_context",
    "map_join",
    "map_trigger",
    "trigger_sends",
    "writes_context",
]

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
GLOBAL_NOTE = (
    "global context is kept per workflow in AURA: flows (tabs) that shared it need a "
    "sub-workflow or workflow variables"
)
TRIGGER_UNITS = {"ms": 0.001, "s": 1.0, "min": 60.0, "hr": 3600.0}
_VALUE_TYPES = {"str", "num", "bool", "json", "msg", "flow", "global", "jsonata", "env", "date"}


def context_expr(cx: MapContext, scope: str, prop: str, path: str) -> str:
    """``flow.a.b`` read in an AURA expression (``{{ $flow.a.b }}``), recorded as translated."""
    prop = prop.strip()
    parts = [p for p in prop.split(".") if p]
    if not parts or any('"' in p or "\\" in p or "[" in p for p in parts):
        raise Unmappable(f"the {scope} context property '{prop}'")
    if scope == "global":
        cx.note(GLOBAL_NOTE)
    out = "{{ $" + scope + "".join(f".{p}" if _IDENT.match(p) else f'["{p}"]' for p in parts)
    out += " }}"
    cx.expressions.append(ExpressionNote(path, f"{scope}.{prop}", out))
    return out


def jsonata_expr(cx: MapContext, source: str, path: str) -> str:
    """A JSONata expression as ``{{ $jsonata("...") }}``, recorded as translated."""
    text = str(source).strip()
    if not text:
        raise Unmappable("an empty JSONata expression")
    if "{{" in text or "}}" in text:
        cx.expressions.append(
            ExpressionNote(path, text, None, "'{{' or '}}' inside JSONata cannot be embedded")
        )
        raise Unmappable("a JSONata expression containing '{{' or '}}'")
    out = "{{ $jsonata(" + json.dumps(text, ensure_ascii=False) + ") }}"
    cx.expressions.append(ExpressionNote(path, text, out))
    return out


def map_change_context(cx: MapContext) -> Mapped:
    """A change node whose rules write flow/global context → ``core.change`` (the rules as
    Node-RED wrote them, run in order, so a rule reads what the one before it wrote)."""
    rules: list[dict[str, Any]] = []
    for i, r in enumerate(cx.get("rules") or []):
        action = r.get("t", "set")
        target = r.get("pt", "msg")
        if action not in ("set", "change", "delete", "move"):
            raise Unmappable(f"rule type '{action}'")
        if target not in ("msg", "flow", "global"):
            raise Unmappable(f"rule {i + 1} writes {target}")
        if "global" in (target, r.get("tot"), r.get("pt")):
            cx.note(GLOBAL_NOTE)
        rule: dict[str, Any] = {"action": action, "target": target, "property": str(r.get("p"))}
        if action in ("set", "change"):
            vtype = str(r.get("tot", "str") or "str")
            vtype = "str" if vtype == "string" else vtype
            if vtype not in _VALUE_TYPES:
                raise Unmappable(f"rule {i + 1} has a value of type '{vtype}'")
            rule |= {"value": str(r.get("to", "")), "value_type": vtype}
            if vtype == "jsonata":
                cx.expressions.append(
                    ExpressionNote(f"rules[{i}].to", rule["value"], rule["value"])
                )
        if action == "change":
            ftype = str(r.get("fromt", "str") or "str")
            if ftype not in ("str", "num", "bool", "re"):
                raise Unmappable(f"rule {i + 1} looks for a {ftype} value")
            rule |= {"find": str(r.get("from", "")), "find_type": ftype}
        if action == "move":
            to_type = str(r.get("tot", "msg") or "msg")
            if to_type not in ("msg", "flow", "global"):
                raise Unmappable(f"rule {i + 1} moves to {to_type}")
            rule |= {"value": str(r.get("to", "")), "move_target": to_type}
        rules.append(rule)
    return Mapped("core.change", {"rules": rules})


def writes_context(raw_rules: Any) -> bool:
    """True if a change node's rules write flow/global context (or move a value there)."""
    return any(
        isinstance(r, dict)
        and (r.get("pt", "msg") != "msg" or (r.get("t") == "move" and r.get("tot") != "msg"))
        for r in raw_rules or []
    )


def trigger_seconds(cx: MapContext) -> float:
    try:
        duration = float(cx.get("duration", 250) or 0)
    except ValueError:
        raise Unmappable(f"the duration '{cx.get('duration')}' is not a number") from None
    if duration <= 0:
        raise Unmappable("waiting to be reset (a duration of 0)")
    return duration * TRIGGER_UNITS.get(str(cx.get("units", "ms")), 0.001)


def map_trigger(cx: MapContext) -> Mapped:
    """Send, wait, send → a Delay; the Edit Fields node after it (added by the importer)
    sends the second message once. Only one of the two messages may be sent."""
    op1, op2 = str(cx.get("op1type", "str")), str(cx.get("op2type", "str"))
    if str(cx.get("outputs", 1)) != "1":
        raise Unmappable("sending the second message on a second output")
    if op1 != "nul" and op2 != "nul":
        raise Unmappable("sending one message at once and another after a while")
    if str(cx.get("bytopic", "all")) == "topic":
        cx.note("Node-RED kept one timer per msg.topic; AURA waits once per run")
    if op1 != "nul" and op2 == "nul":
        cx.note("the first message is sent once per run; the next node sets it")
        return Mapped("core.noop", {})
    seconds = trigger_seconds(cx)
    cx.note(
        "Node-RED's timer carries over from message to message (extend, reset); in AURA "
        f"each run waits {seconds:g} s and then sends the second message once"
    )
    return Mapped("core.delay", {"mode": "delay", "seconds": seconds})


def trigger_sends(raw: dict[str, Any]) -> tuple[str, Any]:
    """The (type, value) of the one message a mapped trigger node sends."""
    if str(raw.get("op1type", "str")) != "nul":
        return str(raw.get("op1type", "str")), raw.get("op1", "")
    return str(raw.get("op2type", "str")), raw.get("op2", "")


def map_batch(cx: MapContext) -> Mapped:
    """By time or by concatenating sequences: a pass-through (a run's items already are
    one sequence); groups of N are not supported."""
    mode = str(cx.get("mode", "count"))
    if mode == "count":
        raise Unmappable("groups of N messages (count mode): AURA's join collects a whole run")
    cx.note(
        "the messages of one run form one sequence in AURA, so the node passes them on; "
        f"Node-RED grouped them by {'time' if mode == 'interval' else 'topic sequences'}"
    )
    return Mapped("core.noop", {})


def _at(var: str, path: str) -> str:
    """``var`` followed by the dotted ``path`` as expression accessors."""
    parts = [p for p in path.split(".") if p]
    if any('"' in p or "\\" in p for p in parts):
        raise Unmappable(f"the property '{path}'")
    return var + "".join(f".{p}" if _IDENT.match(p) else f'["{p}"]' for p in parts)


def map_join(cx: MapContext) -> Mapped:
    """The run's messages collected into one (Node-RED's manual and automatic modes)."""
    mode = str(cx.get("mode", "auto"))
    if mode == "reduce":
        raise Unmappable("reduce mode (a JSONata reduction)")
    if cx.get("propertyType", "msg") != "msg":
        raise Unmappable(f"joining {cx.get('propertyType')} values")
    build = str(cx.get("build", "array")) if mode == "custom" else "array"
    if build not in ("array", "string", "object", "merged", "buffer"):
        raise Unmappable(f"joining into a {build}")
    if build == "buffer":
        raise Unmappable("joining into a buffer")
    count = str(cx.get("count", "") or "")
    if mode == "custom" and count not in ("", "0"):
        cx.note(f"Node-RED sent one message every {count} parts; AURA joins the whole run")
    if cx.get("accumulate"):
        cx.note("'keep accumulating' has no AURA equivalent: each run starts afresh")
    prop = str(cx.get("property", "payload") or "")
    if build == "array" and prop:
        return Mapped("core.aggregate", {"mode": "individual_fields", "fields": [{"field": prop}]})
    if build == "string":
        _at("m", prop or "payload")
        return Mapped(
            "core.aggregate",
            {"mode": "individual_fields", "fields": [{"field": prop or "payload"}]},
        )
    return Mapped("core.aggregate", {"mode": "all_item_data", "destination_field": "parts"})


def join_message(raw: dict[str, Any]) -> list[dict[str, Any]] | None:
    """What the Edit Fields node after a mapped join sets (None: nothing to add)."""
    mode, prop = str(raw.get("mode", "auto")), str(raw.get("property", "payload") or "")
    build = str(raw.get("build", "array")) if mode == "custom" else "array"
    value = _at("m", prop) if prop else "m"
    if build == "string":
        joiner = str(raw.get("joiner", "\\n"))
        joiner = joiner.replace("\\n", "\n").replace("\\t", "\t").replace("\\r", "\r")
        field = prop or "payload"
        text = _at("$json", field) + ".join(" + json.dumps(joiner, ensure_ascii=False) + ")"
        return [{"name": field, "value": "{{ " + text + " }}"}]
    if build == "object":
        key = _at("m", str(raw.get("key", "topic") or "topic"))
        expr = "{" + key + ": " + value + " for m in $json.parts}"
    elif build == "merged":
        expr = (
            "{k: v for m in $json.parts if is_object("
            + value
            + ") for k, v in "
            + value
            + ".items()}"
        )
    elif build == "array" and not prop:
        expr = "$json.parts"
    else:
        return None
    return [{"name": "payload", "value": "{{ " + expr + " }}"}]
