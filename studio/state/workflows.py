"""The workflows page: list, search, tags, folders, activate, create, duplicate, delete,
import and export."""

from __future__ import annotations

import dataclasses
from typing import Any

import reflex as rx

from studio.auth import AuthState
from studio.logic import backend

__all__ = ["MoveState", "WorkflowRow", "WorkflowsState"]


@dataclasses.dataclass
class WorkflowRow:
    """One line of the workflows table."""

    id: str = ""
    name: str = ""
    active: bool = False
    tags: list[str] = dataclasses.field(default_factory=list)
    folder: str = ""
    version: int = 0
    published: bool = False
    updated: str = ""
    last_status: str = ""
    last_run: str = ""


class WorkflowsState(AuthState):
    """State of the workflows page."""

    rows: list[WorkflowRow] = []
    total: int = 0
    search: str = ""
    tag: str = ""
    folder: str = ""
    folders: list[str] = []
    tags: list[str] = []
    loaded: bool = False
    confirm_delete_id: str = ""
    confirm_delete_name: str = ""
    new_open: bool = False
    new_name: str = ""
    new_folder: str = ""
    import_error: str = ""

    @rx.event
    def load(self) -> None:
        """Reads the list the user may see (with each workflow's last run)."""
        p = self.principal_or_none()
        if p is None:
            return
        folder = self.folder or None
        rows, self.total = backend.list_workflows(p, self.search, self.tag, folder)
        runs = backend.last_runs([r["id"] for r in rows])
        self.rows = [WorkflowRow(
            id=r["id"], name=r["name"], active=r["active"], tags=r["tags"],
            folder=r["folder"], version=r["version"], published=r["published"],
            updated=backend.ago(r["updated_at"]),
            last_status=runs.get(r["id"], {}).get("status", ""),
            last_run=backend.ago(runs.get(r["id"], {}).get("at"))) for r in rows]
        self.folders, self.tags = backend.folders_and_tags(p)
        self.loaded = True

    @rx.event
    def set_search(self, value: str) -> None:
        self.search = value
        self.load()

    @rx.event
    def set_tag(self, value: str) -> None:
        self.tag = "" if value in ("", "__all__") else value
        self.load()

    @rx.event
    def set_folder(self, value: str) -> None:
        self.folder = "" if value in ("", "__all__") else value
        self.load()

    # -- create -------------------------------------------------------------------------
    @rx.event
    def open_new(self) -> None:
        self.new_open = True
        self.new_name = ""
        self.new_folder = self.folder

    @rx.event
    def set_new_open(self, value: bool) -> None:
        self.new_open = value

    @rx.event
    def set_new_name(self, value: str) -> None:
        self.new_name = value

    @rx.event
    def set_new_folder(self, value: str) -> None:
        self.new_folder = value

    @rx.event
    def create(self) -> Any:
        """Creates an empty workflow and opens it in the editor."""
        try:
            wid = backend.create_workflow(self.principal(),
                                          self.new_name.strip() or "My workflow",
                                          folder=self.new_folder.strip())
        except Exception as exc:
            return self.refuse(exc)
        self.new_open = False
        return rx.redirect(f"/workflows/{wid}")

    # -- row actions --------------------------------------------------------------------
    @rx.event
    def toggle_active(self, wid: str, active: bool) -> Any:
        try:
            note = backend.set_active(self.principal(), wid, active)
        except Exception as exc:
            return self.refuse(exc)
        self.load()
        if note:
            return rx.toast.info(note)
        return rx.toast.success("Active: its triggers are on." if active else
                                "Inactive: its triggers are off.")

    @rx.event
    def duplicate(self, wid: str) -> Any:
        try:
            backend.duplicate_workflow(self.principal(), wid)
        except Exception as exc:
            return self.refuse(exc)
        self.load()
        return rx.toast.success("Duplicated.")

    @rx.event
    def ask_delete(self, wid: str, name: str) -> None:
        self.confirm_delete_id = wid
        self.confirm_delete_name = name

    @rx.event
    def cancel_delete(self) -> None:
        self.confirm_delete_id = ""

    @rx.event
    def confirm_delete(self) -> Any:
        wid, self.confirm_delete_id = self.confirm_delete_id, ""
        try:
            backend.delete_workflow(self.principal(), wid)
        except Exception as exc:
            return self.refuse(exc)
        self.load()
        return rx.toast.success("Workflow deleted. Its executions are kept.")

    @rx.event
    def export(self, wid: str) -> Any:
        try:
            name, text = backend.export_json(self.principal(), wid)
        except Exception as exc:
            return self.refuse(exc)
        return rx.download(data=text, filename=name)

    @rx.event
    async def import_files(self, files: list[rx.UploadFile]) -> Any:
        """Imports uploaded .json files (each one workflow or a list of them)."""
        done: list[str] = []
        self.import_error = ""
        for f in files:
            try:
                data = await f.read()
                done += [r["name"] for r in backend.import_text(self.principal(), data,
                                                                f.filename or "upload")]
            except Exception as exc:
                self.import_error = backend.message_of(exc)
                self.load()
                return rx.toast.error(self.import_error, duration=10000)
        self.load()
        return rx.toast.success(f"Imported {', '.join(done)}." if done else "Nothing imported.")


class MoveState(WorkflowsState):
    """The 'Move to folder' dialog of the workflows page."""

    move_id: str = ""
    move_folder: str = ""

    @rx.event
    def ask_move(self, wid: str, folder: str) -> None:
        self.move_id = wid
        self.move_folder = folder

    @rx.event
    def set_move_folder(self, value: str) -> None:
        self.move_folder = value

    @rx.event
    def cancel_move(self) -> None:
        self.move_id = ""

    @rx.event
    def confirm_move(self) -> Any:
        wid, self.move_id = self.move_id, ""
        try:
            backend.move_to_folder(self.principal(), wid, self.move_folder.strip())
        except Exception as exc:
            return self.refuse(exc)
        self.load()
        return rx.toast.success(f"Moved to {self.move_folder.strip() or 'the top level'}.")
