"""Turning mapped nodes into a valid AURA workflow: names, placeholders, ports, cycles.

Both importers collect :class:`Draft` nodes and edges by source output/input *index*;
:func:`finish_node` checks a mapped node against the catalog (falling back to a
placeholder), :func:`resolve_edges` turns indexes into port names and
:func:`break_cycles` drops (and reports) edges that close a loop, since AURA graphs are
acyclic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.errors import UnknownNodeType
from engine.graph import Connection, Graph, NodeDef, Workflow, validate_params
from engine.graph.choices import bad_choices
from engine.graph.messages import param_path
from engine.interop._mapping import PLACEHOLDER, MapContext, Mapped, Unmappable, placeholder
from engine.interop.expressions import ExpressionNote
from engine.interop.report import NodeReport, WorkflowReport
from engine.sdk.catalog import Catalog

__all__ = [
    "Draft",
    "Edge",
    "break_cycles",
    "clean_name",
    "finish_node",
    "resolve_edges",
    "settle_status",
]


@dataclass
class Draft:
    """A node being imported: its AURA definition, port maps and report."""

    node: NodeDef
    mapped: Mapped
    report: NodeReport
    error_output: bool = False
    source: dict[str, Any] = field(default_factory=dict)
    """The source node's parameters as they were (for mappers that fold nodes together)."""


@dataclass
class Edge:
    source: str
    out_index: int
    target: str
    in_index: int
    kind: str = "main"
    extra: dict[str, Any] = field(default_factory=dict)


def clean_name(name: Any, taken: set[str], fallback: str = "Node") -> str:
    """A valid, unique AURA node name from a source name."""
    text = str(name or "").replace('"', "'")
    text = " ".join(text.replace("\t", " ").replace("\r", " ").replace("\n", " ").split())
    text = (text or fallback)[:120]
    out, i = text, 2
    while out in taken:
        out = f"{text} {i}"
        i += 1
    taken.add(out)
    return out


def finish_node(
    catalog: Catalog,
    source_type: str,
    version: Any,
    params: dict[str, Any],
    cx: MapContext,
    mapper: Any,
    report: NodeReport,
) -> Mapped:
    """Runs ``mapper`` and checks its result against the catalog; a placeholder (with the
    reason in the report) when the mapping fails, the type is missing or the parameters
    are not valid for it."""
    reason = None
    mapped: Mapped | None = None
    if mapper is None:
        report.known = False
        reason = f"AURA has no node for {source_type}"
    else:
        try:
            mapped = mapper(cx)
        except Unmappable as exc:
            reason = f"not supported: {exc}"
            report.known = exc.known
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            reason = f"the parameters could not be read ({type(exc).__name__}: {exc})"
    if mapped is not None:
        try:
            spec = catalog.get(mapped.type, 1)
        except UnknownNodeType:
            reason = f"the AURA node {mapped.type} is not installed"
            report.known = False
        else:
            # a value outside a select's choices first: the node's own check does not
            # see one inside an entry holding an expression (an If condition's operation)
            problems = [(b.path, b.message) for b in bad_choices(spec, mapped.params)]
            problems = problems or validate_params(spec, mapped.params)
            if problems:
                path, msg = problems[0]
                reason = f"the mapped parameter '{param_path(path)}' is not valid: {msg}"
    if reason is not None:
        report.status = "not_supported"
        report.notes.insert(0, reason)
        report.target_type = PLACEHOLDER
        if mapper is None or mapped is None:
            # still translate, so the report shows how the expressions would read
            cx.value(params, "")
        return placeholder(source_type, version, params, reason)
    assert mapped is not None
    report.target_type = mapped.type
    report.notes.extend(cx.notes)
    report.info.extend(cx.infos)
    if cx.js:
        _left_out(params, cx, report)
    return mapped


def _expression_strings(value: Any, path: str, out: list[tuple[str, str]]) -> None:
    if isinstance(value, str) and value.startswith("="):
        out.append((path, value))
    elif isinstance(value, dict):
        for k, v in value.items():
            _expression_strings(v, f"{path}.{k}" if path else str(k), out)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _expression_strings(v, f"{path}[{i}]", out)


def _left_out(params: dict[str, Any], cx: MapContext, report: NodeReport) -> None:
    """Expressions of the source the mapper did not use are reported, never lost quietly."""
    found: list[tuple[str, str]] = []
    _expression_strings(params, "", found)
    used = [e.original for e in cx.expressions]
    for path, text in found:
        if text in used:
            used.remove(text)
            continue
        cx.expressions.append(
            ExpressionNote(
                path,
                text,
                None,
                "this parameter has no place on the AURA node; it was not carried over",
            )
        )
        report.notes.append(f"parameter '{path}' was not carried over")


def settle_status(report: NodeReport) -> None:
    if report.status != "not_supported" and (
        report.notes or any(not e.ok for e in report.expressions)
    ):
        report.status = "mapped_with_notes"


def resolve_edges(
    drafts: dict[str, Draft], edges: list[Edge], wf_report: WorkflowReport
) -> list[Connection]:
    """Connections between named ports; placeholders grow outputs as needed."""
    out: list[Connection] = []
    for e in edges:
        src, dst = drafts.get(e.source), drafts.get(e.target)
        if src is None or dst is None:
            wf_report.notes.append(
                f"A connection {e.source} → {e.target} names a node that "
                "does not exist; it was left out."
            )
            continue
        if e.kind != "main":
            wf_report.notes.append(
                f"The {e.kind} link {e.source} → {e.target} has no AURA "
                "equivalent yet; it is listed in the workflow's meta."
            )
            continue
        outs = src.mapped.outputs
        if src.mapped.type == PLACEHOLDER and e.out_index >= len(outs):
            while len(outs) <= e.out_index:
                outs.append(f"output_{len(outs)}")
            src.node.parameters["outputs"] = list(outs)
        if e.out_index < len(outs):
            port = outs[e.out_index]
        elif src.error_output and e.out_index == len(outs):
            port = "error"
        else:
            wf_report.notes.append(
                f"Output {e.out_index} of '{e.source}' has no AURA port; "
                f"its connection to '{e.target}' was left out."
            )
            continue
        ins = dst.mapped.inputs
        if not ins:
            wf_report.notes.append(
                f"'{e.target}' takes no input in AURA; the connection "
                f"from '{e.source}' was left out."
            )
            continue
        if e.in_index >= len(ins):
            wf_report.notes.append(
                f"Input {e.in_index} of '{e.target}' does not exist in "
                f"AURA; the connection from '{e.source}' goes to its "
                f"first input."
            )
        target_port = ins[min(e.in_index, len(ins) - 1)]
        c = Connection(source=e.source, output=port, target=e.target, input=target_port)
        if c.key not in {x.key for x in out}:
            out.append(c)
    return out


def break_cycles(wf: Workflow, report: WorkflowReport) -> None:
    """Removes the edge closing each cycle (AURA workflows are acyclic), with a note."""
    for _ in range(len(wf.connections) + 1):
        cycle = Graph(wf).find_cycle()
        if not cycle:
            return
        a, b = cycle[-2], cycle[-1]
        for c in list(wf.connections):
            if c.source == a and c.target == b:
                wf.connections.remove(c)
                report.notes.append(
                    f"The connection {a} → {b} closed a loop; AURA runs "
                    "workflows without loops, so it was left out (use a "
                    "Loop Over Items node or a sub-workflow)."
                )
                break
        else:
            return
