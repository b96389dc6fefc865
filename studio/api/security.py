"""Who is calling, and may they? Authentication is one middleware; authorization is the
action each operation declares, checked by :func:`authorize_request`.

Credentials are read from ``Authorization: Bearer <access token>`` (API clients), the
httpOnly ``aura_session`` cookie (the studio) or ``X-API-Key`` (machines) and turned into
a principal by ``engine.services.auth``. When that service is not installed (early
development builds) :data:`LOCAL_PRINCIPAL` is used for every request: the server then
trusts everyone who can reach it, which is why ``aura up`` binds to loopback.

Cross-site request forgery: a browser sends the cookie by itself, so a cookie session is
accepted for a state-changing request (not GET/HEAD/OPTIONS) only when the request names
its ``Origin`` and that origin is this server; and an operation that takes a body takes
it only as JSON (:func:`check_cookie_body`). Requests with an ``Authorization`` or
``X-API-Key`` header, and webhooks, are not affected.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from engine.errors import AuraError, AuthenticationError, PermissionDenied
from engine.services.auth import Principal

__all__ = [
    "LOCAL_PRINCIPAL",
    "SESSION_COOKIE",
    "AuthMiddleware",
    "Principal",
    "UnsupportedMediaType",
    "auth_backend",
    "authenticate",
    "check_cookie_body",
    "client_ip",
]

SESSION_COOKIE = "aura_session"


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


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}


def _credentials(headers: dict[str, str]) -> tuple[str, str] | None:
    auth = headers.get("authorization", "")
    if auth[:7].lower() == "bearer ":
        return "token", auth[7:].strip()
    if headers.get("x-api-key"):
        return "api_key", headers["x-api-key"].strip()
    for part in headers.get("cookie", "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == SESSION_COOKIE and value:
            return "cookie", value
    return None


_SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class UnsupportedMediaType(AuraError):
    """The request body is not in a format the operation accepts."""

    code = "unsupported_media_type"
    http_status = 415


def client_ip(request: Request) -> str | None:
    """The caller's address: the peer, or what a trusted proxy's ``X-Forwarded-For``
    says (``AURA_TRUSTED_PROXIES``; see :mod:`engine.auth.clientip`)."""
    from engine.services.auth import client_address

    peer = request.client.host if request.client else None
    return client_address(peer, request.headers.getlist("x-forwarded-for"))


def _origin_problem(scope: Scope, headers: dict[str, str]) -> str | None:
    """Why a state-changing cookie request may not use the cookie (None: it may)."""
    if scope.get("method") in _SAFE_METHODS:
        return None
    origin = headers.get("origin")
    if not origin:
        return (
            "This request changes something but names no Origin, so the session "
            "cookie is not accepted for it (cross-site request forgery protection). "
            "Browsers send Origin by themselves; scripts should send 'Authorization: "
            "Bearer <token>' or 'X-API-Key' instead of the cookie."
        )
    if origin == "null" or urlsplit(origin).netloc != headers.get("host", ""):
        return (
            "This request comes from another site's page; the session cookie is not "
            "accepted for it. Call the API with an Authorization header instead."
        )
    return None


def check_cookie_body(request: Request) -> None:
    """Refuses a body that is not JSON on a request signed in by the session cookie (a
    page of another site can send a cookie with a plain-text or form body, not JSON).

    Raises:
        UnsupportedMediaType: the cookie signed the request in and its Content-Type is
            not JSON.
    """
    if request.scope.get("state", {}).get("auth_via") != "cookie":
        return
    if request.method in _SAFE_METHODS:
        return
    kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if kind == "application/json" or (kind.startswith("application/") and kind.endswith("+json")):
        return
    raise UnsupportedMediaType(
        f"This operation takes a JSON body, but the request says Content-Type "
        f"{kind or '(none)'!r}. Send 'Content-Type: application/json'.",
        details={"content_type": kind or None},
    )


class AuthMiddleware:
    """Puts the caller in ``scope["state"]["principal"]`` (or the reason it could not,
    in ``auth_error``) for ``/api/`` requests. It never refuses a request itself:
    operations decide, and public ones (health, webhooks, login) ignore it.

    A cookie session is refused for state-changing requests without an ``Origin`` or
    whose ``Origin`` is another site (the cookie is also ``SameSite=Lax``)."""

    def __init__(self, app: ASGIApp, backend: ModuleType | None = None) -> None:
        self.app = app
        self.backend = backend

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/api/"):
            state = scope.setdefault("state", {})
            if self.backend is None:
                state["principal"] = LOCAL_PRINCIPAL
            else:
                headers = _headers(scope)
                found = _credentials(headers)
                if found is not None:
                    await self._resolve(scope, state, headers, *found)
        await self.app(scope, receive, send)

    async def _resolve(
        self, scope: Scope, state: dict[str, Any], headers: dict[str, str], kind: str, secret: str
    ) -> None:
        assert self.backend is not None
        if kind == "cookie":
            problem = _origin_problem(scope, headers)
            if problem is not None:
                state["auth_error"] = PermissionDenied(problem, details={"reason": "csrf"})
                return
            state["auth_via"] = "cookie"
        try:
            if kind == "api_key":
                state["principal"] = await run_in_threadpool(
                    self.backend.principal_from_api_key, secret, ip=client_ip(Request(scope))
                )
            else:
                state["principal"] = await run_in_threadpool(
                    self.backend.principal_from_access_token, secret
                )
        except AuraError as exc:
            state["auth_error"] = exc


async def authenticate(request: Request, action: str | None) -> Any:
    """The caller of an operation needing ``action`` (None: public operation).

    Raises:
        AuthenticationError: no or bad credentials (401) for a non-public operation.
    """
    state = request.scope.get("state", {})
    principal = state.get("principal")
    if action is None or request.app.state.auth is None:
        return principal or LOCAL_PRINCIPAL
    if principal is None:
        if "auth_error" in state:
            raise state["auth_error"]
        raise AuthenticationError(
            "Log in first: send 'Authorization: Bearer <access token>' (from POST "
            "/api/v1/auth/login) or an 'X-API-Key' header."
        )
    return principal
