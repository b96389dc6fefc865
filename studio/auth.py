"""Sign-in for the studio: who is using it, on every page and every action.

The studio's pages talk to Python over a websocket, and the browser sends the
``aura_session`` cookie (httpOnly, set by ``/api/v1/auth/*``) with the websocket
handshake. :meth:`AuthState.check_login` (the first ``on_load`` handler of every page,
see :func:`requires_login`) reads it from ``router.headers.cookie``, resolves the user
with ``engine.services.auth`` and keeps who they are in backend-only vars (user id,
session id; never the token). Every action then calls :meth:`AuthState.principal`,
which reads the user again (role changes and disabled accounts apply at once, and a
session ended elsewhere ends here too).

Page states subclass :class:`AuthState`, so ``self.principal()`` is available in every
handler; ``current_principal(self)`` is the same as a function.

When the access cookie has expired, the page goes (full page) through
``/api/v1/auth/studio-refresh``, which renews it with the refresh cookie, or on to
``/login``. Signing in and out hand over to ``/api/v1/auth/studio-session`` and
``/api/v1/auth/studio-logout`` with a single-use ticket (:mod:`studio.api.tickets`),
because a websocket event cannot set an httpOnly cookie.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import reflex as rx

from engine.errors import AuraError, AuthenticationError
from engine.services.auth import Principal

__all__ = ["AuthState", "NotSignedIn", "current_principal", "requires_login",
           "session_principal"]

log = logging.getLogger(__name__)

SESSION_COOKIE = "aura_session"
REFRESH_RETRY_S = 15.0
"""A page load tries the refresh route at most once in this many seconds (no loops when
a browser refuses the cookie)."""


class NotSignedIn(AuthenticationError):
    """An action came from a page nobody is signed in to."""


def _origin_parts(url: str) -> tuple[str, str, int]:
    """(scheme, host name, port) of a URL, default ports filled in."""
    parts = urlsplit(url)
    scheme = parts.scheme or "http"
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        port = -1
    return scheme, (parts.hostname or ""), port


def _cookie(header: str, name: str) -> str:
    for part in (header or "").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name and value:
            return value.strip('"')
    return ""


def session_principal(user_id: str, session_id: str = "", scopes: tuple[str, ...] = ()
                      ) -> Principal:
    """The principal of a signed-in studio user, read now from the database.

    Raises:
        AuthenticationError: the account is gone or disabled, or the session ended
            (signed out elsewhere, password changed, revoked).
    """
    from engine.services import auth

    principal = auth.principal_for_session(user_id, session_id, scopes)
    if principal is None:
        raise NotSignedIn("Sign in to use the studio.")
    return principal


class AuthState(rx.State):
    """Who is using the studio (the parent of every page state)."""

    user_name: str = ""
    user_email: str = ""
    user_role: str = ""
    must_enrol_2fa: bool = False
    _user_id: str = ""
    _session_id: str = ""
    _scopes: list[str] = []
    _refresh_tried: float = 0.0

    @rx.var
    def signed_in(self) -> bool:
        return bool(self.user_role)

    @rx.var
    def is_admin(self) -> bool:
        return self.user_role in ("owner", "admin")

    @rx.var
    def is_viewer(self) -> bool:
        return self.user_role == "viewer"

    # -- who is acting ------------------------------------------------------------------
    def principal(self) -> Principal:
        """The signed-in user as they are now (raises AuthenticationError otherwise)."""
        p = session_principal(self._user_id, self._session_id, tuple(self._scopes))
        if p.role != self.user_role:
            self.user_role = p.role
        return p

    def principal_or_none(self) -> Principal | None:
        try:
            return self.principal()
        except AuraError:
            return None

    def _remember(self, p: Principal, session_id: str) -> None:
        from engine.services import auth

        info = auth.me(p)
        self._user_id = str(p.user_id or "")
        self._session_id = session_id
        self._scopes = sorted(p.scopes)
        self.user_name = info.name or info.email
        self.user_email = info.email
        self.user_role = p.role
        self.must_enrol_2fa = bool(p.scopes)

    def _forget(self) -> None:
        self._user_id = self._session_id = ""
        self._scopes = []
        self.user_name = self.user_email = self.user_role = ""
        self.must_enrol_2fa = False

    # -- where the browser is -----------------------------------------------------------
    def _page_origin(self) -> str:
        url = self.router.url
        origin = str(getattr(url, "origin", "") or "")
        return origin if origin.startswith("http") else str(self.router.headers.origin)

    def _backend_origin(self) -> str:
        """The studio backend as the browser reaches it (the websocket's host)."""
        host = str(self.router.headers.host or "")
        scheme = str(getattr(self.router.url, "scheme", "") or "http")
        return f"{scheme}://{host}" if host else ""

    def _trusted_page(self) -> bool:
        """Whether the websocket was opened by a studio page, not by a script of another
        site or port that the browser also sends the (same-site) cookie for.

        Trusted: the backend's own origin, ``AURA_STUDIO_URL`` or Reflex's
        ``deploy_url``, or the backend's host on the port of one of those (two-port
        setups reach the backend by the page's host name)."""
        origin = str(self.router.headers.origin or "")
        if not origin:
            return True  # not a browser page (browsers always send Origin here)
        from reflex_base.config import get_config

        from engine.config import settings

        known = [self._backend_origin(), str(settings().security.studio_url or ""),
                 str(get_config().deploy_url or "")]
        page = _origin_parts(origin)
        host = _origin_parts(f"http://{self.router.headers.host or ''}")[1]
        for url in filter(None, known):
            want = _origin_parts(url)
            if page == want or (page[1] == host and page[2] == want[2]):
                return True
        return False

    def _here(self) -> str:
        url = self.router.url
        path = str(getattr(url, "path", "") or "/")
        query = str(getattr(url, "query", "") or "")
        return path + (f"?{query}" if query else "")

    def _full_page(self, route: str, **params: str) -> Any:
        """A full-page navigation to a backend route (never a client-side one)."""
        target = f"{self._backend_origin()}{route}?{urlencode(params)}"
        return rx.call_script(f"window.location.assign({json.dumps(target)})")

    def _login_url(self, error: str = "") -> str:
        query = {"next": self._here(), **({"error": error} if error else {})}
        return f"/login?{urlencode(query, quote_via=quote)}"

    def sign_in_with(self, tokens: dict[str, Any], next_path: str) -> Any:
        """Hands a fresh token pair to the browser as cookies (via a login ticket)."""
        from studio.api import tickets

        ticket = tickets.issue("login", origin=self._page_origin(), tokens=tokens)
        nxt = tickets.safe_next(next_path) or "/workflows"
        return self._full_page("/api/v1/auth/studio-session", ticket=ticket, next=nxt)

    def refuse(self, exc: BaseException, duration: int | None = None) -> Any:
        """What an action shows when it failed: a toast, and the login page when the
        user's session is over."""
        message = exc.message if isinstance(exc, AuraError) else \
            f"{type(exc).__name__}: {exc}"
        if isinstance(exc, AuthenticationError):
            self._forget()
            return [rx.toast.error(message), rx.redirect(self._login_url(message))]
        if duration:
            return rx.toast.error(message, duration=duration)
        return rx.toast.error(message)

    # -- events -------------------------------------------------------------------------
    @rx.event
    def check_login(self) -> Any:
        """Runs first on every page: who is signed in, or off to set-up, refresh or
        login."""
        from engine.services import auth

        if not auth.has_owner():
            self._forget()
            return rx.redirect("/setup")
        token = _cookie(str(self.router.headers.cookie or ""), SESSION_COOKIE)
        if token and not self._trusted_page():
            log.warning("studio session cookie ignored: page origin %s is not the studio's",
                        self.router.headers.origin)
            token = ""
        if token:
            try:
                p = auth.principal_from_access_token(token)
                claims = auth.context().codec.decode(token)
            except AuraError:
                p = None
            if p is not None:
                self._remember(p, str(getattr(claims, "sid", "") or ""))
                self._refresh_tried = 0.0
                if p.scopes and self.router.url.path != "/account":
                    return rx.redirect("/account?enrol=1")
                return None
        self._forget()
        if time.time() - self._refresh_tried > REFRESH_RETRY_S:
            from studio.api import tickets

            self._refresh_tried = time.time()
            ticket = tickets.issue("refresh", origin=self._page_origin())
            return self._full_page("/api/v1/auth/studio-refresh", ticket=ticket,
                                   next=self._here())
        return rx.redirect(self._login_url())

    @rx.event
    def logout(self) -> Any:
        """Ends the session (refresh token revoked, cookies cleared) and shows login."""
        from studio.api import tickets

        self._forget()
        ticket = tickets.issue("logout", origin=self._page_origin())
        return self._full_page("/api/v1/auth/studio-logout", ticket=ticket)


def requires_login(*handlers: Any) -> list[Any]:
    """``on_load`` handlers of a page, preceded by the login check."""
    return [AuthState.check_login, *handlers]


def current_principal(state: Any) -> Principal:
    """Who engine services act for: the signed-in user of ``state`` (an
    :class:`AuthState` or one of its substates)."""
    if not isinstance(state, AuthState):
        raise TypeError("current_principal() needs a state that subclasses "
                        "studio.auth.AuthState")
    return state.principal()
