"""Signing in: the login page (password, 2FA code, 2FA enrolment), first-run set-up,
accepting an invitation and resetting a forgotten password.

Passwords and codes arrive with the form's submit event and are never kept in state;
the 2FA challenge and enrolment tokens stay in backend-only vars. A successful sign-in
ends with :meth:`AuthState.sign_in_with` (a single-use ticket the backend turns into
httpOnly cookies).
"""

from __future__ import annotations

import importlib
from typing import Any

import reflex as rx

from engine.errors import AuraError
from studio.api.tickets import safe_next
from studio.auth import SESSION_COOKIE, AuthState, _cookie

__all__ = ["InviteState", "LoginState", "ResetState", "SetupState", "login_options"]


def login_options() -> list[dict[str, str]]:
    """Single sign-on buttons: ``engine.services.oidc.login_options()`` when installed."""
    try:
        mod = importlib.import_module("engine.services.oidc")
    except ImportError:
        return []
    try:
        options = mod.login_options()
    except Exception:  # a misconfigured provider must not break password login
        return []
    return [{"name": str(o.get("name", "")), "label": str(o.get("label", o.get("name"))),
             "start_path": str(o.get("start_path", ""))} for o in options or []
            if str(o.get("start_path", "")).startswith("/")]


def _check_password_allowed() -> None:
    """PermissionDenied when an admin turned password sign-in off (single sign-on
    only); nothing when the OIDC service is not installed."""
    try:
        mod = importlib.import_module("engine.services.oidc")
    except ImportError:
        return
    check = getattr(mod, "check_password_login", None)
    if check is not None:
        check()


def _text(form: dict[str, Any], key: str) -> str:
    return str(form.get(key) or "").strip()


def _ip(state: rx.State) -> str | None:
    """The address signing in: the websocket's peer, or what a trusted proxy says
    (``AURA_TRUSTED_PROXIES``), so the per-address login limit counts the right one."""
    from engine.services.auth import client_address

    raw = state.router.headers.raw_headers
    peer = str(raw.get("asgi-scope-client") or state.router.session.client_ip or "")
    return client_address(peer or None, raw.get("x-forwarded-for"))


class LoginState(AuthState):
    """The login page: e-mail and password, then a 2FA code or 2FA enrolment."""

    step: str = "password"
    email: str = ""
    error: str = ""
    notice: str = ""
    next_path: str = "/workflows"
    sso: list[dict[str, str]] = []
    backend_url: str = ""
    qr_svg: str = ""
    totp_secret: str = ""
    recovery_codes: list[str] = []
    busy: bool = False
    sso_next: str = ""
    _challenge: str = ""
    _tokens: dict[str, Any] = {}
    _claim: str = ""

    @rx.var
    def sso_links(self) -> list[dict[str, str]]:
        from urllib.parse import quote

        return [{**o, "href": f"{self.backend_url}{o['start_path']}?next="
                 f"{quote(self.sso_next, safe='/:')}"} for o in self.sso]

    @rx.event
    def load(self) -> Any:
        from engine.services import auth

        if not auth.has_owner():
            return rx.redirect("/setup")
        q = self.router.url.query_parameters
        self.next_path = safe_next(q.get("next")) or "/workflows"
        if self.next_path.startswith("/login"):
            self.next_path = "/workflows"
        self.error = str(q.get("error", ""))[:300]
        self.notice = str(q.get("notice", ""))[:300]
        self.step = "password"
        self._challenge, self._tokens = "", {}
        self.qr_svg = self.totp_secret = ""
        self.recovery_codes = []
        self.backend_url = self._backend_origin()
        page = self._page_origin()
        # single sign-on comes back to the page's origin (which may not be the backend's)
        self.sso_next = self.next_path if page == self.backend_url else \
            f"{page}{self.next_path}"
        self.sso = login_options()
        if q.get("needs_2fa"):
            return self._sso_challenge()
        token = _cookie(str(self.router.headers.cookie or ""), SESSION_COOKIE)
        if token and not self.error:
            try:
                p = auth.principal_from_access_token(token)
            except AuraError:
                return None
            if p.scopes:  # signed in, but must first set up 2FA
                return rx.redirect("/account?enrol=1")
            return rx.redirect(self.next_path)
        return None

    def _sso_challenge(self) -> Any:
        """After a single sign-on that needs a 2FA code: fetch its challenge (an httpOnly
        cookie only ``/api/v1/auth`` sees) through ``/api/v1/auth/studio-challenge``."""
        from studio.api import tickets

        claim, self._claim = self._claim, ""
        if claim:
            data = tickets.take(claim, "challenge-filled") or {}
            if data.get("challenge"):
                self._challenge = str(data["challenge"])
                self.step = "code"
                return None
            self.error = "This single sign-on step expired; sign in again."
            return None
        self._claim = tickets.issue("challenge", origin=self._page_origin())
        return self._full_page("/api/v1/auth/studio-challenge", ticket=self._claim,
                               next=self._here())

    @rx.event
    def submit_password(self, form: dict[str, Any]) -> Any:
        from engine.services import auth

        self.email = _text(form, "email")
        self.error = self.notice = ""
        if not self.email or not form.get("password"):
            self.error = "Enter your e-mail address and password."
            return None
        try:
            _check_password_allowed()
            result = auth.login(self.email, str(form.get("password")), ip=_ip(self))
        except AuraError as exc:
            self.error = exc.message
            return None
        if result.needs_2fa:
            self._challenge = result.challenge_token or ""
            self.step = "code"
            return None
        assert result.tokens is not None
        if result.must_enrol_2fa:
            self._tokens = result.tokens.to_dict()
            return self._start_enrolment()
        return self.sign_in_with(result.tokens.to_dict(), self.next_path)

    @rx.event
    def submit_code(self, form: dict[str, Any]) -> Any:
        from engine.services import auth

        code = _text(form, "code").replace(" ", "")
        if not code:
            self.error = "Enter the 6-digit code from your authenticator app, or a " \
                "recovery code."
            return None
        try:
            tokens = auth.verify_2fa(self._challenge, code, ip=_ip(self))
        except AuraError as exc:
            self.error = exc.message
            return None
        self.error = ""
        self._challenge = ""
        return self.sign_in_with(tokens.to_dict(), self.next_path)

    @rx.event
    def back_to_password(self) -> None:
        self.step = "password"
        self.error = ""
        self._challenge, self._tokens = "", {}

    def _start_enrolment(self) -> Any:
        from engine.services import auth

        try:
            p = auth.principal_from_access_token(self._tokens["access_token"])
            enrolment = auth.start_totp_enrolment(p)
        except AuraError as exc:
            self.error = exc.message
            self.step = "password"
            return None
        self.qr_svg = enrolment.qr_svg or ""
        self.totp_secret = enrolment.secret
        self.step = "enrol"
        self.error = ""
        return None

    @rx.event
    def submit_enrolment(self, form: dict[str, Any]) -> Any:
        from engine.services import auth

        code = _text(form, "code").replace(" ", "")
        try:
            p = auth.principal_from_access_token(self._tokens.get("access_token", ""))
            self.recovery_codes = auth.confirm_totp(p, code)
        except AuraError as exc:
            self.error = exc.message
            return None
        self.error = ""
        self.qr_svg = self.totp_secret = ""
        self.step = "codes"
        return None

    @rx.event
    def finish(self) -> Any:
        """After the recovery codes were shown: into the studio."""
        tokens, self._tokens = self._tokens, {}
        self.recovery_codes = []
        if not tokens:
            self.step = "password"
            return None
        return self.sign_in_with(tokens, self.next_path)


class SetupState(AuthState):
    """First run: the owner account."""

    error: str = ""

    @rx.event
    def load(self) -> Any:
        from engine.services import auth

        if auth.has_owner():
            return rx.redirect("/login")
        self.error = ""
        return None

    @rx.event
    def submit(self, form: dict[str, Any]) -> Any:
        from engine.services import auth

        email, name = _text(form, "email"), _text(form, "name")
        password = str(form.get("password") or "")
        if not email or not password:
            self.error = "Enter an e-mail address and a password."
            return None
        if password != str(form.get("confirm") or ""):
            self.error = "The two passwords differ; type the same password twice."
            return None
        try:
            auth.create_owner(email, password, name)
            result = auth.login(email, password, ip=_ip(self))
        except AuraError as exc:
            self.error = exc.message
            return None
        self.error = ""
        if result.tokens is None or result.must_enrol_2fa:
            return rx.redirect("/login?notice=Your+account+is+ready%3B+sign+in.")
        return self.sign_in_with(result.tokens.to_dict(), "/workflows")


class InviteState(AuthState):
    """Accepting an invitation: a name and a password."""

    error: str = ""
    missing: bool = False
    _token: str = ""

    @rx.event
    def load(self) -> None:
        self._token = str(self.router.url.query_parameters.get("token", ""))[:400]
        self.missing = not self._token
        self.error = ""

    @rx.event
    def submit(self, form: dict[str, Any]) -> Any:
        from engine.services import auth

        password = str(form.get("password") or "")
        if password != str(form.get("confirm") or ""):
            self.error = "The two passwords differ; type the same password twice."
            return None
        try:
            info = auth.accept_invitation(self._token, password, _text(form, "name"))
            result = auth.login(info.email, password, ip=_ip(self))
        except AuraError as exc:
            self.error = exc.message
            return None
        if result.tokens is None or result.must_enrol_2fa or result.needs_2fa:
            return rx.redirect("/login?notice=Your+account+is+ready%3B+sign+in.")
        return self.sign_in_with(result.tokens.to_dict(), "/workflows")


class ResetState(AuthState):
    """Forgotten password: ask for a link, then choose a new password with it."""

    error: str = ""
    sent: bool = False
    has_token: bool = False
    _token: str = ""

    @rx.event
    def load(self) -> None:
        self._token = str(self.router.url.query_parameters.get("token", ""))[:400]
        self.has_token = bool(self._token)
        self.sent = False
        self.error = ""

    @rx.event
    def request_link(self, form: dict[str, Any]) -> None:
        from engine.services import auth

        email = _text(form, "email")
        if "@" not in email:
            self.error = "Enter the e-mail address of your account."
            return
        try:
            auth.request_password_reset(email, ip=_ip(self))
        except AuraError as exc:
            self.error = exc.message
            return
        self.error = ""
        self.sent = True

    @rx.event
    def set_password(self, form: dict[str, Any]) -> Any:
        from engine.services import auth

        password = str(form.get("password") or "")
        if password != str(form.get("confirm") or ""):
            self.error = "The two passwords differ; type the same password twice."
            return None
        try:
            auth.reset_password(self._token, password)
        except AuraError as exc:
            self.error = exc.message
            return None
        return rx.redirect("/login?notice=Your+password+was+changed%3B+sign+in+with+it.")
