"""The import report: what became of each node, expression and credential, and totals.

Node statuses: ``mapped`` (an AURA node does the same), ``mapped_with_notes`` (it does,
with differences the user should check), ``not_supported`` (a disabled placeholder node
keeps the original parameters). Notes have a level: ``notes`` are to *check* (a
difference in behaviour, something to set up) and make a node "mapped with notes";
``info`` notes only explain how the node was mapped (a companion node that builds the
message, where a debug output went) and leave its status ``mapped``. A node whose type
AURA has an equivalent for counts as *known*, even if this one could not be mapped; that
is the base of "% nodes mapped".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from engine.graph import Workflow
from engine.interop.expressions import ExpressionNote

__all__ = [
    "IMPORT_INFO",
    "IMPORT_NOTE",
    "CredentialNeed",
    "ImportTotals",
    "NodeReport",
    "WorkflowReport",
    "flag_nodes",
    "strip_import_lines",
    "totals",
]

IMPORT_NOTE = "Import: "
"""How the note of a node mapped with notes begins (the studio marks such nodes)."""

IMPORT_INFO = "Import info: "
"""How the line with a node's informational import notes begins (not marked)."""

NodeStatus = Literal["mapped", "mapped_with_notes", "not_supported"]


@dataclass
class CredentialNeed:
    """A credential the imported workflow needs: create it, then pick it on the node."""

    node: str
    source_kind: str
    source_name: str
    kind: str | None
    slot: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "node": self.node,
            "source_kind": self.source_kind,
            "source_name": self.source_name,
            "kind": self.kind,
            "slot": self.slot,
        }


@dataclass
class NodeReport:
    """One source node: its type, what it became and why."""

    name: str
    source_type: str
    source_version: Any = None
    target_type: str | None = None
    status: NodeStatus = "mapped"
    known: bool = True
    notes: list[str] = field(default_factory=list)
    """Notes to check (level ``check``): the node is mapped with notes."""
    info: list[str] = field(default_factory=list)
    """Informational notes (level ``info``): how it was mapped; nothing to check."""
    expressions: list[ExpressionNote] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "source_type": self.source_type,
            "source_version": self.source_version,
            "target_type": self.target_type,
            "status": self.status,
            "known": self.known,
            "notes": self.notes,
            "info": self.info,
            "expressions": [e.to_dict() for e in self.expressions],
        }


@dataclass
class WorkflowReport:
    """The report of one imported workflow (or of one that failed, with ``error``)."""

    source: str
    format: str
    name: str = ""
    nodes: list[NodeReport] = field(default_factory=list)
    credentials: list[CredentialNeed] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sticky_notes: int = 0
    pinned_nodes: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def expressions(self) -> list[ExpressionNote]:
        return [e for n in self.nodes for e in n.expressions]

    @property
    def fully_mapped(self) -> bool:
        """Every node mapped and every expression translated."""
        return (
            self.error is None
            and all(n.status != "not_supported" for n in self.nodes)
            and all(e.ok for e in self.expressions)
        )

    def counts(self) -> dict[str, int]:
        exprs = self.expressions
        return {
            "nodes": len(self.nodes),
            "mapped": sum(n.status == "mapped" for n in self.nodes),
            "mapped_with_notes": sum(n.status == "mapped_with_notes" for n in self.nodes),
            "info_notes": sum(len(n.info) for n in self.nodes),
            "not_supported": sum(n.status == "not_supported" for n in self.nodes),
            "known": sum(n.known for n in self.nodes),
            "known_mapped": sum(n.known and n.status != "not_supported" for n in self.nodes),
            "expressions": len(exprs),
            "translated": sum(e.ok for e in exprs),
            "kept": sum(not e.ok for e in exprs),
            "credentials": len(self.credentials),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "format": self.format,
            "name": self.name,
            "error": self.error,
            "fully_mapped": self.fully_mapped,
            "counts": self.counts(),
            "notes": self.notes,
            "sticky_notes": self.sticky_notes,
            "pinned_nodes": self.pinned_nodes,
            "credentials": [c.to_dict() for c in self.credentials],
            "nodes": [n.to_dict() for n in self.nodes],
        }


@dataclass
class ImportTotals:
    """Totals over many imported workflows (``aura workflow import --dry-run``)."""

    workflows: int = 0
    imported: int = 0
    failed: int = 0
    fully_mapped: int = 0
    nodes: int = 0
    mapped: int = 0
    mapped_with_notes: int = 0
    info_notes: int = 0
    not_supported: int = 0
    known: int = 0
    known_mapped: int = 0
    expressions: int = 0
    translated: int = 0
    kept: int = 0
    credentials: int = 0

    @property
    def pct_known_mapped(self) -> float:
        return round(100.0 * self.known_mapped / self.known, 1) if self.known else 100.0

    @property
    def pct_translated(self) -> float:
        return round(100.0 * self.translated / self.expressions, 1) if self.expressions else 100.0

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.__dict__)
        out["pct_known_mapped"] = self.pct_known_mapped
        out["pct_translated"] = self.pct_translated
        return out


def totals(reports: list[WorkflowReport]) -> ImportTotals:
    """Sums the counts of ``reports``."""
    t = ImportTotals(workflows=len(reports))
    for r in reports:
        if r.error is not None:
            t.failed += 1
            continue
        t.imported += 1
        t.fully_mapped += r.fully_mapped
        for k, v in r.counts().items():
            setattr(t, k, getattr(t, k) + v)
    return t


def flag_nodes(workflow: Workflow, report: WorkflowReport) -> None:
    """Puts each mapped-with-notes node's reasons (notes to check, expressions kept) on
    the first line of its canvas note, after :data:`IMPORT_NOTE`, and its informational
    notes on a line after :data:`IMPORT_INFO`; placeholders already say why."""
    by_name = {n.name: n for n in report.nodes}
    for node in workflow.nodes:
        r = by_name.get(node.name)
        if r is None or r.status == "not_supported":
            continue
        reasons = list(r.notes) + [
            f"expression kept ({e.path}): {e.note}" for e in r.expressions if not e.ok
        ]
        lines = []
        if reasons and r.status == "mapped_with_notes":
            lines.append(IMPORT_NOTE + "; ".join(reasons).replace("\n", " "))
        if r.info:
            lines.append(IMPORT_INFO + "; ".join(r.info).replace("\n", " "))
        if lines:
            node.notes = "\n".join([*lines, node.notes] if node.notes else lines)[:10_000]


def strip_import_lines(notes: str) -> str:
    """``notes`` without the lines :func:`flag_nodes` wrote (the user's own notes)."""
    for prefix in (IMPORT_NOTE, IMPORT_INFO):
        if notes.startswith(prefix):
            notes = notes.partition("\n")[2]
    return notes
