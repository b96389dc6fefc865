"""n8n's Loop Over Items (Split In Batches v3) → ``core.loop_over_items`` with its body.

In n8n the loop is drawn as a cycle: output 1 ("loop") feeds the body, whose last node
connects back to the loop node; output 0 ("done") continues once every batch ran. AURA
runs acyclic graphs, so the body nodes move into a sub-workflow (starting with a
``core.workflow_trigger``) embedded in the loop node, and ``done`` keeps its connections.
A body that is not self-contained (its nodes are also fed from, or feed, nodes outside the
loop) stays on the canvas with the loop node as a placeholder and the back edge dropped.
"""

from __future__ import annotations

import hashlib
from typing import Any

from engine.graph import NodeDef, Workflow
from engine.interop._build import Draft, Edge, resolve_edges
from engine.interop._mapping import MapContext, Mapped, Unmappable, placeholder
from engine.interop.report import WorkflowReport

__all__ = ["LOOP_TYPE", "extract_loops", "map_split_in_batches"]

LOOP_TYPE = "n8n-nodes-base.splitInBatches"
_START = "Loop start"


def map_split_in_batches(cx: MapContext) -> Mapped:
    if float(cx.version) < 3:
        raise Unmappable(
            f"Split In Batches v{cx.version} (re-save it in n8n as Loop Over Items, v3)"
        )
    size = cx.literal("batchSize", 1)
    if not isinstance(size, int) or size < 1:
        raise Unmappable(f"batch size {size!r}")
    if (cx.get("options") or {}).get("reset"):
        raise Unmappable("the 'reset' option (the loop restarts with new items)")
    return Mapped(
        "core.loop_over_items",
        {"batch_size": size, "source": "json", "workflow_json": {}},
        outputs=["done", "loop"],
    )


def _body(loop: str, edges: list[Edge]) -> set[str]:
    out: set[str] = set()
    stack = [e.target for e in edges if e.source == loop and e.out_index == 1 and e.kind == "main"]
    while stack:
        name = stack.pop()
        if name == loop or name in out:
            continue
        out.add(name)
        stack.extend(e.target for e in edges if e.source == name and e.kind == "main")
    return out


def _fall_back(d: Draft, reason: str, edges: list[Edge]) -> list[Edge]:
    params = d.node.parameters
    d.mapped = placeholder(LOOP_TYPE, 3, {"batchSize": params.get("batch_size", 1)}, reason, 2)
    d.node.type, d.node.parameters = d.mapped.type, d.mapped.params
    d.node.disabled = True
    d.report.status, d.report.target_type = "not_supported", d.mapped.type
    d.report.notes.insert(0, reason)
    return edges


def extract_loops(
    drafts: dict[str, Draft],
    edges: list[Edge],
    wf_name: str,
    pinned: dict[str, Any],
    report: WorkflowReport,
) -> list[Edge]:
    """Moves each loop's body into its loop node; returns the edges left on the canvas."""
    for name, d in list(drafts.items()):
        if d.node.type != "core.loop_over_items" or d.report.source_type != LOOP_TYPE:
            continue
        body = _body(name, edges)
        outside_in = [
            e for e in edges if e.target in body and e.source not in body and e.source != name
        ]
        outside_out = [
            e for e in edges if e.source in body and e.target not in body and e.target != name
        ]
        if not body or outside_in or outside_out:
            why = (
                "the loop body is empty"
                if not body
                else ("the loop body is connected to nodes outside the loop")
            )
            edges = _fall_back(d, f"not supported: {why}; rebuild it with a sub-workflow", edges)
            continue
        returns = sorted({e.source for e in edges if e.target == name and e.source in body})
        start = NodeDef(
            name=_START if _START not in body else f"{_START} ({name})",
            type="core.workflow_trigger",
            position=(0.0, 0.0),
        )
        start_draft = Draft(start, Mapped("core.workflow_trigger", inputs=[]), d.report)
        start.id = hashlib.sha256(f"{d.node.id}/loop-start".encode()).hexdigest()[:32]
        ordered = [b for b in drafts if b in body]  # the source's order, not a set's
        sub_drafts = {start.name: start_draft, **{b: drafts[b] for b in ordered}}
        sub_edges = [
            Edge(start.name, 0, e.target, e.in_index)
            for e in edges
            if e.source == name and e.out_index == 1
        ]
        sub_edges += [e for e in edges if e.source in body and e.target in body]
        sub = Workflow(
            name=f"{wf_name} - {name} (loop body)"[:200],
            nodes=[x.node for x in sub_drafts.values()],
        )
        sub.connections = resolve_edges(sub_drafts, sub_edges, report)
        sub.pinned_data = {b: pinned.pop(b) for b in list(pinned) if b in body}
        d.node.parameters["workflow_json"] = sub.to_json_dict()
        d.report.info.append(
            f"its loop body ({len(body)} nodes: {', '.join(sorted(body))}) "
            "runs as an embedded sub-workflow, once per batch"
        )
        if len(returns) > 1:
            d.report.notes.append(
                f"several body nodes ({', '.join(returns)}) led back to the "
                "loop; the body's last node gives each batch's result"
            )
        d.report.notes.append(
            "expressions in the body that read nodes outside the loop "
            "($('Name')) need their data passed in the items"
        )
        d.report.status = "mapped_with_notes"
        for b in body:
            drafts[b].report.info.append(f"moved into the loop body of '{name}'")
            del drafts[b]
        edges = [
            e
            for e in edges
            if e.source not in body
            and e.target not in body
            and not (e.source == name and e.out_index == 1)
        ]
    return edges
