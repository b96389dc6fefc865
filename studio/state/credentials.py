"""The credentials page (first cut: list; typed forms come with engine.services.credentials)."""

from __future__ import annotations

import reflex as rx

from studio.logic import backend_more

__all__ = ["CredentialsState"]


class CredentialsState(rx.State):
    rows: list[dict[str, str]] = []
    loaded: bool = False

    @rx.event
    def load(self) -> None:
        self.rows = backend_more.credentials_of_kinds([])
        self.loaded = True
