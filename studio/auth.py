"""The login hook: where the auth engineer plugs in sign-in.

Pages are registered with ``on_load=requires_login(...)``; today nobody is asked to sign
in (``AuthState.login_required`` is False and ``current_user`` is a local stand-in).
To enforce login, fill :meth:`AuthState.check_login` (read the session cookie, resolve
the user through ``engine.services``) and set ``login_required`` from settings.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

__all__ = ["AuthState", "current_principal", "requires_login"]


class AuthState(rx.State):
    """Who is using the studio."""

    login_required: bool = False
    user_name: str = "You"
    user_role: str = "owner"

    @rx.var
    def signed_in(self) -> bool:
        return bool(self.user_name)

    @rx.event
    def check_login(self) -> Any:
        """Runs first on every page: redirects to the login page when a session is
        required and missing."""
        if self.login_required and not self.signed_in:
            return rx.redirect(f"/login?next={self.router.url.path}")
        return None


def requires_login(*handlers: Any) -> list[Any]:
    """``on_load`` handlers of a page, preceded by the login check."""
    return [AuthState.check_login, *handlers]


def current_principal(state: Any = None) -> Any:
    """Who engine services act for. Without login this is the local owner; the auth
    work replaces it with the session's principal (read from ``state``)."""
    from engine.auth.types import Principal

    return Principal(user_id=None, email=None, role="owner")
