"""What every admin page state shares: who is acting, the admin gate, and errors shown
as toasts.

:class:`AdminGate` is a Reflex mixin: each admin page state is
``class XState(AdminGate, AuthState)``, so it has its own ``allowed``/``loaded`` vars.
Handlers get the caller with :meth:`AdminGate._principal` (``current_principal(self)``,
the signed-in user) and refuse with :meth:`AdminGate._admin` unless they are an owner or
admin; the engine services authorize again and audit every change.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import reflex as rx

from engine.errors import AuraError, PermissionDenied

__all__ = ["ADMIN_ROLES", "NEED_ADMIN", "AdminGate", "fmt_time", "message_of"]

ADMIN_ROLES = ("owner", "admin")
NEED_ADMIN = ("You need the admin role for this page. Ask an owner or admin of this AURA "
              "instance if you need access.")


def message_of(exc: BaseException) -> str:
    """What to show a person for an error (never a traceback)."""
    if isinstance(exc, AuraError):
        return exc.message
    return f"Something went wrong ({type(exc).__name__}); try again or check the server log."


def fmt_time(value: datetime | str | None, empty: str = "") -> str:
    """``2026-11-25 09:30`` (UTC) for tables; ``empty`` when there is no value."""
    if value is None or value == "":
        return empty
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    return when.strftime("%Y-%m-%d %H:%M")


class AdminGate(rx.State, mixin=True):
    """The admin gate and error handling of an admin page (a Reflex mixin)."""

    allowed: bool = False
    loaded: bool = False

    def _principal(self) -> Any:
        """The signed-in user (``studio.auth.current_principal``)."""
        from studio import auth as studio_auth

        return studio_auth.current_principal(self)

    def _admin(self) -> Any:
        """The caller if they are an owner or admin; else PermissionDenied."""
        p = self._principal()
        if p.role not in ADMIN_ROLES:
            self.allowed = False
            raise PermissionDenied(NEED_ADMIN)
        return p

    def _open(self, *, admin: bool = True) -> Any:
        """Start of a page's ``load``: the caller, or None (and the page shows why)."""
        try:
            p = self._admin() if admin else self._principal()
        except AuraError:
            self.allowed = False
            self.loaded = True
            return None
        self.allowed = True
        return p

    def _reload(self, p: Any) -> None:
        """Reads what the page shows for ``p`` (each page state defines it)."""
        raise NotImplementedError

    def _load(self, *, admin: bool = True) -> Any:
        """The page's ``load``: the gate, then :meth:`_reload`; errors become a toast."""
        p = self._open(admin=admin)
        if p is None:
            return None
        try:
            self._reload(p)
        except AuraError as exc:
            return self._fail(exc)
        finally:
            self.loaded = True
        return None

    def _change(self, fn: Any, done: str, *, admin: bool = True,
                duration: int | None = None) -> Any:
        """Runs ``fn(principal)`` (a service call that changes something), reloads the
        page and says ``done``; or says what went wrong."""
        try:
            p = self._admin() if admin else self._principal()
            fn(p)
            self._reload(p)
        except AuraError as exc:
            return self._fail(exc, duration)
        return rx.toast.success(done)

    def _fail(self, exc: BaseException, duration: int | None = None) -> Any:
        """A toast saying what went wrong (and, with the login work, off to the login
        page when the session is over)."""
        refuse = getattr(self, "refuse", None)
        if callable(refuse) and isinstance(exc, AuraError):
            return refuse(exc, duration)
        if duration:
            return rx.toast.error(message_of(exc), duration=duration)
        return rx.toast.error(message_of(exc))
