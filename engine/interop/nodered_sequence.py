"""Node-RED's timing and sequence nodes → AURA: ``trigger``, ``batch`` and ``join``.

In AURA the messages of one run are one sequence (the items), so:

* ``trigger`` becomes a short chain: the first message at once (a Limit or an Edit Fields
  node run once), and, after a Delay, the second message once (:func:`trigger_chain`).
* ``batch`` in count mode becomes a Batch node tagging each message with ``msg.parts``
  (``{id, index, count}`` of its group, overlapping groups repeat messages); by time or
  by concatenating sequences it is a pass-through.
* ``join`` becomes a Batch node grouping the messages (every N parts, up to a message
  with ``msg.complete``, or per ``msg.parts.id`` in automatic mode), followed by an Edit
  Fields node building what Node-RED joined: a list, text, a key/value object or a merged
  object (:func:`join_message`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from engine.graph import NodeDef
from engine.interop._build import Draft, clean_name
from engine.interop._mapping import MapContext, Mapped, Unmappable
from engine.interop.nodered_values import typed_value

__all__ = ["SEQUENCE_MAPPERS", "Chain", "join_message", "trigger_chain"]

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
TRIGGER_UNITS = {"ms": 0.001, "s": 1.0, "min": 60.0, "hr": 3600.0}
_HELD_BACK = (
    "Node-RED held an incomplete last group back until more messages came; an AURA run "
    "ends, so its messages are dropped"
)


def _int(cx: MapContext, key: str, default: int = 0) -> int:
    raw = str(cx.get(key, default) or default).strip()
    try:
        return int(float(raw))
    except ValueError:
        raise Unmappable(f"'{key}' ({raw}) is not a number") from None


def trigger_seconds(cx: MapContext) -> float:
    try:
        duration = float(cx.get("duration", 250) or 0)
    except ValueError:
        raise Unmappable(f"the duration '{cx.get('duration')}' is not a number") from None
    if duration <= 0:
        raise Unmappable("waiting to be reset (a duration of 0)")
    return duration * TRIGGER_UNITS.get(str(cx.get("units", "ms")), 0.001)


def map_trigger(cx: MapContext) -> Mapped:
    """The trigger node itself: a Delay when it only sends the second message, else a
    pass-through; :func:`trigger_chain` adds the nodes that send its messages."""
    op1, op2 = str(cx.get("op1type", "str")), str(cx.get("op2type", "str"))
    if op1 == "nul" and op2 == "nul":
        raise Unmappable("it sends nothing (both messages are 'nothing')")
    if str(cx.get("bytopic", "all")) == "topic":
        cx.note("Node-RED kept one timer per msg.topic; AURA waits once per run")
    if op2 == "nul":
        cx.note(
            "Node-RED sent the message again only once the timer ran out (or on a reset); "
            "AURA sends it once per run"
        )
        return Mapped("core.noop", {})
    seconds = trigger_seconds(cx)
    carry = "Node-RED's timer carries over from message to message (extend, reset); "
    if op1 == "nul":
        cx.note(carry + f"in AURA each run waits {seconds:g} s and then sends the second message")
        return Mapped("core.delay", {"mode": "delay", "seconds": seconds})
    cx.note(
        carry + f"in AURA each run sends the first message at once, waits {seconds:g} s "
        "and sends the second message once"
    )
    return Mapped("core.noop", {})


@dataclass
class Chain:
    """The nodes after a mapped node, the edges between them (source, target), and for
    each of the source node's outputs the AURA nodes whose output carries it."""

    nodes: list[Draft] = field(default_factory=list)
    edges: list[tuple[str, str]] = field(default_factory=list)
    outputs: list[list[str]] = field(default_factory=list)


def _after(d: Draft, name: str, node_type: str, params: dict[str, Any], dx: float) -> Draft:
    x, y = d.node.position
    return Draft(
        NodeDef(name=name, type=node_type, parameters=params, position=(x + dx, y)),
        Mapped(node_type),
        d.report,
    )


def _message(d: Draft, name: str, kind: str, value: Any, dx: float) -> Draft:
    """A node sending one message per run: the first ('pay') or latest ('payl') message
    as it came, or the message with ``value`` in msg.payload."""
    if kind in ("pay", "payl"):
        keep = "first" if kind == "pay" else "last"
        return _after(d, name, "core.limit", {"max_items": 1, "keep": keep}, dx)
    cx = MapContext({}, js_expressions=False)
    try:
        payload = typed_value(cx, value, kind, "op")
    except Unmappable as exc:
        payload = None
        d.report.notes.append(f"what '{name}' sends was not carried over: {exc}")
    d.report.expressions += cx.expressions
    msg = _after(d, name, "core.set", {"assignments": [{"name": "payload", "value": payload}]}, dx)
    msg.node.execute_once = True
    return msg


def trigger_chain(raw: dict[str, Any], d: Draft, taken: set[str]) -> Chain:
    """The nodes sending a mapped trigger's messages. One message: the node after the
    trigger (a pass-through, or the Delay). Two: the first after the pass-through, and a
    Delay, then the second; both on the trigger's output (or its two outputs)."""
    op1, op2 = str(raw.get("op1type", "str")), str(raw.get("op2type", "str"))
    name, chain = d.node.name, Chain()
    if op1 != "nul":
        first = _message(d, clean_name(f"{name} sends", taken), op1, raw.get("op1", ""), 180)
        chain.nodes.append(first)
        chain.edges.append((name, first.node.name))
        chain.outputs.append([first.node.name])
    else:
        chain.outputs.append([])
    if op2 != "nul":
        then = clean_name(f"{name} then sends" if op1 != "nul" else f"{name} sends", taken)
        waits = name
        if op1 != "nul":
            delay = _after(d, clean_name(f"{name} waits", taken), "core.delay", {}, 180)
            delay.node.position = (delay.node.position[0], delay.node.position[1] + 100)
            delay.node.parameters = {"mode": "delay", "seconds": trigger_seconds(MapContext(raw))}
            chain.nodes.append(delay)
            chain.edges.append((name, delay.node.name))
            waits = delay.node.name
        second = _message(d, then, op2, raw.get("op2", ""), 360)
        chain.nodes.append(second)
        chain.edges.append((waits, second.node.name))
        if str(raw.get("outputs", 1)) == "2":
            chain.outputs.append([second.node.name])
        else:
            chain.outputs[0].append(second.node.name)
    sent = ", then ".join(f"'{n.node.name}'" for n in chain.nodes)
    d.report.info.append(f"the nodes after it send its messages: {sent}")
    return chain


def map_batch(cx: MapContext) -> Mapped:
    """Count mode → a Batch node tagging messages with msg.parts; by time or by
    concatenating sequences: a pass-through (a run's items already are one sequence)."""
    mode = str(cx.get("mode", "count"))
    if mode == "count":
        size, overlap = _int(cx, "count", 1), _int(cx, "overlap", 0)
        if size < 1 or not 0 <= overlap < size:
            raise Unmappable(f"groups of {size} overlapping by {overlap}")
        cx.info(
            "each message goes on with msg.parts ({id, index, count} of its group), so a "
            "join in automatic mode joins each group"
            + ("; messages in an overlap are sent once per group" if overlap else "")
        )
        cx.note(_HELD_BACK)
        return Mapped(
            "core.batch",
            {
                "mode": "count",
                "size": size,
                "overlap": overlap,
                "partial": "drop",
                "output": "items",
                "destination_field": "parts",
            },
        )
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
    """A Batch node grouping the messages as Node-RED's join does (manual: every N
    parts, up to msg.complete, else the whole run; automatic: per msg.parts.id)."""
    mode = str(cx.get("mode", "auto"))
    if mode == "reduce":
        raise Unmappable("reduce mode (a JSONata reduction)")
    if cx.get("propertyType", "msg") != "msg":
        raise Unmappable(f"joining {cx.get('propertyType')} values")
    build = str(cx.get("build", "array")) if mode == "custom" else "array"
    if build not in ("array", "string", "object", "merged"):
        raise Unmappable(f"joining into a {build}")
    prop = str(cx.get("property", "payload") or "")
    _at("m", prop or "payload")
    group = {"output": "batches", "destination_field": "parts"}
    if mode != "custom":
        cx.info(
            "messages are joined per msg.parts.id (the groups of a batch node); messages "
            "without it, e.g. from a split, are joined as one sequence: the whole run"
        )
        return Mapped("core.batch", {"mode": "field", "field": "parts.id", **group})
    count = _int(cx, "count", 0)
    timeout = str(cx.get("timeout", "") or "").strip()
    accumulate = cx.get("accumulate") in (True, "true")
    if count and build in ("object", "merged"):
        cx.note(
            "Node-RED counted the keys of the object being built, AURA counts messages "
            "(the same when each message adds one key)"
        )
    if count and not timeout and not accumulate:
        cx.note(_HELD_BACK)
    if timeout:
        cx.info(f"Node-RED also sent what it had after {timeout} s; an AURA run ends sooner")
    if accumulate:
        cx.note("'keep accumulating' lasts one run in AURA: each run starts afresh")
    cx.info("a message with msg.complete ends its group, as in Node-RED")
    return Mapped(
        "core.batch",
        {
            "mode": "count",
            "size": max(0, count),
            "accumulate": accumulate,
            "end_field": "complete",
            "partial": "drop" if count and not timeout else "send",
            **group,
        },
    )


def join_message(raw: dict[str, Any]) -> list[dict[str, Any]]:
    """What the Edit Fields node after a mapped join sets, from the group in
    ``$json.parts`` (the messages as they came)."""
    mode, prop = str(raw.get("mode", "auto")), str(raw.get("property", "payload") or "")
    build = str(raw.get("build", "array")) if mode == "custom" else "array"
    value = _at("m", prop) if prop else "m"
    if build == "string":
        joiner = str(raw.get("joiner", "\\n"))
        joiner = joiner.replace("\\n", "\n").replace("\\t", "\t").replace("\\r", "\r")
        text = f"[{value} for m in $json.parts].join({json.dumps(joiner, ensure_ascii=False)})"
        return [{"name": prop or "payload", "value": "{{ " + text + " }}"}]
    if build == "object":
        key = _at("m", str(raw.get("key", "topic") or "topic"))
        expr = "{" + key + ": " + value + " for m in $json.parts}"
    elif build == "merged":
        expr = f"{{k: v for m in $json.parts if is_object({value}) for k, v in {value}.items()}}"
    else:
        expr = f"[{value} for m in $json.parts]" if prop else "$json.parts"
    return [{"name": prop or "payload", "value": "{{ " + expr + " }}"}]


SEQUENCE_MAPPERS: dict[str, Callable[[MapContext], Mapped]] = {
    "trigger": map_trigger,
    "batch": map_batch,
    "join": map_join,
}
