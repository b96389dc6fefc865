"""API keys: everyone manages their own keys; owners and admins also see (and revoke)
everyone's. A new key is shown exactly once, right after it is created."""

from __future__ import annotations

from typing import Any

import reflex as rx

from engine.errors import AuraError
from studio.auth import AuthState
from studio.state.admin_base import ADMIN_ROLES, AdminGate, fmt_time

__all__ = ["EXPIRY_CHOICES", "AdminApiKeysState", "key_row", "scope_areas", "scopes_of"]

EXPIRY_CHOICES = [("30", "30 days"), ("90", "90 days"), ("365", "1 year"),
                  ("never", "Never")]


def scope_areas() -> list[dict[str, str]]:
    """One row per permission area: its name, and its read action if it has one."""
    from engine.services.auth import PERMISSIONS

    areas: dict[str, str] = {}
    for action in PERMISSIONS:
        area, _, verb = action.partition(":")
        areas.setdefault(area, "")
        if verb in ("read", "list"):
            areas[area] = action
    return [{"area": a, "read": r} for a, r in sorted(areas.items())]


def scopes_of(full: bool, choices: dict[str, str]) -> list[str]:
    """The scopes of the form: ``*``, or per area ``<area>:*`` (full) / its read action."""
    if full:
        return ["*"]
    reads = {a["area"]: a["read"] for a in scope_areas()}
    out: list[str] = []
    for area, choice in sorted(choices.items()):
        if choice == "full":
            out.append(f"{area}:*")
        elif choice == "read" and reads.get(area):
            out.append(reads[area])
    return out


def key_row(k: Any, emails: dict[str, str], me: str | None) -> dict[str, str]:
    status = "active" if k.active else ("revoked" if k.revoked_at else "expired")
    return {"id": k.id, "name": k.name, "prefix": k.prefix, "scopes": ", ".join(k.scopes),
            "created": fmt_time(k.created_at), "expires": fmt_time(k.expires_at, "never"),
            "last_used": fmt_time(k.last_used_at, "never"), "status": status,
            "owner": emails.get(k.user_id, k.user_id), "mine": "yes" if k.user_id == me
            else ""}


class AdminApiKeysState(AdminGate, AuthState):
    keys: list[dict[str, str]] = []
    is_admin_view: bool = False
    show_all: bool = False
    areas: list[dict[str, str]] = []
    # create dialog
    create_open: bool = False
    name: str = ""
    full_access: bool = False
    choices: dict[str, str] = {}
    expiry: str = "90"
    create_error: str = ""
    new_key: str = ""
    new_key_name: str = ""
    # revoke confirmation
    revoke_open: bool = False
    revoke_id: str = ""
    revoke_label: str = ""

    @rx.var
    def chosen_scopes(self) -> list[str]:
        return scopes_of(self.full_access, self.choices)

    def _reload(self, p: Any) -> None:
        from engine.services import auth

        self.is_admin_view = p.role in ADMIN_ROLES
        everyone = self.show_all and self.is_admin_view
        emails = ({u.id: u.email for u in auth.list_users(p, limit=1000)} if everyone
                  else {str(p.user_id): str(p.email or "")})
        rows = auth.list_api_keys(p, all_users=everyone)
        rows.sort(key=lambda k: (not k.active, -k.created_at.timestamp()))
        self.keys = [key_row(k, emails, p.user_id) for k in rows]

    @rx.event
    def load(self) -> Any:
        self.areas = scope_areas()
        return self._load(admin=False)

    @rx.event
    def set_show_all(self, value: bool) -> Any:
        self.show_all = value
        return self.load()

    # -- create -------------------------------------------------------------------------
    @rx.event
    def open_create(self) -> None:
        self.name, self.create_error, self.new_key, self.new_key_name = "", "", "", ""
        self.full_access, self.choices, self.expiry = False, {"workflow": "read"}, "90"
        self.create_open = True

    @rx.event
    def set_create_open(self, value: bool) -> None:
        self.create_open = value
        if not value:
            self.new_key = ""  # the secret leaves the page with the dialog

    @rx.event
    def set_name(self, value: str) -> None:
        self.name, self.create_error = value, ""

    @rx.event
    def set_full_access(self, value: bool) -> None:
        self.full_access = value

    @rx.event
    def set_choice(self, area: str, value: str) -> None:
        self.choices = {**self.choices, area: value}

    @rx.event
    def set_expiry(self, value: str) -> None:
        self.expiry = value

    @rx.event
    def create(self) -> Any:
        from engine.services import auth

        name = self.name.strip()
        scopes = scopes_of(self.full_access, self.choices)
        if not name:
            self.create_error = "Give the key a name that says where it is used, e.g. "\
                "'CI deploy'."
            return None
        if not scopes:
            self.create_error = "Choose what the key may do (at least one area)."
            return None
        days = None if self.expiry == "never" else int(self.expiry)
        try:
            p = self._principal()
            info, key = auth.create_api_key(p, name, scopes, days)
            self._reload(p)
        except AuraError as exc:
            self.create_error = exc.message
            return None
        self.new_key, self.new_key_name, self.create_error = key, info.name, ""
        return None

    # -- revoke -------------------------------------------------------------------------
    @rx.event
    def ask_revoke(self, key_id: str, label: str) -> None:
        self.revoke_id, self.revoke_label, self.revoke_open = key_id, label, True

    @rx.event
    def cancel_revoke(self) -> None:
        self.revoke_open = False  # the name stays while the dialog fades out

    @rx.event
    def revoke(self) -> Any:
        from engine.services import auth

        if not self.revoke_open:
            return None
        key_id, label, self.revoke_open = self.revoke_id, self.revoke_label, False
        return self._change(lambda p: auth.revoke_api_key(p, key_id),
                            f"Revoked '{label}': it stopped working at once.", admin=False)
