"""Exporting an AURA workflow as n8n JSON, for the nodes that map back.

Placeholders give back the original n8n node unchanged; AURA nodes with an n8n twin
are written in that twin's current shape (Set v3.4, IF v2.2, Switch v3.2, Merge v3,
HTTP Request v4.2 ...). A workflow with a node that has no n8n twin is refused with the
list of such nodes. Expressions are written as ``={{ ... }}``; AURA-only syntax in them
(``a if c else b``, comprehensions) is listed in the result's ``notes``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from engine.errors import WorkflowValidationError
from engine.graph import NodeDef, Workflow

__all__ = ["export_n8n"]

_PY_ONLY = re.compile(r"\{\{[^}]*\b(if .* else|for \w+ in|not |and|or)\b")


def _x(value: Any) -> Any:
    """An AURA value as an n8n value: templates get '=', escaped braces are restored."""
    if isinstance(value, dict):
        return {k: _x(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_x(v) for v in value]
    if isinstance(value, str):
        if "{{" in value.replace("\\{{", ""):
            return "=" + value
        return value.replace("\\{{", "{{")
    return value


def _cond(c: dict[str, Any], i: int) -> dict[str, Any]:
    t = {"date": "dateTime"}.get(c.get("type", "string"), c.get("type", "string"))
    op = str(c.get("operation", "equals"))
    camel = (
        re.sub(r"_([a-z])", lambda m: m.group(1).upper(), op)
        .replace("isEmpty", "empty")
        .replace("isNotEmpty", "notEmpty")
        .replace("isTrue", "true")
        .replace("isFalse", "false")
    )
    camel = {"eq": "equals", "ne": "notEquals"}.get(camel, camel)
    return {
        "id": f"c{i}",
        "leftValue": _x(c.get("left", "")),
        "rightValue": _x(c.get("right", "")),
        "operator": {"type": t, "operation": camel},
    }


def _group(p: dict[str, Any]) -> dict[str, Any]:
    return {
        "options": {
            "caseSensitive": p.get("case_sensitive", True),
            "typeValidation": "loose" if p.get("loose_type_validation") else "strict",
        },
        "combinator": p.get("combinator", "and"),
        "conditions": [_cond(c, i) for i, c in enumerate(p.get("conditions") or [])],
    }


def _set(p: dict[str, Any]) -> tuple[str, float, dict[str, Any]]:
    out: dict[str, Any] = {
        "assignments": {
            "assignments": [
                {
                    "id": f"a{i}",
                    "name": a.get("name", ""),
                    "value": _x(a.get("value")),
                    "type": a.get("type", "string")
                    if a.get("type", "auto") != "auto"
                    else "string",
                }
                for i, a in enumerate(p.get("assignments") or [])
            ]
        },
        "options": {},
    }
    keep = p.get("keep", "all")
    if keep != "none":
        out["includeOtherFields"] = True
        if keep in ("selected", "except"):
            out["include"] = keep
            out["includeFields" if keep == "selected" else "excludeFields"] = ",".join(
                p.get("fields") or []
            )
    if p.get("mode") == "json":
        out = {"mode": "raw", "jsonOutput": _x(p.get("json_value")), "options": {}}
    return "n8n-nodes-base.set", 3.4, out


def _http(p: dict[str, Any]) -> tuple[str, float, dict[str, Any]]:
    out: dict[str, Any] = {
        "method": p.get("method", "GET"),
        "url": _x(p.get("url", "")),
        "options": {},
    }
    if p.get("query"):
        out["sendQuery"] = True
        out["queryParameters"] = {"parameters": _x(p["query"])}
    if p.get("headers"):
        out["sendHeaders"] = True
        out["headerParameters"] = {"parameters": _x(p["headers"])}
    body = p.get("body_type", "none")
    if body != "none":
        out["sendBody"] = True
        out["contentType"] = {
            "json": "json",
            "form_urlencoded": "form-urlencoded",
            "multipart": "multipart-form-data",
            "raw": "raw",
            "binary": "binaryData",
        }[body]
        if p.get("json_body") is not None:
            out["specifyBody"] = "json"
            out["jsonBody"] = _x(p["json_body"])
        elif body == "raw":
            out["body"] = _x(p.get("raw_body", ""))
        else:
            out["bodyParameters"] = {"parameters": _x(p.get("body_fields") or [])}
    return "n8n-nodes-base.httpRequest", 4.2, out


def _simple(
    n8n_type: str, version: float, conv: Callable[[dict[str, Any]], dict[str, Any]]
) -> Callable[[dict[str, Any]], tuple[str, float, dict[str, Any]]]:
    return lambda p: (n8n_type, version, conv(p))


_MERGE = {
    "append": {"mode": "append"},
    "combine_by_position": {"mode": "combine", "combineBy": "combineByPosition"},
    "combine_all": {"mode": "combine", "combineBy": "combineAll"},
    "choose_branch": {"mode": "chooseBranch"},
}
_JOIN = {
    "inner": "keepMatches",
    "keep_non_matches": "keepNonMatches",
    "outer": "keepEverything",
    "left": "enrichInput1",
    "right": "enrichInput2",
}


def _merge(p: dict[str, Any]) -> dict[str, Any]:
    mode = p.get("mode", "append")
    if mode == "combine_by_fields":
        return {
            "mode": "combine",
            "advanced": True,
            "mergeByFields": {"values": p.get("match_fields") or []},
            "joinMode": _JOIN[p.get("join", "inner")],
            "options": {},
        }
    return {**_MERGE[mode], "options": {}}


_EXPORTERS: dict[str, Callable[[dict[str, Any]], tuple[str, float, dict[str, Any]]]] = {
    "core.manual_trigger": _simple("n8n-nodes-base.manualTrigger", 1, lambda p: {}),
    "core.noop": _simple("n8n-nodes-base.noOp", 1, lambda p: {}),
    "core.error_trigger": _simple("n8n-nodes-base.errorTrigger", 1, lambda p: {}),
    "core.set": _set,
    "core.http_request": _http,
    "core.if": _simple(
        "n8n-nodes-base.if", 2.2, lambda p: {"conditions": _group(p), "options": {}}
    ),
    "core.filter": _simple(
        "n8n-nodes-base.filter", 2.2, lambda p: {"conditions": _group(p), "options": {}}
    ),
    "core.switch": _simple(
        "n8n-nodes-base.switch",
        3.2,
        lambda p: {
            "rules": {
                "values": [
                    {
                        "conditions": _group(r),
                        **(
                            {"renameOutput": True, "outputKey": r["output_name"]}
                            if r.get("output_name")
                            else {}
                        ),
                    }
                    for r in p.get("rules") or []
                ]
            },
            "options": {}
            if p.get("fallback_output", "none") == "none"
            else {"fallbackOutput": p["fallback_output"]},
        },
    ),
    "core.merge": _simple("n8n-nodes-base.merge", 3, _merge),
    "core.split_out": _simple(
        "n8n-nodes-base.splitOut",
        1,
        lambda p: {"fieldToSplitOut": ",".join(p.get("field") or []), "options": {}},
    ),
    "core.limit": _simple(
        "n8n-nodes-base.limit",
        1,
        lambda p: {
            "maxItems": p.get("max_items", 1),
            "keep": "lastItems" if p.get("keep") == "last" else "firstItems",
        },
    ),
    "core.wait": _simple(
        "n8n-nodes-base.wait",
        1.1,
        lambda p: {"amount": _x(p.get("amount", 1)), "unit": p.get("unit", "seconds")},
    ),
    "core.stop_and_error": _simple(
        "n8n-nodes-base.stopAndError", 1, lambda p: {"errorMessage": _x(p.get("message", ""))}
    ),
    "core.respond_to_webhook": _simple(
        "n8n-nodes-base.respondToWebhook",
        1.1,
        lambda p: {
            "respondWith": {
                "first_item_json": "firstIncomingItem",
                "all_items": "allIncomingItems",
                "json": "json",
                "text": "text",
                "no_data": "noData",
                "redirect": "redirect",
                "binary": "binary",
            }[p.get("respond_with", "first_item_json")],
            "responseBody": _x(p.get("response_body") or p.get("response_json") or ""),
            "options": {},
        },
    ),
    "core.webhook_trigger": _simple(
        "n8n-nodes-base.webhook",
        2,
        lambda p: {
            "httpMethod": p.get("http_method", "GET"),
            "path": p.get("path", ""),
            "responseMode": {
                "immediately": "onReceived",
                "last_node": "lastNode",
                "respond_node": "responseNode",
            }[p.get("response_mode", "immediately")],
            "options": {},
        },
    ),
}


def _ports(node: NodeDef, params: dict[str, Any]) -> dict[str, int]:
    if node.type == "core.if":
        return {"true": 0, "false": 1, "error": 2}
    if node.type == "core.switch":
        n = len(params.get("rules") or [])
        return {**{f"output_{i}": i for i in range(n)}, "fallback": n}
    if node.type == "core.placeholder":
        names = params.get("outputs") or ["main"]
        return {name: i for i, name in enumerate(names)}
    return {"main": 0, "error": 1}


def export_n8n(wf: Workflow) -> dict[str, Any]:
    """The n8n JSON of ``wf``.

    Raises:
        WorkflowValidationError: some nodes have no n8n equivalent (listed in details).
    """
    missing = [
        n.name for n in wf.nodes if n.type not in _EXPORTERS and n.type != "core.placeholder"
    ]
    if missing:
        raise WorkflowValidationError(
            f"{len(missing)} node(s) have no n8n equivalent: {', '.join(missing[:10])}. "
            "Replace them, or export as AURA JSON.",
            details=[{"node": m} for m in missing],
        )
    nodes, notes = [], []
    for n in wf.nodes:
        if n.type == "core.placeholder":
            p = n.parameters
            t, v, params = (
                p.get("original_type", ""),
                p.get("original_version") or 1,
                p.get("original_parameters") or {},
            )
        else:
            t, v, params = _EXPORTERS[n.type](n.parameters)
        entry: dict[str, Any] = {
            "id": n.id,
            "name": n.name,
            "type": t,
            "typeVersion": v,
            "position": [n.position[0], n.position[1]],
            "parameters": params,
        }
        if n.disabled and n.type != "core.placeholder":
            entry["disabled"] = True
        if n.notes and n.type != "core.placeholder":
            entry["notes"] = n.notes
        if n.retry.enabled:
            entry.update(
                retryOnFail=True,
                maxTries=n.retry.max_tries,
                waitBetweenTries=int(n.retry.wait_s * 1000),
            )
        if n.on_error != "stop":
            entry["onError"] = (
                "continueErrorOutput" if n.on_error == "route" else "continueRegularOutput"
            )
        if _PY_ONLY.search(str(params)):
            notes.append(
                f"'{n.name}' uses AURA expression syntax n8n does not read; check its expressions"
            )
        nodes.append(entry)
    by_name = {n.name: n for n in wf.nodes}
    conns: dict[str, Any] = {}
    for c in wf.connections:
        src = by_name[c.source]
        index = _ports(src, src.parameters).get(c.output, 0)
        dst_index = 1 if c.input == "input2" else 0
        outs = conns.setdefault(c.source, {"main": []})["main"]
        while len(outs) <= index:
            outs.append([])
        outs[index].append({"node": c.target, "type": "main", "index": dst_index})
    for note in wf.sticky_notes:
        nodes.append(
            {
                "id": note.id,
                "name": f"Sticky Note {note.id[:6]}",
                "type": "n8n-nodes-base.stickyNote",
                "typeVersion": 1,
                "position": list(note.position),
                "parameters": {
                    "content": note.content,
                    "width": note.size[0],
                    "height": note.size[1],
                },
            }
        )
    pins = {k: v for k, v in wf.pinned_data.items()}
    return {
        "name": wf.name,
        "nodes": nodes,
        "connections": conns,
        "pinData": pins,
        "settings": {"executionOrder": "v1", "timezone": wf.settings.timezone},
        "meta": {"exportedFrom": "aura", "notes": notes},
    }
