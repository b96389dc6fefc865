"""Import from n8n / Node-RED and export to n8n: the door the CLI and the API use.

Imports are validated by :mod:`engine.interop`; unless ``dry_run``, each imported
workflow is stored as a new workflow (version 1, "Imported from n8n: <file>").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.interop import Imported, export_n8n, import_data, import_path, totals
from engine.interop._mapping import PLACEHOLDER
from engine.interop.report import IMPORT_NOTE

__all__ = ["export_to_n8n", "import_document", "import_files", "import_flag"]


def import_flag(node: dict[str, Any]) -> str:
    """What an import flagged on a workflow node (its JSON): ``placeholder`` (not
    supported, disabled), ``notes`` (mapped with notes: its note's first line says what
    to check) or ``""``. Editing the note's first line away clears the flag."""
    if node.get("type") == PLACEHOLDER:
        return "placeholder"
    if str(node.get("notes") or "").startswith(IMPORT_NOTE):
        return "notes"
    return ""


def _store(
    items: list[Imported], *, dry_run: bool, project_id: str | None = None
) -> list[dict[str, Any]]:
    out = []
    for it in items:
        entry: dict[str, Any] = {
            "source": it.report.source,
            "name": it.report.name,
            "id": None,
            "report": it.report.to_dict(),
        }
        if it.workflow is not None and not dry_run:
            from engine.services.store import get_store

            rec = get_store().workflows.create(
                it.workflow,
                f"Imported from {it.report.format}: {it.report.source.rsplit('/', 1)[-1]}",
                project_id=project_id,
            )
            entry["id"] = rec.id
        out.append(entry)
    return out


def import_files(path: Path, *, fmt: str = "auto", dry_run: bool = False) -> dict[str, Any]:
    """Imports a file or a folder; ``{workflows: [{source, name, id, report}], totals}``."""
    items = import_path(path, fmt=fmt)  # type: ignore[arg-type]
    return {
        "workflows": _store(items, dry_run=dry_run),
        "totals": totals([i.report for i in items]).to_dict(),
    }


def import_document(
    data: Any,
    *,
    fmt: str = "auto",
    source: str = "upload",
    dry_run: bool = True,
    project_id: str | None = None,
) -> dict[str, Any]:
    """Imports one parsed document (pasted or uploaded), stored unless ``dry_run``;
    the workflows' definitions are included so a dialog can show them before saving."""
    items = import_data(data, fmt=fmt, source=source)  # type: ignore[arg-type]
    stored = _store(items, dry_run=dry_run, project_id=project_id)
    for entry, it in zip(stored, items, strict=True):
        entry["workflow"] = it.workflow.to_json_dict() if it.workflow is not None else None
    return {"workflows": stored, "totals": totals([i.report for i in items]).to_dict()}


def export_to_n8n(ref: str) -> dict[str, Any]:
    """The n8n JSON of a stored workflow (id or name) or a workflow file."""
    from engine.services.workflows import load_any

    return export_n8n(load_any(ref))
