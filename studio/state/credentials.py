"""The credentials page: list, create, edit, test and delete credentials with forms typed
by their kind. Secrets are masked in every view; the browser never gets them back."""

from __future__ import annotations

from typing import Any

import reflex as rx

from studio.auth import AuthState, current_principal
from studio.logic import backend, form
from studio.logic import credentials as creds

__all__ = ["CredentialsState"]


class CredentialsState(AuthState):
    rows: list[dict[str, str]] = []
    kinds: list[dict[str, str]] = []
    loaded: bool = False
    service_missing: bool = False
    # the dialog
    dialog_open: bool = False
    editing_id: str = ""
    kind: str = ""
    kind_title: str = ""
    kind_description: str = ""
    name: str = ""
    fields: list[dict[str, Any]] = []
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    rev: int = 0
    tested: bool = False
    test_ok: bool = False
    test_message: str = ""
    confirm_delete_id: str = ""

    @rx.event
    def load(self) -> None:
        self.service_missing = not creds.available()
        if self.service_missing:
            self.loaded = True
            return
        p = self.principal_or_none()
        if p is None:
            return
        self.kinds = creds.kinds()
        try:
            self.rows = creds.list_rows(p)
        except Exception:
            self.rows = []
        self.loaded = True

    def _set_kind(self, kind: str) -> None:
        info = next((k for k in self.kinds if k["kind"] == kind), None)
        self.kind = kind
        self.kind_title = info["title"] if info else kind
        self.kind_description = info["description"] if info else ""
        self.fields = creds.fields_of(kind)

    @rx.event
    def new(self) -> None:
        self.editing_id = ""
        self.name = ""
        self.values = {}
        self.errors = {}
        self.tested = False
        self._set_kind(self.kinds[0]["kind"] if self.kinds else "")
        self.rev += 1
        self.dialog_open = True

    @rx.event
    def edit(self, cid: str) -> Any:
        try:
            data = creds.load(current_principal(self), cid)
        except Exception as exc:
            return self.refuse(exc)
        self.editing_id = cid
        self.name = data["name"]
        self._set_kind(data["kind"])
        self.values = data["data"]
        self.errors = {}
        self.tested = False
        self.rev += 1
        self.dialog_open = True
        return None

    @rx.event
    def set_dialog_open(self, value: bool) -> None:
        self.dialog_open = value

    @rx.event
    def choose_kind(self, kind: str) -> None:
        if self.editing_id:
            return
        self._set_kind(kind)
        self.values = {}
        self.errors = {}
        self.tested = False
        self.rev += 1

    @rx.event
    def set_name(self, value: str) -> None:
        self.name = value

    @rx.event
    def on_change_value(self, path: str, value: Any, kind: str, integer: bool) -> None:
        values = dict(self.values)
        form.set_path(values, path, form.coerce(kind, value, integer))
        self.values = values
        self.tested = False
        if self.errors:
            self.errors = creds.validation_errors(self.kind, self.values,
                                                  bool(self.editing_id))

    @rx.event
    def noop(self, *args: Any) -> None:
        """Credential forms have no lists or expression modes."""

    @rx.event
    def test(self) -> None:
        try:
            self.test_ok, self.test_message = creds.test(
                current_principal(self), self.editing_id, self.kind, dict(self.values))
        except Exception as exc:
            self.test_ok, self.test_message = False, backend.message_of(exc)
        self.tested = True

    @rx.event
    def save(self) -> Any:
        self.errors = creds.validation_errors(self.kind, self.values, bool(self.editing_id))
        if not self.name.strip():
            self.errors = {**self.errors, "name": "Give the credential a name."}
        if self.errors:
            return rx.toast.warning("Fix the fields marked in red.")
        try:
            creds.save(current_principal(self), self.editing_id, self.name.strip(), self.kind,
                       dict(self.values))
        except Exception as exc:
            return self.refuse(exc, duration=10000)
        self.dialog_open = False
        self.load()
        return rx.toast.success(f"Saved '{self.name.strip()}'. Its secrets are encrypted.")

    @rx.event
    def ask_delete(self, cid: str) -> None:
        self.confirm_delete_id = cid

    @rx.event
    def cancel_delete(self) -> None:
        self.confirm_delete_id = ""

    @rx.event
    def confirm_delete(self) -> Any:
        cid, self.confirm_delete_id = self.confirm_delete_id, ""
        try:
            creds.delete(current_principal(self), cid)
        except Exception as exc:
            return self.refuse(exc)
        self.load()
        return rx.toast.success("Credential deleted. Nodes that used it need another one.")
