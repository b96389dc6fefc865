"""Importing one n8n workflow JSON: nodes, connections, settings, pinned data, notes.

Per node: the type mapper (:mod:`engine.interop.n8n_nodes`) or a disabled placeholder;
disabled flags, notes, retry and on-error settings; credentials become "credentials to
create" in the report (AURA never imports secrets, and n8n exports carry none).
Sticky notes become canvas notes; ``ai_*`` links (agents and their models, tools and
memory) are kept in ``meta.interop.links`` until AURA's agent nodes can take them.
"""

from __future__ import annotations

from typing import Any

from engine.graph import NodeDef, RetrySettings, StickyNote, Workflow, WorkflowSettings
from engine.interop._build import (
    Draft,
    Edge,
    break_cycles,
    clean_name,
    finish_node,
    resolve_edges,
    settle_status,
)
from engine.interop._mapping import MapContext
from engine.interop.n8n_ai import attach_ai
from engine.interop.n8n_http import AUTH_KINDS
from engine.interop.n8n_loops import extract_loops
from engine.interop.n8n_nodes import MAPPERS
from engine.interop.report import CredentialNeed, NodeReport, WorkflowReport
from engine.sdk.catalog import Catalog

__all__ = ["CREDENTIAL_KINDS", "import_n8n", "looks_like_n8n"]

CREDENTIAL_KINDS = {
    **AUTH_KINDS,
    "openAiApi": "openai_compatible",
    "postgres": "postgres",
    "smtp": "smtp",
    "mySql": "mysql",
    "httpBasicAuth": "basic_auth",
}
_SLOTS = {
    "core.http_request": "auth",
    "core.webhook_trigger": None,
    "core.postgres": "postgres",
    "core.mysql": "mysql",
    "core.send_email": "smtp",
}
_STICKY_COLORS = {1: "yellow", 2: "brown", 3: "pink", 4: "green", 5: "blue", 6: "purple", 7: "gray"}
_CALLERS = {"any": "any", "none": "none", "workflowsFromSameOwner": "same_project"}


def looks_like_n8n(data: Any) -> bool:
    """An n8n export: ``nodes`` with n8n-style ``type`` strings and a ``connections`` map."""
    return (
        isinstance(data, dict)
        and isinstance(data.get("nodes"), list)
        and isinstance(data.get("connections"), dict)
    )


def _settings(node: dict[str, Any], nd: NodeDef, report: NodeReport) -> None:
    nd.disabled = bool(node.get("disabled"))
    notes = node.get("notes")
    if isinstance(notes, str) and notes:
        nd.notes = notes[:10_000]
    if node.get("retryOnFail"):
        tries = int(node.get("maxTries", 3) or 3)
        wait = float(node.get("waitBetweenTries", 1000) or 0) / 1000
        nd.retry = RetrySettings(
            enabled=True, max_tries=max(1, min(tries, 10)), wait_s=min(wait, 3600), backoff=1.0
        )
        if tries > 10:
            report.notes.append(f"{tries} tries lowered to AURA's maximum of 10")
    on_error = node.get("onError")
    if on_error in ("continueRegularOutput",) or node.get("continueOnFail"):
        nd.on_error = "continue"
    elif on_error == "continueErrorOutput":
        nd.on_error = "route"
    nd.execute_once = bool(node.get("executeOnce"))
    nd.always_output_data = bool(node.get("alwaysOutputData"))


def _credentials(
    node: dict[str, Any], name: str, target: str | None, report: WorkflowReport
) -> None:
    for kind, ref in (node.get("credentials") or {}).items():
        ref = ref if isinstance(ref, dict) else {}
        slot = _SLOTS.get(target or "")
        if target == "core.webhook_trigger":
            slot = {"httpBasicAuth": "basic_auth", "httpHeaderAuth": "header_auth"}.get(kind)
        report.credentials.append(
            CredentialNeed(
                node=name,
                source_kind=kind,
                source_name=str(ref.get("name", "")),
                kind=CREDENTIAL_KINDS.get(kind),
                slot=slot,
            )
        )


def _node(raw: dict[str, Any], name: str, catalog: Catalog, report: WorkflowReport) -> Draft:
    type_ = str(raw.get("type", ""))
    version = raw.get("typeVersion", 1)
    raw_params = raw.get("parameters")
    params: dict[str, Any] = raw_params if isinstance(raw_params, dict) else {}
    nrep = NodeReport(name=name, source_type=type_, source_version=version)
    cx = MapContext(params, version=version)
    cx.node = raw
    mapper = MAPPERS.get(type_)
    if mapper is None and type_.startswith("n8n-nodes-base.") and type_.endswith("Tool"):
        mapper = MAPPERS.get(type_.removesuffix("Tool"))  # a node given to an agent as a tool
    mapped = finish_node(catalog, type_, version, params, cx, mapper, nrep)
    nrep.expressions = cx.expressions
    pos = raw.get("position") or [0, 0]
    nd = NodeDef(
        name=name,
        type=mapped.type,
        parameters=mapped.params,
        position=(float(pos[0]), float(pos[1])) if len(pos) >= 2 else (0.0, 0.0),
    )
    if isinstance(raw.get("id"), str) and 0 < len(raw["id"]) <= 64:
        nd.id = raw["id"]
    _settings(raw, nd, nrep)
    if nrep.status == "not_supported":
        nd.disabled = True
        nd.notes = (f"Imported from n8n ({type_} v{version}): {nrep.notes[0]}.\n" + nd.notes)[
            :10_000
        ]
        nd.on_error = "stop"
    elif nd.on_error == "route" and mapped.inputs == []:
        nd.on_error = "continue"
        nrep.notes.append("a trigger cannot route errors; 'continue' is used")
    _credentials(raw, name, mapped.type, report)
    for what, kind, slot in [] if raw.get("credentials") else cx.needs:
        report.credentials.append(
            CredentialNeed(node=name, source_kind=what, source_name="", kind=kind, slot=slot)
        )
    if raw.get("credentials") and nrep.status != "not_supported":
        nrep.notes.append("needs a credential: create it and pick it on the node")
    settle_status(nrep)
    return Draft(
        nd, mapped, nrep, error_output=raw.get("onError") == "continueErrorOutput", source=params
    )


def _edges(connections: dict[str, Any], names: dict[str, str]) -> list[Edge]:
    out = []
    for source, by_kind in connections.items():
        if not isinstance(by_kind, dict):
            continue
        for kind, outputs in by_kind.items():
            for out_index, targets in enumerate(outputs or []):
                for t in targets or []:
                    if not isinstance(t, dict):
                        continue
                    out.append(
                        Edge(
                            names.get(source, source),
                            out_index,
                            names.get(str(t.get("node")), str(t.get("node"))),
                            int(t.get("index", 0) or 0),
                            kind,
                        )
                    )
    return out


def _workflow_settings(data: dict[str, Any], report: WorkflowReport) -> WorkflowSettings:
    raw_settings = data.get("settings")
    s: dict[str, Any] = raw_settings if isinstance(raw_settings, dict) else {}
    ws = WorkflowSettings()
    if s.get("timezone") and s["timezone"] != "DEFAULT":
        try:
            ws.timezone = WorkflowSettings(timezone=s["timezone"]).timezone
        except ValueError:
            report.notes.append(f"Unknown timezone {s['timezone']!r}; UTC is used.")
    if s.get("saveDataSuccessExecution") in ("all", "none"):
        ws.save_data_success = s["saveDataSuccessExecution"]
    if s.get("saveDataErrorExecution") in ("all", "none"):
        ws.save_data_error = s["saveDataErrorExecution"]
    if isinstance(s.get("saveManualExecutions"), bool):
        ws.save_manual = s["saveManualExecutions"]
    timeout = s.get("executionTimeout")
    if isinstance(timeout, int | float) and timeout > 0:
        ws.timeout_s = min(float(timeout), 7 * 24 * 3600)
    if s.get("callerPolicy") in _CALLERS:
        ws.callers = _CALLERS[s["callerPolicy"]]  # type: ignore[assignment]
    elif s.get("callerPolicy"):
        report.notes.append(
            f"Caller policy '{s['callerPolicy']}' is not in AURA; any workflow may call this one."
        )
    if s.get("errorWorkflow"):
        report.notes.append(
            f"n8n error workflow {s['errorWorkflow']}: set the imported "
            "error workflow's id in the workflow settings."
        )
    return ws


def import_n8n(
    data: dict[str, Any], *, source: str, catalog: Catalog
) -> tuple[Workflow, WorkflowReport]:
    """The AURA workflow and report for one n8n workflow export."""
    report = WorkflowReport(source=source, format="n8n")
    name = (
        str(data.get("name") or "").strip()
        or source.rsplit("/", 1)[-1].removesuffix(".json")
        or "Imported workflow"
    )
    report.name = name[:200]
    taken: set[str] = set()
    names: dict[str, str] = {}
    drafts: dict[str, Draft] = {}
    stickies: list[StickyNote] = []
    for raw in data.get("nodes") or []:
        if not isinstance(raw, dict):
            report.notes.append("An entry of 'nodes' is not an object; it was left out.")
            continue
        if raw.get("type") == "n8n-nodes-base.stickyNote":
            p = raw.get("parameters") or {}
            pos = raw.get("position") or [0, 0]
            stickies.append(
                StickyNote(
                    content=str(p.get("content", ""))[:20_000],
                    position=(float(pos[0]), float(pos[1])),
                    size=(float(p.get("width", 240)), float(p.get("height", 160))),
                    color=_STICKY_COLORS.get(p.get("color", 1), "yellow"),
                )
            )
            continue
        new = clean_name(raw.get("name"), taken)
        if raw.get("name") != new:
            report.notes.append(
                f"Node '{raw.get('name')}' was renamed '{new}' (AURA names "
                "are unique and have no quotes or line breaks)."
            )
        names[str(raw.get("name"))] = new
        drafts[new] = _node(raw, new, catalog, report)
    edges = _edges(data.get("connections") or {}, names)
    pins: dict[str, list[dict[str, Any]]] = {}
    for pin_name, items in (data.get("pinData") or {}).items():
        target = names.get(pin_name)
        if target and isinstance(items, list):
            pins[target] = [
                i if isinstance(i, dict) and "json" in i else {"json": i} for i in items
            ]
            report.pinned_nodes.append(target)
    report.nodes = [d.report for d in drafts.values()]
    edges = attach_ai(drafts, edges, report)
    links = [
        {"kind": e.kind, "source": e.source, "target": e.target, "index": e.in_index}
        for e in edges
        if e.kind != "main"
    ]
    main = extract_loops(drafts, [e for e in edges if e.kind == "main"], report.name, pins, report)
    wf = Workflow(
        name=report.name,
        nodes=[d.node for d in drafts.values()],
        sticky_notes=stickies,
        settings=_workflow_settings(data, report),
        pinned_data=pins,
    )
    wf.connections = resolve_edges(drafts, main, report)
    if links:
        report.notes.append(
            f"{len(links)} AI links (models, tools, memory → agents) are kept "
            "in the workflow's meta.interop.links."
        )
    break_cycles(wf, report)
    tags = [t.get("name") if isinstance(t, dict) else t for t in data.get("tags") or []]
    wf.tags = ["".join(c for c in str(t) if c.isprintable())[:200] for t in tags if t][:50]
    wf.description = str(data.get("description") or "")[:20_000]
    wf.meta["interop"] = {
        "source": "n8n",
        "file": source,
        "links": links,
        "original_id": data.get("id"),
    }
    report.sticky_notes = len(stickies)
    return wf, report
