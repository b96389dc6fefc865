"""Who is calling, and may they? Authentication is one middleware; authorization is the
action each operation declares, checked by :func:`authorize_request`.

Credentials are read from ``Authorization: Bearer <access token>`` (API clients), the
httpOnly ``aura_session`` cookie (the studio) or ``X-API-Key`` (machines) and turned into
a principal by ``engine.services.auth``. When that service is not installed (early
development builds) :data:`LOCAL_PRINCIPAL` is used for every request: the server then
trusts everyone who can reach it, which is why ``aura up`` binds to loopback.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from engine.errors import AuraError, AuthenticationError

__all__ = ["LOCAL_PRINCIPAL", "SESSION_COOKIE", "AuthMiddleware", "Principal",
           "auth_backend", "authorize_request"]

SESSION_COOKIE = "aura_session"


@dataclass(frozen=True)
class Principal:
    """The caller (same fields as ``engine.services.auth.Principal``)."""

    user_id: str | None
    email: str | None
    role: str
    api_key_id: str | None = None
    scopes: tuple[str, ...] = ()
    projects: tuple[str, ...] = ()


LOCAL_PRINCIPAL = Principal(user_id=None, email=None, role="owner")
"""Everyone, when no authentication service is installed."""


def auth_backend() -> ModuleType | None:
    """``engine.services.auth`` when it provides what the API needs, else None."""
    try:
        mod = importlib.import_module("engine.services.auth")
    except ImportError:
        return None
    needed = ("principal_from_access_token", "principal_from_api_key", "authorize")
    return mod if all(hasattr(mod, n) for n in needed) else None


def _credentials(scope: Scope) -> tuple[str, str] | None:
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
    auth = headers.get("authorization", "")
    if auth[:7].lower() == "bearer ":
        return "token", auth[7:].strip()
    if headers.get("x-api-key"):
        return "api_key", headers["x-api-key"].strip()
    for part in headers.get("cookie", "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == SESSION_COOKIE and value:
            return "token", value
    return None


class AuthMiddleware:
    """Puts the caller in ``scope["state"]["principal"]`` (or the reason it could not,
    in ``auth_error``). Enabled when ``engine.services.auth`` exists; it never refuses a
    request itself: operations decide, public ones (health, webhooks) ignore it."""

    def __init__(self, app: ASGIApp, backend: ModuleType | None = None) -> None:
        self.app = app
        self.backend = backend

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            state = scope.setdefault("state", {})
            if self.backend is None:
                state["principal"] = LOCAL_PRINCIPAL
            else:
                found = _credentials(scope)
                if found is not None and scope["path"].startswith("/api/"):
                    kind, secret = found
                    fn = getattr(self.backend, "principal_from_access_token" if kind ==
                                 "token" else "principal_from_api_key")
                    try:
                        state["principal"] = await run_in_threadpool(fn, secret)
                    except AuraError as exc:
                        state["auth_error"] = exc
        await self.app(scope, receive, send)


async def authorize_request(request: Request, action: str | None,
                            project_id: str | None = None) -> Any:
    """The caller, once it may perform ``action`` (None: public operation).

    Raises:
        AuthenticationError: no or bad credentials (401).
        PermissionDenied: the caller's role does not allow the action (403).
    """
    state = request.scope.get("state", {})
    principal = state.get("principal")
    if action is None:
        return principal or LOCAL_PRINCIPAL
    backend = request.app.state.auth
    if backend is None:
        return principal or LOCAL_PRINCIPAL
    if principal is None:
        if "auth_error" in state:
            raise state["auth_error"]
        raise AuthenticationError(
            "Log in first: send 'Authorization: Bearer <access token>' (from POST "
            "/api/v1/auth/login) or an 'X-API-Key' header.")
    backend.authorize(principal, action, project_id=project_id)
    return principal
