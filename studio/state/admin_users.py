"""Admin > Users: accounts (role, disable/enable, reset 2FA) and invitations (invite with
a link shown once, pending ones listed and revocable). Every change goes through
``engine.services.auth``, which authorizes it and writes the audit log."""

from __future__ import annotations

from typing import Any

import reflex as rx

from engine.errors import AuraError
from studio.auth import AuthState
from studio.state.admin_base import AdminGate, fmt_time

__all__ = ["AdminUsersState", "grantable_roles", "user_row"]

ROLES = ("viewer", "editor", "admin", "owner")


def grantable_roles(my_role: str) -> list[str]:
    """Roles the caller may give (never owner; never above their own)."""
    mine = ROLES.index(my_role) if my_role in ROLES else -1
    return [r for r in ROLES[:-1] if ROLES.index(r) <= mine]


def user_row(u: Any, me: Any) -> dict[str, str]:
    """One user as the table shows it; ``manage`` is "yes" when the caller may change
    them (someone else whose role is below theirs)."""
    mine = ROLES.index(me.role) if me.role in ROLES else -1
    theirs = ROLES.index(u.role) if u.role in ROLES else 99
    manage = u.id != me.user_id and theirs < mine
    return {"id": u.id, "email": u.email, "name": u.name or "", "role": u.role,
            "status": "disabled" if u.disabled else "active",
            "twofa": "on" if u.totp_enabled else "off",
            "last_login": fmt_time(u.last_login_at, "never"),
            "created": fmt_time(u.created_at), "manage": "yes" if manage else ""}


class AdminUsersState(AdminGate, AuthState):
    users: list[dict[str, str]] = []
    invitations: list[dict[str, str]] = []
    roles: list[str] = []
    search: str = ""
    # invite dialog
    invite_open: bool = False
    invite_email: str = ""
    invite_role: str = "editor"
    invite_error: str = ""
    invite_link: str = ""
    # confirmation of disable / reset 2FA / revoke invitation
    confirm_open: bool = False
    confirm_kind: str = ""
    confirm_id: str = ""
    confirm_label: str = ""

    def _reload(self, p: Any) -> None:
        from engine.services import auth

        users = auth.list_users(p, limit=500, search=self.search.strip() or None)
        self.users = [user_row(u, p) for u in users]
        emails = {u.id: u.email for u in auth.list_users(p, limit=500)}
        self.invitations = [{
            "id": i.id, "email": i.email, "role": i.role,
            "expires": fmt_time(i.expires_at),
            "invited_by": emails.get(i.invited_by or "", "") or "an admin"}
            for i in auth.list_invitations(p, pending_only=True)]
        self.roles = grantable_roles(p.role)

    @rx.event
    def load(self) -> Any:
        return self._load()

    @rx.event
    def set_search(self, value: str) -> Any:
        self.search = value
        return self.load()

    # -- inviting -----------------------------------------------------------------------
    @rx.event
    def open_invite(self) -> None:
        self.invite_email = ""
        self.invite_role = "editor"
        self.invite_error = ""
        self.invite_link = ""
        self.invite_open = True

    @rx.event
    def set_invite_open(self, value: bool) -> None:
        self.invite_open = value
        if not value:
            self.invite_link = ""

    @rx.event
    def set_invite_email(self, value: str) -> None:
        self.invite_email = value
        self.invite_error = ""

    @rx.event
    def set_invite_role(self, value: str) -> None:
        self.invite_role = value

    @rx.event
    def send_invite(self) -> Any:
        email = self.invite_email.strip()
        if "@" not in email:
            self.invite_error = "Enter the e-mail address of the person to invite."
            return None
        pending = next((i for i in self.invitations
                        if i["email"].lower() == email.lower()), None)
        if pending is not None:
            self.invite_error = (f"{pending['email']} already has a pending invitation (until "
                                 f"{pending['expires']} UTC); revoke it to send a new one.")
            return None
        from engine.services import auth

        try:
            p = self._admin()
            info = auth.invite(p, email, self.invite_role)
            self._reload(p)
        except AuraError as exc:
            self.invite_error = exc.message
            return None
        self.invite_link = info.link or ""
        return rx.toast.success(f"Invited {info.email} as {info.role}. Send them the link "
                                "(it was also e-mailed).")

    @rx.event
    def ask_revoke_invitation(self, invitation_id: str, email: str) -> None:
        self.confirm_kind, self.confirm_id, self.confirm_label = (
            "revoke", invitation_id, email)
        self.confirm_open = True

    # -- changing users -----------------------------------------------------------------
    @rx.event
    def change_role(self, user_id: str, role: str) -> Any:
        from engine.services import auth

        email = next((u["email"] for u in self.users if u["id"] == user_id), "They")
        return self._change(lambda p: auth.set_role(p, user_id, role),
                            f"{email} is now {role}.")

    @rx.event
    def ask_disable(self, user_id: str, email: str) -> None:
        self.confirm_kind, self.confirm_id, self.confirm_label = "disable", user_id, email
        self.confirm_open = True

    @rx.event
    def ask_reset_2fa(self, user_id: str, email: str) -> None:
        self.confirm_kind, self.confirm_id, self.confirm_label = "reset_2fa", user_id, email
        self.confirm_open = True

    @rx.event
    def cancel_confirm(self) -> None:
        self.confirm_open = False  # the text stays while the dialog fades out

    @rx.event
    def enable(self, user_id: str) -> Any:
        from engine.services import auth

        email = next((u["email"] for u in self.users if u["id"] == user_id), "They")
        return self._change(lambda p: auth.enable_user(p, user_id),
                            f"{email} can sign in again.")

    @rx.event
    def confirm(self) -> Any:
        from engine.services import auth

        if not self.confirm_open:
            return None
        kind, target, label = self.confirm_kind, self.confirm_id, self.confirm_label
        self.confirm_open = False
        done = {"disable": f"{label} is disabled: their sessions and API keys stopped "
                           "working.",
                "reset_2fa": f"Two-factor authentication of {label} is off; they set it up "
                             "again at their next sign-in.",
                "revoke": f"The invitation of {label} is revoked; its link no longer "
                          "works."}
        actions = {"disable": auth.disable_user, "reset_2fa": auth.reset_2fa,
                   "revoke": auth.revoke_invitation}
        if kind not in actions:
            return None
        return self._change(lambda p: actions[kind](p, target), done[kind])
