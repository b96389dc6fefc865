"""Exporting an AURA workflow as n8n JSON, for the nodes that map back.

Placeholders give back the original n8n node unchanged; AURA nodes with an n8n twin
are written in that twin's current shape (Set v3.4, IF v2.2, Switch v3.2, Merge v3,
HTTP Request v4.2 ...). A workflow with a node that has no n8n twin is refused with the
list of such nodes. Expressions are written as ``={{ ... }}``; AURA-only syntax in them
(``a if c else b``, comprehensions) is listed in the result's ``notes``.
"""

from __future__ import annotations

from typing import Any

from engine.errors import WorkflowValidationError
from engine.graph import NodeDef, Workflow
from engine.interop._export_ai import export_agent
from engine.interop._export_nodes import EXPORTERS
from engine.interop._export_nodes import code_js_params as _code_js
from engine.interop.report import strip_import_lines

__all__ = ["export_n8n"]

_JS_FUNCS = {
    "$",
    "$node",
    "$if",
    "$ifEmpty",
    "$items",
    "parseInt",
    "parseFloat",
    "Number",
    "String",
    "Boolean",
    "encodeURIComponent",
    "decodeURIComponent",
}
_AURA_METHODS = {
    "regex_replace",
    "regex_match",
    "regex_find_all",
    "regex_split",
    "format",
    "to_timezone",
    "title",
    "to_millis",
    "iso",
    "item_at",
    "all_matching",
}


def _uses_aura_only(node: Any) -> bool:
    if isinstance(node, list):
        return any(_uses_aura_only(x) for x in node)
    if not isinstance(node, tuple) or not node:
        return False
    if node[0] == "call" and node[1][0] == "name" and node[1][1] not in _JS_FUNCS:
        return True
    if node[0] == "call" and node[1][0] == "member" and node[1][2] in _AURA_METHODS:
        return True
    return any(_uses_aura_only(x) for x in node[1:] if isinstance(x, tuple | list))


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _not_javascript(value: Any) -> bool:
    """True if an expression in ``value`` uses AURA syntax or helpers n8n cannot read."""
    from engine.errors import ExpressionError
    from engine.expressions._tokenize import split_template
    from engine.interop._jsparse import Untranslatable, parse_js

    for text in _strings(value):
        if "{{" not in text:
            continue
        try:
            parts = split_template(text)
        except ExpressionError:  # JavaScript the importer kept verbatim: n8n reads it
            parts = []
        for is_expr, part in parts:
            try:
                if is_expr and _uses_aura_only(parse_js(part)):
                    return True
            except Untranslatable:
                return True
    return False


def _ports(node: NodeDef) -> dict[str, int]:
    """AURA output port → n8n output index (the error output comes after the others)."""
    from engine.sdk import get_catalog

    spec = get_catalog().get(node.type, node.type_version)
    names = [p.name for p in spec.output_ports(node.parameters)]
    if node.type == "core.loop_over_items":
        names = ["done", "loop"]
    return {**{name: i for i, name in enumerate(names)}, "error": len(names)}


def _notes(node: NodeDef) -> str:
    """The node's notes without the line the importer added (placeholders, notes)."""
    if node.type == "core.placeholder" and node.notes.startswith("Imported from "):
        return node.notes.partition("\n")[2]
    return strip_import_lines(node.notes)


def _settings(wf: Workflow) -> dict[str, Any]:
    s = wf.settings
    out: dict[str, Any] = {
        "executionOrder": "v1",
        "timezone": s.timezone,
        "saveDataSuccessExecution": s.save_data_success,
        "saveDataErrorExecution": s.save_data_error,
        "saveManualExecutions": s.save_manual,
        "callerPolicy": {"same_project": "workflowsFromSameOwner"}.get(s.callers, s.callers),
    }
    if s.timeout_s:
        out["executionTimeout"] = int(s.timeout_s)
    return out


def _inline_loops(wf: Workflow) -> Workflow:
    """A copy of ``wf`` where each Loop Over Items with an embedded body has the body's
    nodes back on the canvas, drawn as n8n draws its loop: output 1 → body → loop node."""
    loops = [
        n
        for n in wf.nodes
        if n.type == "core.loop_over_items"
        and n.parameters.get("source") == "json"
        and isinstance(n.parameters.get("workflow_json"), dict)
    ]
    if not loops:
        return wf
    from engine.graph import Connection, load_workflow

    out = wf.model_copy(deep=True)
    for loop in loops:
        body = load_workflow(loop.parameters["workflow_json"], what="loop body")
        starts = {n.name for n in body.nodes if n.type == "core.workflow_trigger"}
        names = {n.name for n in body.nodes} - starts
        if names & set(out.node_names()):
            continue  # a name clash: leave the loop embedded (exported as a placeholder)
        out.nodes.extend(n for n in body.nodes if n.name in names)
        for c in body.connections:
            if c.source in starts:
                out.connections.append(
                    Connection(source=loop.name, output="loop", target=c.target, input=c.input)
                )
            elif c.target in names:
                out.connections.append(c)
        sinks = [n for n in names if not any(c.source == n for c in body.connections)]
        out.connections.extend(Connection(source=n, target=loop.name) for n in sinks)
        out.pinned_data.update(body.pinned_data)
        out.node(loop.name).parameters = {"batch_size": loop.parameters.get("batch_size", 10)}
    return out


def export_n8n(wf: Workflow) -> dict[str, Any]:
    """The n8n JSON of ``wf``.

    Raises:
        WorkflowValidationError: some nodes have no n8n equivalent (listed in details).
    """
    wf = _inline_loops(wf)
    missing = [
        n.name
        for n in wf.nodes
        if n.type not in EXPORTERS
        and n.type not in ("core.placeholder", "core.code_js", "ai.agent")
    ]
    if missing:
        raise WorkflowValidationError(
            f"{len(missing)} node(s) have no n8n equivalent: {', '.join(missing[:10])}. "
            "Replace them, or export as AURA JSON.",
            details=[{"node": m} for m in missing],
        )
    nodes, notes = [], []
    ai_links: list[tuple[str, str, str]] = [
        (str(x.get("source")), str(x.get("kind")), str(x.get("target")))
        for x in (wf.meta.get("interop") or {}).get("links") or []
        if isinstance(x, dict)
    ]
    for n in wf.nodes:
        if n.type == "core.placeholder":
            p = n.parameters
            t, v, params = (
                p.get("original_type", ""),
                p.get("original_version") or 1,
                p.get("original_parameters") or {},
            )
        elif n.type == "core.code_js" and n.parameters.get("style") == "node_red":
            raise WorkflowValidationError(
                f"'{n.name}' is Node-RED style JavaScript, which n8n does not run: switch "
                "it to n8n style first.",
                details=[{"node": n.name}],
            )
        elif n.type == "core.code_js":
            t, v, params = "n8n-nodes-base.code", 2, _code_js(n.parameters)
        elif n.type == "ai.agent":
            params, subs, links = export_agent(n, {x.name for x in wf.nodes})
            t, v = "@n8n/n8n-nodes-langchain.agent", 1.7
            nodes.extend(subs)
            ai_links.extend(links)
        else:
            t, v, params = EXPORTERS[n.type](n.parameters)
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
        if _notes(n):
            entry["notes"] = _notes(n)
        if n.execute_once:
            entry["executeOnce"] = True
        if n.always_output_data:
            entry["alwaysOutputData"] = True
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
        if n.type != "core.placeholder" and _not_javascript(n.parameters):
            notes.append(
                f"'{n.name}' uses AURA expression syntax n8n does not read; check its expressions"
            )
        nodes.append(entry)
    by_name = {n.name: n for n in wf.nodes}
    conns: dict[str, Any] = {}
    for c in wf.connections:
        src = by_name[c.source]
        index = _ports(src).get(c.output, 0)
        dst_index = 1 if c.input == "input2" else 0
        outs = conns.setdefault(c.source, {}).setdefault("main", [])
        while len(outs) <= index:
            outs.append([])
        outs[index].append({"node": c.target, "type": "main", "index": dst_index})
    for source, kind, target in ai_links:
        conns.setdefault(source, {}).setdefault(kind, [[]])[0].append(
            {"node": target, "type": kind, "index": 0}
        )
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
        "settings": _settings(wf),
        "tags": [{"name": t} for t in wf.tags],
        "meta": {"exportedFrom": "aura", "notes": notes},
    }
