"""Version history of the open workflow: list, diff against the draft, restore, publish."""

from __future__ import annotations

from typing import Any

import reflex as rx

from studio.logic import backend, diff
from studio.state.editor import EditorState

__all__ = ["HistoryState"]


class HistoryState(EditorState):
    """The history drawer of the editor."""

    history_open: bool = False
    versions: list[dict[str, Any]] = []
    selected: int = 0
    changes: list[dict[str, str]] = []

    @rx.event
    def toggle_history(self) -> None:
        self.history_open = not self.history_open
        if self.history_open:
            self.refresh()

    @rx.event
    def close_history(self) -> None:
        self.history_open = False
        self.selected = 0
        self.changes = []

    @rx.event
    def set_history_open(self, value: bool) -> None:
        self.history_open = value
        if value:
            self.refresh()

    @rx.event
    def refresh(self) -> None:
        if not self.current_id or self.read_only:
            return
        try:
            self.versions = backend.versions(self.principal(), self.current_id)
        except Exception:
            self.versions = []
        if self.selected and not any(v["number"] == self.selected for v in self.versions):
            self.selected = 0

    @rx.event
    def select(self, number: int) -> None:
        """Shows what changed from version ``number`` to what is on the canvas now."""
        self.selected = number
        try:
            old = backend.version_definition(self.principal(), self.current_id, number)
        except Exception as exc:
            self.changes = [{"kind": "changed", "what": "Error",
                             "detail": backend.message_of(exc)}]
            return
        self.changes = diff.diff(old, self.workflow_dict())

    @rx.event
    def restore(self, number: int) -> Any:
        """Makes version ``number`` the draft again (as a new version) and reloads it."""
        try:
            p = self.principal()
            new = backend.restore(p, self.current_id, number)
            data, info = backend.load_definition(p, self.current_id)
        except Exception as exc:
            return self.refuse(exc)
        self._open(data, info)
        self.refresh()
        self.selected = 0
        self.changes = []
        return rx.toast.success(f"Restored version {number} as version {new}.")

    @rx.event
    def publish_version(self, number: int) -> Any:
        try:
            self.published = backend.publish(self.principal(), self.current_id, number)
        except Exception as exc:
            return self.refuse(exc)
        self.refresh()
        return rx.toast.success(f"Version {number} is published.")

    @rx.event
    def unpublish(self) -> Any:
        try:
            backend.unpublish(self.principal(), self.current_id)
        except Exception as exc:
            return self.refuse(exc)
        self.published = 0
        self.active = False
        self.refresh()
        return rx.toast.info("Unpublished: the workflow's triggers are off.")
