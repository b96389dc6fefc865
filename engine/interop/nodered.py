"""Importing Node-RED flows: one AURA workflow per tab, subflows as sub-workflows.

Wires by output index become connections; ``inject`` becomes a Manual or Schedule
Trigger followed by an Edit Fields node setting the injected ``payload``/``topic``;
``link out`` → ``link in`` (and ``link call`` → subroutine → return) become direct
connections; ``comment`` becomes a canvas note; a subflow instance runs the subflow,
embedded, with an Execute Workflow node. Config nodes (brokers, TLS, listeners) have no
place in a flow: they are listed in ``meta.interop.config_nodes``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from engine.graph import NodeDef, StickyNote, Workflow
from engine.interop._build import (
    Draft,
    Edge,
    break_cycles,
    clean_name,
    finish_node,
    resolve_edges,
    settle_status,
)
from engine.interop._mapping import MapContext, Mapped, Unmappable
from engine.interop.nodered_nodes import MAPPERS
from engine.interop.nodered_sequence import SEQUENCE_MAPPERS, join_message, trigger_chain
from engine.interop.nodered_values import typed_value
from engine.interop.report import NodeReport, WorkflowReport
from engine.sdk.catalog import Catalog

__all__ = ["import_node_red", "looks_like_node_red"]

_SKIP = {"tab", "subflow", "group", "comment"}
_NETWORK = {
    "tcp in",
    "tcp out",
    "tcp request",
    "udp in",
    "udp out",
    "websocket in",
    "websocket out",
    "mqtt in",
    "mqtt out",
    "exec",
    "file",
    "file in",
    "watch",
    "serial in",
    "serial out",
}


_MAPPERS = MAPPERS | SEQUENCE_MAPPERS


def looks_like_node_red(data: Any) -> bool:
    """A Node-RED export: a list of objects with ``id`` and ``type``."""
    return (
        isinstance(data, list)
        and bool(data)
        and all(isinstance(n, dict) and "id" in n and "type" in n for n in data)
    )


def _inject(raw: dict[str, Any], name: str, catalog: Catalog) -> tuple[Draft, Draft | None]:
    """The trigger for an inject node, and an Edit Fields node for what it injects."""
    rep = NodeReport(name=name, source_type="inject", source_version=None)
    cx = MapContext(raw, js_expressions=False)
    repeat, cron = str(raw.get("repeat", "") or ""), str(raw.get("crontab", "") or "")

    def trigger(cx: MapContext) -> Mapped:
        if cron:
            return Mapped(
                "core.schedule_trigger",
                {"rules": [{"interval": "cron", "cron_expression": cron}]},
                inputs=[],
            )
        if repeat:
            return Mapped(
                "core.schedule_trigger",
                {"rules": [{"interval": "seconds", "every": max(1, round(float(repeat)))}]},
                inputs=[],
            )
        if raw.get("once"):
            cx.note("'inject once at start' becomes a manual trigger: run it, or add a schedule")
        return Mapped("core.manual_trigger", {}, inputs=[])

    mapped = finish_node(catalog, "inject", None, raw, cx, trigger, rep)
    props = raw.get("props") or [{"p": "payload"}, {"p": "topic", "vt": "str"}]
    assignments, set_cx = [], MapContext(raw, js_expressions=False)
    for i, prop in enumerate(props):
        key = prop.get("p", "payload")
        if key == "payload":
            v = raw.get("payload", prop.get("v", ""))
            t = raw.get("payloadType", prop.get("vt")) or "date"  # Node-RED's default
        elif key == "topic":
            v, t = raw.get("topic", prop.get("v", "")), "str"
        else:
            v, t = prop.get("v", ""), prop.get("vt", "str")
        if t == "date" and key == "payload" and v in ("", None):
            v = "timestamp"
        if v in ("", None) and t in ("str", "string", None):
            continue
        try:
            assignments.append(
                {"name": key, "value": typed_value(set_cx, v, t or "str", f"props[{i}]")}
            )
        except Unmappable as exc:
            rep.notes.append(f"'{key}' was not injected: {exc}")
    rep.expressions = cx.expressions + set_cx.expressions
    settle_status(rep)
    pos = (float(raw.get("x", 0)), float(raw.get("y", 0)))
    first = Draft(
        NodeDef(name=name, type=mapped.type, parameters=mapped.params, position=pos), mapped, rep
    )
    if not assignments:
        return first, None
    rep.info.append(f"what it injects is set by the next node, '{name} payload'")
    settle_status(rep)
    msg = _companion(first, f"{name} payload", assignments)
    msg.node.parameters["keep"] = "none"  # an inject starts a new message
    return first, msg


def _companion(first: Draft, name: str, assignments: list[dict[str, Any]]) -> Draft:
    """An Edit Fields node right after ``first`` that builds the Node-RED message."""
    pos = first.node.position
    return Draft(
        NodeDef(
            name=name,
            type="core.set",
            parameters={"assignments": assignments},
            position=(pos[0] + 180, pos[1]),
        ),
        Mapped("core.set"),
        first.report,
    )


def _http_in_msg(first: Draft) -> Draft:
    """After a webhook: ``msg.payload`` (the query for GET, else the body) and ``msg.req``
    (headers, params, query, body), as Node-RED's http in node gives them."""
    method = first.node.parameters.get("http_method", "GET")
    payload = "{{ $json.query }}" if method == "GET" else "{{ $json.body }}"
    req = (
        '{{ {"headers": $json.headers, "params": $json.params, "query": $json.query, '
        '"body": $json.body, "method": $json.method} }}'
    )
    first.report.info.append(
        f"the next node, '{first.node.name} msg', sets msg.payload and msg.req like Node-RED"
    )
    return _companion(
        first,
        f"{first.node.name} msg",
        [{"name": "payload", "value": payload}, {"name": "req", "value": req}],
    )


_SPLIT_TEXT = "{{ $json.payload.split(%s) if is_string($json.payload) else $json.payload }}"


def _companions(raw: dict[str, Any], d: Draft) -> list[tuple[bool, Draft]]:
    """Nodes added before (True) or after (False) a mapped node so the msg model holds:
    CSV rows in msg.payload, text split like Node-RED, msg.payload/msg.req after http in."""
    t, p, name = d.node.type, d.node.parameters, d.node.name
    out: list[tuple[bool, Draft]] = []
    made = d.report.status != "not_supported"
    if raw.get("type") == "join" and made:
        msg = _companion(d, f"{name} msg", join_message(raw))
        msg.node.parameters["keep"] = "none"  # a new message: only what was joined
        d.report.info.append(f"the next node, '{name} msg', builds what Node-RED joined")
        settle_status(d.report)
        out.append((False, msg))
    elif t == "core.csv" and p.get("operation") == "build":
        rows = _companion(d, f"{name} rows", [])
        rows.node.type, rows.node.parameters = "core.split_out", {"field": ["payload"]}
        rows.mapped = Mapped("core.split_out")
        d.report.info.append(
            f"'{name} rows' before it turns the list in msg.payload into one item per row"
        )
        out.append((True, rows))
    elif t == "core.csv":
        msg = _companion(d, f"{name} msg", [{"name": "payload", "value": "{{ $json }}"}])
        msg.node.parameters["keep"] = "none"
        d.report.info.append(
            f"'{name} msg' after it puts each row in msg.payload, as Node-RED does"
        )
        out.append((False, msg))
    elif t == "core.split_out" and raw.get("type") == "split":
        if raw.get("spltType", "str") != "str":
            d.report.notes.append("text is split at a separator only (not by length)")
        raw_sep = str(raw.get("splt", "\\n"))
        sep = json.dumps(raw_sep.replace("\\n", "\n").replace("\\t", "\t").replace("\\r", "\r"))
        parts = _companion(d, f"{name} parts", [{"name": "payload", "value": _SPLIT_TEXT % sep}])
        d.report.info.append(f"'{name} parts' before it splits text at {sep}")
        out.append((True, parts))
    elif t == "core.webhook_trigger":
        out.append((False, _http_in_msg(d)))
    elif t == "core.xml" and p.get("operation") == "build":
        field = str(p.get("field", "payload"))
        value = (
            '{{ $json.%s if is_object($json.%s) and len($json.%s) == 1 else {"root": $json.%s} }}'
        ) % ((field,) * 4)
        root = _companion(d, f"{name} root", [{"name": field, "value": value}])
        d.report.info.append(
            f"'{name} root' before it wraps data with several keys in <root>, as Node-RED does"
        )
        out.append((True, root))
    elif t == "core.html" and raw.get("as") == "multi":
        key = str(raw.get("outproperty") or "payload")
        each = _companion(d, f"{name} each", [])
        each.node.type, each.node.parameters = (
            "core.split_out",
            {"field": [key], "include": "all", "destination": [key]},
        )
        each.mapped = Mapped("core.split_out")
        d.report.info.append(f"'{name} each' after it sends one message per element")
        out.append((False, each))
    for before, extra in out:
        if before:
            x, y = extra.node.position
            extra.node.position = (x - 360, y)
    return out


_OBJECT_MAKERS: dict[str, Callable[[dict[str, Any]], bool]] = {
    "inject": lambda n: n.get("payloadType") == "json",
    "template": lambda n: n.get("output") == "json",
    "change": lambda n: any(r.get("tot") == "json" for r in n.get("rules") or []),
    "json": lambda n: n.get("action") == "obj",
    "http request": lambda n: n.get("ret") == "obj",
}


def _object_inputs(nodes: list[dict[str, Any]]) -> tuple[set[str], set[str]]:
    """Ids of nodes fed by a node that sends objects (JSON) in msg.payload, and of those
    where it is known to be one object, not a list (a JSON text starting with '{')."""
    out: set[str] = set()
    dicts: set[str] = set()
    for n in nodes:
        maker = _OBJECT_MAKERS.get(str(n.get("type")))
        if maker is not None and maker(n):
            text = str(n.get("template") if n.get("type") == "template" else n.get("payload"))
            for targets in n.get("wires") or []:
                out.update(targets or [])
                if text.lstrip().startswith("{"):
                    dicts.update(targets or [])
    return out, dicts


def _draft(
    raw: dict[str, Any],
    name: str,
    catalog: Catalog,
    subflows: dict[str, Any],
    object_input: bool = False,
    dict_input: bool = False,
) -> Draft:
    t = str(raw.get("type", ""))
    params = {
        k: v
        for k, v in raw.items()
        if k not in ("id", "x", "y", "z", "g", "wires", "type", "name", "info", "d")
    }
    rep = NodeReport(name=name, source_type=t)
    cx = MapContext(params, js_expressions=False)
    cx.object_input, cx.dict_input = object_input, dict_input
    cx.installed = frozenset(spec.type for spec in catalog.all())
    mapper = _MAPPERS.get(t)
    if t.startswith("subflow:") and t[8:] in subflows:
        wf = subflows[t[8:]]

        def mapper(cx: MapContext) -> Mapped:
            cx.info("runs the subflow, embedded as a sub-workflow")
            return Mapped(
                "core.execute_workflow",
                {"source": "json", "workflow_json": wf.to_json_dict(), "mode": "each"},
            )
    elif t in _NETWORK:
        rep.notes.append(
            "network, file and process nodes (tcp, udp, websocket, mqtt, exec, "
            "file) have no AURA equivalent yet"
        )
    mapped = finish_node(catalog, t, None, params, cx, mapper, rep)
    rep.expressions = cx.expressions
    nd = NodeDef(
        name=name,
        type=mapped.type,
        parameters=mapped.params,
        position=(float(raw.get("x", 0)), float(raw.get("y", 0))),
        disabled=bool(raw.get("d")),
        notes=str(raw.get("info", ""))[:10_000],
    )
    if rep.status == "not_supported":
        nd.disabled = True
        nd.notes = (f"Imported from Node-RED ({t}): {rep.notes[0]}.\n" + nd.notes)[:10_000]
    settle_status(rep)
    return Draft(nd, mapped, rep)


def _one_flow(
    nodes: list[dict[str, Any]],
    name: str,
    source: str,
    catalog: Catalog,
    subflows: dict[str, Any],
    all_nodes: dict[str, dict[str, Any]],
    entries: list[str] | None = None,
) -> tuple[Workflow, WorkflowReport]:
    """One tab (or subflow, whose input wires to ``entries``) as a workflow."""
    report = WorkflowReport(source=source, format="node-red", name=name[:200])
    taken: set[str] = set()
    drafts: dict[str, Draft] = {}
    out_of: dict[str, str] = {}  # node id -> AURA name its wires leave from
    into: dict[str, str] = {}  # node id -> AURA name its incoming wires go to
    stickies, config = [], []
    inner: list[Edge] = []  # between a node and the nodes added after it
    routes: dict[str, list[list[str]]] = {}  # node id -> per output, the nodes sending it
    objects, dicts = _object_inputs(nodes)
    for raw in nodes:
        t = raw.get("type")
        if t == "comment":
            text = "\n\n".join(
                x for x in (str(raw.get("name", "")), str(raw.get("info", ""))) if x.strip()
            )
            stickies.append(
                StickyNote(
                    content=text[:20_000], position=(float(raw.get("x", 0)), float(raw.get("y", 0)))
                )
            )
            continue
        if t in _SKIP:
            continue
        if _is_config(raw):
            config.append({"id": raw.get("id"), "type": t})
            continue
        label = raw.get("name") or t
        name = clean_name(label, taken)
        if t == "inject":
            first, second = _inject(raw, name, catalog)
            drafts[name] = first
            into[raw["id"]] = name
            out_of[raw["id"]] = name
            if second is not None:
                taken.add(second.node.name)
                drafts[second.node.name] = second
                out_of[raw["id"]] = second.node.name
            continue
        rid = raw.get("id")
        drafts[name] = _draft(raw, name, catalog, subflows, rid in objects, rid in dicts)
        into[raw["id"]] = out_of[raw["id"]] = name
        if t == "trigger" and drafts[name].report.status != "not_supported":
            chain = trigger_chain(raw, drafts[name], taken)
            drafts |= {c.node.name: c for c in chain.nodes}
            inner += [Edge(a, 0, b, 0) for a, b in chain.edges]
            routes[raw["id"]] = chain.outputs
            out_of[raw["id"]] = next((n for ns in chain.outputs for n in ns), name)
            continue
        for before, extra in _companions(raw, drafts[name]):
            taken.add(extra.node.name)
            drafts[extra.node.name] = extra
            if before:
                into[raw["id"]] = extra.node.name
            else:
                out_of[raw["id"]] = extra.node.name
    edges: list[Edge] = list(inner)
    if entries is not None:
        start = NodeDef(name=clean_name("Subflow input", taken), type="core.workflow_trigger")
        drafts[start.name] = Draft(
            start,
            Mapped("core.workflow_trigger", inputs=[]),
            NodeReport(name=start.name, source_type="subflow"),
        )
        edges += [Edge(start.name, 0, into[e], 0) for e in entries if e in into]
    for raw in nodes:
        rid = raw.get("id")
        if rid not in out_of:
            continue
        if into[rid] != out_of[rid] and rid not in routes:
            edges.append(Edge(into[rid], 0, out_of[rid], 0))
        wires = raw.get("wires") or []
        if raw.get("type") == "link call":
            _link_call(raw, edges, out_of, into, all_nodes, nodes, report)
            continue
        for i, targets in enumerate(wires):
            sources = [(out_of[rid], i)]
            if rid in routes:
                sources = [(n, 0) for n in (routes[rid][i] if i < len(routes[rid]) else [])]
            for target in targets or []:
                if target in into:
                    edges += [Edge(src, port, into[target], 0) for src, port in sources]
        if raw.get("type") == "link out" and raw.get("mode", "link") == "link":
            for target in raw.get("links") or []:
                if target in into:
                    edges.append(Edge(out_of[rid], 0, into[target], 0))
                else:
                    report.notes.append(
                        f"'{out_of[rid]}' links to another tab; connect "
                        "the workflows with an Execute Workflow node."
                    )
    edges += _catch_edges(nodes, drafts, into, out_of)
    wf = Workflow(name=report.name, nodes=[d.node for d in drafts.values()], sticky_notes=stickies)
    wf.connections = resolve_edges(drafts, edges, report)
    break_cycles(wf, report)
    wf.meta["interop"] = {"source": "node-red", "file": source, "config_nodes": config}
    if config:
        report.notes.append(
            f"{len(config)} config nodes ({', '.join(sorted({str(c['type']) for c in config}))}) "
            "are listed in meta.interop.config_nodes."
        )
    report.sticky_notes = len(stickies)
    report.nodes = list({id(d.report): d.report for d in drafts.values()}.values())
    return wf, report


def _link_call(
    raw: dict[str, Any],
    edges: list[Edge],
    out_of: dict[str, str],
    into: dict[str, str],
    all_nodes: dict[str, dict[str, Any]],
    nodes: list[dict[str, Any]],
    report: WorkflowReport,
) -> None:
    """link call → its link in; every 'return' link out reachable from there → the
    call's own wires."""
    rid = raw["id"]
    returns = [n["id"] for n in nodes if n.get("type") == "link out" and n.get("mode") == "return"]
    for target in raw.get("links") or []:
        if target not in into:
            report.notes.append(
                f"'{out_of[rid]}' calls a link in on another tab; use an Execute Workflow node."
            )
            continue
        edges.append(Edge(out_of[rid], 0, into[target], 0))
        reach, stack = set(), [target]
        while stack:
            cur = stack.pop()
            if cur in reach:
                continue
            reach.add(cur)
            for ws in all_nodes.get(cur, {}).get("wires") or []:
                stack.extend(w for w in ws or [] if w in all_nodes)
        for ret in returns:
            if ret in reach:
                for targets in raw.get("wires") or []:
                    for t in targets or []:
                        if t in into:
                            edges.append(Edge(out_of[ret], 0, into[t], 0))


def _catch_edges(
    nodes: list[dict[str, Any]],
    drafts: dict[str, Draft],
    into: dict[str, str],
    out_of: dict[str, str],
) -> list[Edge]:
    """Each catch node gets the errors of the nodes it watches (its scope, or every node
    of the flow): they route failed items to their 'error' output, wired to the catch."""
    edges: list[Edge] = []
    for raw in nodes:
        if raw.get("type") != "catch" or raw.get("id") not in into:
            continue
        scope = raw.get("scope") or [n.get("id") for n in nodes]
        for rid in scope:
            name = out_of.get(str(rid))
            d = drafts.get(name or "")
            if d is None or not d.mapped.inputs or d.node.disabled or name == into[raw["id"]]:
                continue
            d.node.on_error, d.error_output = "route", True
            edges.append(Edge(name or "", len(d.mapped.outputs), into[raw["id"]], 0))
    return edges


def _is_config(raw: dict[str, Any]) -> bool:
    return "wires" not in raw and "x" not in raw and raw.get("type") not in _SKIP


def import_node_red(
    data: list[dict[str, Any]], *, source: str, catalog: Catalog
) -> list[tuple[Workflow, WorkflowReport]]:
    """One (workflow, report) per tab; subflows first, as sub-workflows."""
    by_id = {str(n["id"]): n for n in data}
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for n in data:
        if n.get("type") not in ("tab", "subflow"):
            groups[str(n.get("z") or "")].append(n)
    base = source.rsplit("/", 1)[-1].removesuffix(".json")
    subflows: dict[str, Any] = {}
    out = []
    for sf in (n for n in data if n.get("type") == "subflow"):
        wf, rep = _one_flow(
            groups.pop(str(sf["id"]), []),
            str(sf.get("name") or "Subflow"),
            source,
            catalog,
            subflows,
            by_id,
            entries=[
                str(w.get("id"))
                for port in sf.get("in") or []
                for w in port.get("wires") or []
                if isinstance(w, dict)
            ],
        )
        rep.notes.append(
            "A Node-RED subflow, imported as a sub-workflow (Execute Workflow nodes embed it)."
        )
        subflows[str(sf["id"])] = wf
        out.append((wf, rep))
    tabs = {str(n["id"]): n for n in data if n.get("type") == "tab"}
    loose = [
        {"id": n.get("id"), "type": n.get("type")}
        for ns in groups.values()
        if all(_is_config(n) for n in ns)
        for n in ns
    ]
    groups = {z: ns for z, ns in groups.items() if not all(_is_config(n) for n in ns)}
    for z, nodes in groups.items():
        label = str(tabs.get(z, {}).get("label") or base or "Node-RED flow")
        if len(groups) > 1 and z not in tabs:
            label = f"{base} ({z or 'global'})"
        out.append(_one_flow(nodes, label, source, catalog, subflows, by_id))
    for wf, _rep in out:
        wf.meta["interop"]["config_nodes"].extend(loose)
    return out
