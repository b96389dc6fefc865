"""The 'Import from n8n or Node-RED' dialog: paste or upload, see the report, then save.

Converting stores nothing (``engine.services.interop`` in dry-run); saving creates each
converted workflow in the user's project, with the nodes the report flags (placeholders,
notes, expressions kept) carrying the reason in their canvas note (the importer writes it),
and opens the first. A JSON file dropped on the editor's canvas opens this dialog with
its report (:meth:`ImportState.drop_file`).
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import reflex as rx

from studio.auth import AuthState

__all__ = ["ImportNodeRow", "ImportState"]

MAX_TEXT = 5 * 1024 * 1024
_STATUS = {"mapped": "mapped", "mapped_with_notes": "with notes", "not_supported": "placeholder"}


@dataclasses.dataclass
class ImportNodeRow:
    """One node of the report table."""

    workflow: str = ""
    name: str = ""
    source_type: str = ""
    status: str = ""
    target: str = ""
    notes: str = ""


class ImportState(AuthState):
    """State of the import dialog on the workflows page."""

    import_open: bool = False
    import_text: str = ""
    import_format: str = "auto"
    import_source: str = "pasted"
    import_error: str = ""
    import_summary: str = ""
    import_rows: list[ImportNodeRow] = []
    import_credentials: list[str] = []
    import_count: int = 0
    _converted: list[str] = []
    """The converted definitions as JSON text (plain data, not state proxies)."""

    @rx.event
    def open_import(self) -> None:
        self.import_open = True
        self.import_error = ""

    @rx.event
    def set_import_open(self, value: bool) -> None:
        self.import_open = value

    @rx.event
    def set_import_text(self, value: str) -> None:
        self.import_text = value[:MAX_TEXT]
        self.import_source = "pasted"

    @rx.event
    def set_import_format(self, value: str) -> None:
        self.import_format = value if value in ("auto", "n8n", "node-red") else "auto"

    def _reset_report(self) -> None:
        self.import_error = self.import_summary = ""
        self.import_rows, self.import_credentials, self._converted = [], [], []
        self.import_count = 0

    @rx.event
    def convert(self) -> None:
        """Converts the pasted or uploaded document and shows the report (stores nothing)."""
        from engine.errors import AuraError
        from engine.graph import parse_json
        from engine.services import interop

        self._reset_report()
        if not self.import_text.strip():
            self.import_error = "Paste a workflow's JSON, or upload its file, first."
            return
        try:
            self.principal()
            what = "pasted text" if self.import_source == "pasted" else f"file {self.import_source}"
            data = parse_json(self.import_text, what=what)
            result = interop.import_document(
                data, fmt=self.import_format, source=self.import_source, dry_run=True
            )
        except AuraError as exc:
            self.import_error = exc.message
            return
        rows, creds, errors = [], [], []
        for w in result["workflows"]:
            report = w["report"]
            if report["error"]:
                errors.append(f"{w['name'] or w['source']}: {report['error']}")
                continue
            self._converted.append(json.dumps(w["workflow"]))
            for n in report["nodes"]:
                kept = sum(e["status"] == "kept" for e in n["expressions"])
                notes = "; ".join(
                    n["notes"]
                    + ([f"{kept} expression(s) kept"] if kept else [])
                    + [f"(info) {i}" for i in n.get("info", [])]
                )
                rows.append(
                    ImportNodeRow(
                        w["name"],
                        n["name"],
                        n["source_type"],
                        _STATUS[n["status"]],
                        n["target_type"] or "",
                        notes[:300],
                    )
                )
            creds += [
                f"{c['node']}: {c['source_kind']} '{c['source_name']}' → "
                f"{c['kind'] or 'no AURA kind yet'}"
                for c in report["credentials"]
            ]
        t = result["totals"]
        self.import_rows, self.import_credentials = rows, creds
        self.import_count = len(self._converted)
        self.import_error = "; ".join(errors)
        self.import_summary = (
            f"{t['imported']} workflow(s) converted: {t['mapped']} nodes mapped, "
            f"{t['mapped_with_notes']} with notes to check, {t['not_supported']} placeholders; "
            f"{t['translated']} of {t['expressions']} expressions translated; "
            f"{t['credentials']} credential(s) to create."
        )

    @rx.event
    async def upload(self, files: list[rx.UploadFile]) -> None:
        """Reads an uploaded (or dropped) file and converts it."""
        for f in files[:1]:
            data = await f.read()
            self.import_text = data[:MAX_TEXT].decode("utf-8-sig", errors="replace")
            self.import_source = f.filename or "upload"
        self.convert()

    @rx.event
    def drop_file(self, name: str, text: str, size: int) -> None:
        """A file dropped on the editor's canvas: the dialog opens with its report."""
        self.import_open = True
        self.import_format = "auto"
        self.import_source = str(name or "dropped file")[:200]
        if int(size or 0) > MAX_TEXT:
            self._reset_report()
            self.import_text = ""
            self.import_error = (
                f"{self.import_source} is larger than {MAX_TEXT // (1024 * 1024)} MB; "
                "import it with 'aura workflow import --from auto FILE' instead."
            )
            return
        self.import_text = str(text or "")[:MAX_TEXT]
        self.convert()

    @rx.event
    def save(self) -> Any:
        """Creates the converted workflows and opens the first in the editor."""
        from studio.logic import backend

        if not self._converted:
            return rx.toast.error("Convert a workflow first.")
        try:
            p = self.principal()
            ids = [backend.create_workflow(p, definition=json.loads(d)) for d in self._converted]
        except Exception as exc:
            return self.refuse(exc)
        self.import_open = False
        self._reset_report()
        self.import_text = ""
        return [
            rx.toast.success(
                f"Imported {len(ids)} workflow(s); flagged nodes carry a note saying what to check."
            ),
            rx.redirect(f"/workflows/{ids[0]}"),
        ]
