"""The variables page: the ``$vars`` every workflow can read."""

from __future__ import annotations

from typing import Any

import reflex as rx

from studio.auth import AuthState
from studio.logic import backend, backend_more

__all__ = ["VariablesState"]


class VariablesState(AuthState):
    rows: list[dict[str, str]] = []
    loaded: bool = False
    new_key: str = ""
    new_value: str = ""
    error: str = ""
    search: str = ""

    @rx.var
    def shown(self) -> list[dict[str, str]]:
        needle = self.search.lower().strip()
        return [r for r in self.rows if not needle or needle in r["key"].lower()
                or needle in r["value"].lower()]

    @rx.event
    def load(self) -> None:
        p = self.principal_or_none()
        if p is None:
            return
        self.rows = backend_more.list_variables(p)
        self.loaded = True

    @rx.event
    def set_search(self, value: str) -> None:
        self.search = value

    @rx.event
    def set_new_key(self, value: str) -> None:
        self.new_key = value
        self.error = ""

    @rx.event
    def set_new_value(self, value: str) -> None:
        self.new_value = value

    @rx.event
    def add(self) -> Any:
        key = self.new_key.strip()
        if not key:
            self.error = "Give the variable a key, e.g. API_BASE_URL."
            return None
        if any(r["key"] == key for r in self.rows):
            self.error = f"{key} exists already; change its value in the table."
            return None
        try:
            backend_more.set_variable(self.principal(), key, self.new_value)
        except Exception as exc:
            self.error = backend.message_of(exc)
            return self.refuse(exc)
        self.new_key = self.new_value = ""
        self.load()
        return rx.toast.success(f"Added {key}. Use it as {{{{ $vars.{key} }}}}.")

    @rx.event
    def update(self, key: str, value: str) -> Any:
        if next((r["value"] for r in self.rows if r["key"] == key), None) == value:
            return None
        try:
            backend_more.set_variable(self.principal(), key, value)
        except Exception as exc:
            return self.refuse(exc)
        self.load()
        return rx.toast.success(f"Saved {key}.")

    @rx.event
    def delete(self, key: str) -> Any:
        try:
            backend_more.delete_variable(self.principal(), key)
        except Exception as exc:
            return self.refuse(exc)
        self.load()
        return rx.toast.success(f"Deleted {key}.")
