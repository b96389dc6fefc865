"""The settings page: instance settings kept in the store, and facts about this instance."""

from __future__ import annotations

from typing import Any

import reflex as rx

from studio.auth import AuthState
from studio.logic import backend

__all__ = ["SettingsState"]

DEFAULTS = {"studio.default_timezone": "UTC", "studio.save_manual_executions": True}


class SettingsState(AuthState):
    timezone: str = "UTC"
    save_manual: bool = True
    facts: list[dict[str, str]] = []
    error: str = ""

    @rx.event
    def load(self) -> None:
        from studio.logic import settings as settings_logic

        p = self.principal_or_none()
        if p is None:
            return
        values = settings_logic.read(DEFAULTS)
        self.timezone = str(values["studio.default_timezone"])
        self.save_manual = bool(values["studio.save_manual_executions"])
        self.facts = settings_logic.facts()

    @rx.event
    def save(self, form: dict[str, Any]) -> Any:
        from studio.logic import settings as settings_logic

        try:
            settings_logic.write(self.principal(), {
                "studio.default_timezone": str(form.get("timezone", "UTC")).strip() or "UTC",
                "studio.save_manual_executions": bool(self.save_manual),
            })
        except (ValueError, TypeError) as exc:
            self.error = backend.message_of(exc)
            return None
        except Exception as exc:
            self.error = backend.message_of(exc)
            return self.refuse(exc)
        self.error = ""
        self.load()
        return rx.toast.success("Settings saved.")

    @rx.event
    def set_save_manual(self, value: bool) -> None:
        self.save_manual = value
