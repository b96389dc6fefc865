"""Node-RED's flow and global context and JSONata → AURA.

* ``flow`` / ``global`` context is the workflow's shared data: read in expressions as
  ``$flow.x`` / ``$global.x``, written by a ``core.change`` node (Node-RED's change rules,
  run in order); ``global`` is kept per workflow (a note says so).
* JSONata values become ``{{ $jsonata("...") }}`` (evaluated by jsonata-python over the
  item, as Node-RED evaluates them over ``msg``).

The timing and sequence nodes (trigger, batch, join) are in :mod:`.nodered_sequence`.
"""

from __future__ import annotations

import json
import re
from typing import Any

from engine.interop._mapping import MapContext, Mapped, Unmappable
from engine.interop.expressions import ExpressionNote

__all__ = [
    "GLOBAL_NOTE",
    "context_expr",
    "jsonata_expr",
    "map_change_context",
    "writes_context",
]

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
GLOBAL_NOTE = (
    "global context is kept per workflow in AURA: flows (tabs) that shared it need a "
    "sub-workflow or workflow variables"
)
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
