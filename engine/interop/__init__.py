"""Import and export of n8n and Node-RED workflows.

:func:`import_data` turns one parsed file (an n8n workflow, or a Node-RED flow array)
into AURA workflows plus a :class:`WorkflowReport` each: per node mapped / mapped with
notes / not supported (a disabled placeholder keeps the original), per expression
translated / kept, and the credentials to create. :func:`import_path` does it for a file
or a folder; :func:`export_n8n` writes an AURA workflow back as n8n JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from engine.errors import WorkflowValidationError
from engine.graph import Workflow, parse_json, validate
from engine.interop.export_n8n import export_n8n
from engine.interop.n8n import import_n8n, looks_like_n8n
from engine.interop.nodered import import_node_red, looks_like_node_red
from engine.interop.report import ImportTotals, WorkflowReport, flag_nodes, totals
from engine.sdk.catalog import Catalog

__all__ = [
    "FORMATS",
    "ImportTotals",
    "Imported",
    "WorkflowReport",
    "detect_format",
    "export_n8n",
    "import_data",
    "import_path",
    "totals",
]

Format = Literal["n8n", "node-red", "auto"]
FORMATS = ("n8n", "node-red", "auto")
MAX_FILES = 10_000


@dataclass
class Imported:
    """One imported workflow (``None`` when the import failed) and its report."""

    workflow: Workflow | None
    report: WorkflowReport


def detect_format(data: Any) -> str:
    """``n8n`` or ``node-red`` for parsed JSON.

    Raises:
        WorkflowValidationError: neither shape.
    """
    if looks_like_n8n(data):
        return "n8n"
    if looks_like_node_red(data):
        return "node-red"
    raise WorkflowValidationError(
        "This is neither an n8n workflow (an object with 'nodes' and a 'connections' map) "
        "nor a Node-RED flow (a list of nodes with 'id', 'type' and 'wires'). Export it "
        "again from n8n (Download) or Node-RED (Export → JSON)."
    )


def _catalog(catalog: Catalog | None) -> Catalog:
    if catalog is not None:
        return catalog
    from engine.sdk import get_catalog

    return get_catalog()


def import_data(
    data: Any, *, fmt: Format = "auto", source: str = "input", catalog: Catalog | None = None
) -> list[Imported]:
    """AURA workflows from one parsed n8n or Node-RED document.

    Every returned workflow passes :func:`engine.graph.validate`; a document that cannot
    be imported gives one entry with ``workflow=None`` and ``report.error`` set.
    """
    cat = _catalog(catalog)
    kind = detect_format(data) if fmt == "auto" else fmt
    if kind == "n8n":
        if not looks_like_n8n(data):
            raise WorkflowValidationError(
                f"{source} is not an n8n workflow (an object with 'nodes' and 'connections')."
            )
        pairs = [import_n8n(data, source=source, catalog=cat)]
    else:
        if not looks_like_node_red(data):
            raise WorkflowValidationError(
                f"{source} is not a Node-RED flow (a list of nodes with 'id' and 'type')."
            )
        pairs = import_node_red(data, source=source, catalog=cat)
    out = []
    for wf, report in pairs:
        flag_nodes(wf, report)
        check = validate(wf, cat)
        if not check.ok:
            report.error = "; ".join(p.message for p in check.errors[:3])
            out.append(Imported(None, report))
        else:
            out.append(Imported(wf, report))
    return out


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted(p for p in path.rglob("*.json") if p.is_file())
        if not files:
            raise WorkflowValidationError(f"No .json files in {path}.")
        if len(files) > MAX_FILES:
            raise WorkflowValidationError(
                f"{path} has {len(files):,} .json files; import at most {MAX_FILES:,} at a time."
            )
        return files
    if not path.is_file():
        raise WorkflowValidationError(f"{path} is neither a file nor a folder.")
    return [path]


def import_path(
    path: Path, *, fmt: Format = "auto", catalog: Catalog | None = None
) -> list[Imported]:
    """Imports a file or every ``.json`` file under a folder; a file that cannot be read
    or recognised gives an entry with ``report.error`` instead of stopping the others."""
    out: list[Imported] = []
    for f in _files(path):
        src = str(f)
        try:
            data = parse_json(f.read_bytes(), what=f"file {f}")
            out.extend(import_data(data, fmt=fmt, source=src, catalog=catalog))
        except (WorkflowValidationError, OSError) as exc:
            message = getattr(exc, "message", None) or str(exc)
            out.append(Imported(None, WorkflowReport(source=src, format=fmt, error=message)))
    return out
