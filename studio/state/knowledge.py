"""The knowledge list page's state: the knowledge bases (create, delete). One base's page
is :mod:`studio.state.knowledge_base`. Everything goes through
:mod:`engine.services.knowledge`, as the signed-in user."""

from __future__ import annotations

from typing import Any

import reflex as rx

from engine.errors import AuraError, AuthenticationError
from studio.auth import AuthState

__all__ = ["KnowledgeState"]


def _when(iso: str) -> str:
    return iso[:16].replace("T", " ")


def _base_row(v: Any) -> dict[str, str]:
    return {
        "id": v.id,
        "name": v.name,
        "documents": str(v.documents),
        "chunks": str(v.chunks),
        "model": v.model,
        "chunking": f"{v.chunking.get('size', 200)} / {v.chunking.get('overlap', 30)}",
        "updated": _when(v.updated_at.isoformat()),
    }


def _message(exc: BaseException) -> str:
    return exc.message if isinstance(exc, AuraError) else f"{type(exc).__name__}: {exc}"


class KnowledgeState(AuthState):
    """The list page: the knowledge bases the user may read, New and Delete."""

    bases: list[dict[str, str]] = []
    loaded: bool = False
    create_open: bool = False
    new_name: str = ""
    new_size: str = "200"
    new_overlap: str = "30"
    create_error: str = ""
    confirm_id: str = ""
    confirm_name: str = ""

    @rx.event
    def load(self) -> Any:
        from engine.services import knowledge

        p = self.principal_or_none()
        if p is None:
            return None
        try:
            self.bases = [_base_row(v) for v in knowledge.list_bases(p)]
        except Exception as exc:
            return self.refuse(exc)
        finally:
            self.loaded = True
        return None

    @rx.event
    def open_create(self) -> None:
        self.create_open, self.create_error = True, ""
        self.new_name, self.new_size, self.new_overlap = "", "200", "30"

    @rx.event
    def set_create_open(self, value: bool) -> None:
        self.create_open = value

    @rx.event
    def set_new_name(self, value: str) -> None:
        self.new_name, self.create_error = value, ""

    @rx.event
    def set_new_size(self, value: str) -> None:
        self.new_size = value

    @rx.event
    def set_new_overlap(self, value: str) -> None:
        self.new_overlap = value

    @rx.event
    def create(self) -> Any:
        from engine.services import knowledge

        name = self.new_name.strip()
        if not name:
            self.create_error = "Give the knowledge base a name, e.g. Handbook."
            return None
        try:
            chunking = {"size": int(self.new_size), "overlap": int(self.new_overlap)}
        except ValueError:
            self.create_error = "Chunk size and overlap are whole numbers of tokens."
            return None
        try:
            view = knowledge.create_base(self.principal(), name, chunking=chunking)
        except Exception as exc:
            self.create_error = _message(exc)
            quiet = isinstance(exc, AuraError) and not isinstance(exc, AuthenticationError)
            return None if quiet else self.refuse(exc)
        self.create_open = False
        return [
            rx.redirect(f"/knowledge/{view.id}"),
            rx.toast.success(f"Created {view.name}. Add documents to it."),
        ]

    @rx.event
    def ask_delete(self, kb_id: str, name: str) -> None:
        self.confirm_id, self.confirm_name = kb_id, name

    @rx.event
    def cancel_delete(self) -> None:
        self.confirm_id = self.confirm_name = ""

    @rx.event
    def confirm_delete(self) -> Any:
        from engine.services import knowledge

        kb_id, name = self.confirm_id, self.confirm_name
        self.confirm_id = self.confirm_name = ""
        try:
            knowledge.delete_base(self.principal(), kb_id)
        except Exception as exc:
            return self.refuse(exc)
        self.load()
        return rx.toast.success(f"Deleted {name}, its documents and their vectors.")
