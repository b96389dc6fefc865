"""The account page: change my password, turn two-factor authentication on or off, new
recovery codes. Everything acts for the signed-in user only (``engine.services.auth``
refuses API keys and other users)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from engine.errors import AuraError
from studio.auth import AuthState

__all__ = ["AccountState"]


def _code(form: dict[str, Any]) -> str:
    return str(form.get("code") or "").strip().replace(" ", "")


class AccountState(AuthState):
    """State of /account."""

    totp_enabled: bool = False
    required_2fa: bool = False
    enrolling: bool = False
    qr_svg: str = ""
    totp_secret: str = ""
    recovery_codes: list[str] = []
    password_error: str = ""
    totp_error: str = ""
    form_key: int = 0

    def _refresh(self) -> None:
        from engine.services import auth

        p = self.principal()
        info = auth.me(p)
        self.totp_enabled = info.totp_enabled
        self.required_2fa = info.role in auth.required_2fa_roles()

    @rx.event
    def load(self) -> None:
        if not self.signed_in:
            return
        self.password_error = self.totp_error = ""
        self.recovery_codes = []
        # an enrolment under way survives a reload: the code the user may already have
        # scanned stays the one that works (a new secret would silently replace it)
        pending = self.enrolling and bool(self.totp_secret)
        try:
            self._refresh()
        except AuraError:
            return
        if self.totp_enabled:
            self.enrolling = False
            self.qr_svg = self.totp_secret = ""
        elif self.must_enrol_2fa and not pending:
            self.start_enrolment()
        elif not pending:
            self.enrolling = False

    @rx.event
    def change_password(self, form: dict[str, Any]) -> Any:
        from engine.services import auth

        new = str(form.get("new_password") or "")
        if new != str(form.get("confirm") or ""):
            self.password_error = "The two new passwords differ; type the same one " \
                "twice."  # noqa: S105 (a message)
            return None
        try:
            tokens = auth.change_password(self.principal(), str(form.get("old_password")
                                                                or ""), new)
        except AuraError as exc:
            self.password_error = exc.message
            return None
        self.password_error = ""
        self.form_key += 1
        # every session ended with the change: this browser gets the new one
        return [rx.toast.success("Password changed. Other sessions were signed out."),
                self.sign_in_with(tokens.to_dict(), "/account")]

    @rx.event
    def start_enrolment(self) -> None:
        from engine.services import auth

        try:
            e = auth.start_totp_enrolment(self.principal())
        except AuraError as exc:
            self.totp_error = exc.message
            return
        self.qr_svg = e.qr_svg or ""
        self.totp_secret = e.secret
        self.enrolling = True
        self.totp_error = ""

    @rx.event
    def cancel_enrolment(self) -> None:
        self.enrolling = False
        self.qr_svg = self.totp_secret = ""

    @rx.event
    def confirm_enrolment(self, form: dict[str, Any]) -> Any:
        from engine.services import auth

        try:
            self.recovery_codes = auth.confirm_totp(self.principal(), _code(form))
        except AuraError as exc:
            self.totp_error = exc.message
            return None
        self._scopes = []
        self.must_enrol_2fa = False
        self.enrolling = False
        self.qr_svg = self.totp_secret = ""
        self.totp_error = ""
        self.totp_enabled = True
        return rx.toast.success("Two-factor authentication is on.")

    @rx.event
    def disable(self, form: dict[str, Any]) -> Any:
        from engine.services import auth

        try:
            auth.disable_totp(self.principal(), _code(form))
        except AuraError as exc:
            self.totp_error = exc.message
            return None
        self.totp_error = ""
        self.totp_enabled = False
        self.recovery_codes = []
        return rx.toast.success("Two-factor authentication is off.")

    @rx.event
    def new_recovery_codes(self, form: dict[str, Any]) -> Any:
        from engine.services import auth

        try:
            self.recovery_codes = auth.regenerate_recovery_codes(self.principal(),
                                                                 _code(form))
        except AuraError as exc:
            self.totp_error = exc.message
            return None
        self.totp_error = ""
        return rx.toast.success("New recovery codes: the old ones no longer work.")

    @rx.event
    def hide_codes(self) -> None:
        self.recovery_codes = []
