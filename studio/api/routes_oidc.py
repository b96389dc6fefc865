"""Single sign-on over HTTP: the login options, the start and callback of a provider
sign-in, the caller's linked identities, and the admin routes for providers and the
allowed login methods (all through ``engine.services.oidc``).

Browser flow: ``GET /auth/oidc/{name}/start?next=/workflows`` sets a short-lived
httpOnly binding cookie (``aura_oidc``) and redirects to the provider; the provider
redirects to ``GET /auth/oidc/{name}/callback``, which sets the same session cookies as
a password login and redirects to ``next``. When the user must give a 2FA code it
redirects to ``/login?needs_2fa=1&next=...`` with the challenge in the httpOnly
``aura_2fa_challenge`` cookie (``POST /auth/2fa`` with just the ``code`` finishes); a
user who must first enrol in 2FA goes to ``/login?must_enrol_2fa=1&next=...`` (signed in,
enrolment only). Failures go to ``/login?error=<what happened>``. Clients sending
``Accept: application/json`` get JSON instead: the login body, or the usual error.

The redirect URI given to providers is ``<base>/api/v1/auth/oidc/<name>/callback``,
``<base>`` being ``AURA_OIDC_PUBLIC_URL`` or else the URL this request came to.
"""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import urlencode, urlsplit

from pydantic import Field
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from engine.errors import AuraError
from studio.api import routes_auth
from studio.api.routing import Call, Router
from studio.api.schemas import In, Out
from studio.api.security import auth_backend, client_ip
from studio.api.serialize import json_response

__all__ = ["BIND_COOKIE", "routers"]

sso = Router("Single sign-on")
admin = Router("Single sign-on admin")
BIND_COOKIE = "aura_oidc"
_BIND_PATH = "/api/v1/auth/oidc"
Name = Field(pattern=r"^[a-z][a-z0-9_-]{0,31}$", description="Provider name.")


def routers() -> list[Router]:
    """The single sign-on routers, when the auth service is installed."""
    return [sso, admin] if auth_backend() is not None else []


def _svc() -> Any:
    from engine.services import oidc

    return oidc


def _ip(request: Request) -> str | None:
    return client_ip(request)


def _wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def _redirect_uri(request: Request, name: str) -> str:
    from engine.services.oidc import oidc_settings

    base = oidc_settings().public_url or str(request.base_url)
    return f"{base.rstrip('/')}{_BIND_PATH}/{name}/callback"


def _studio_path(next_url: str | None, path: str, **query: str) -> str:
    """``path`` (with ``query``) on the origin ``next_url`` points to (or this site)."""
    qs = urlencode({k: v for k, v in query.items() if v})
    target = f"{path}?{qs}" if qs else path
    if next_url and not next_url.startswith("/"):
        parts = urlsplit(next_url)
        return f"{parts.scheme}://{parts.netloc}{target}"
    return target


def _failure(request: Request, exc: AuraError, next_url: str | None = None) -> Response:
    """Back to the login page with the reason: on the studio origin of ``next_url`` (a
    checked one) or of the attempt, since the page may be served on another port or
    host than this API; else this site's ``/login``."""
    next_url = next_url or getattr(exc, "next_url", None)
    back = urlsplit(next_url or "/")
    again = back.path + (f"?{back.query}" if back.query else "")  # for the next attempt
    resp = RedirectResponse(_studio_path(next_url, "/login", error=exc.message,
                                         next="" if again == "/" else again), 302)
    resp.delete_cookie(BIND_COOKIE, path=_BIND_PATH)
    return resp


def _checked_next(value: str | None) -> str | None:
    """``next`` when it passes the same check as a sign-in's (no open redirect)."""
    try:
        return str(_svc().check_next(value))
    except AuraError:
        return None


# -- public --------------------------------------------------------------------------------
class OptionOut(Out):
    name: str
    label: str
    start_path: str


class OptionsOut(Out):
    items: list[OptionOut]
    login_methods: list[str] = Field(description="e.g. ['password', 'oidc:google'].")


class StartQuery(In):
    next: str | None = Field(None, max_length=2000, description="Where to go after "
                             "signing in: a path of this site or a studio URL.")


class CallbackQuery(In):
    state: str | None = Field(None, max_length=512)
    code: str | None = Field(None, max_length=4096)
    error: str | None = Field(None, max_length=200)
    error_description: str | None = Field(None, max_length=1000)


@sso.get("/auth/oidc/providers", action=None, summary="Single sign-on options",
         response=OptionsOut)
def login_options(call: Call) -> dict[str, Any]:
    """The providers a person may sign in with (for the login page), and the allowed
    login methods."""
    svc = _svc()
    return {"items": svc.login_options(), "login_methods": svc.get_login_methods()}


@sso.get("/auth/oidc/{name}/start", action=None, summary="Sign in with a provider",
         query=StartQuery, status=302, errors=(403, 404, 422, 429, 502),
         media_type="text/html")
def start(call: Call) -> Response:
    """Redirects to the provider's sign-in page (state, nonce and PKCE), binding the
    attempt to this browser with an httpOnly cookie."""
    request, name = call.request, call.path["name"]
    svc = _svc()
    try:
        svc.rate_limit(_ip(request))
        url, browser = svc.start_login(name, redirect_uri=_redirect_uri(request, name),
                                       next_url=call.query.next, ip=_ip(request))
    except AuraError as exc:
        if _wants_json(request):
            raise
        return _failure(request, exc, _checked_next(call.query.next))
    from engine.services.oidc import oidc_settings

    resp = RedirectResponse(url, 302)
    resp.set_cookie(BIND_COOKIE, browser, max_age=oidc_settings().login_ttl_s,
                    httponly=True, samesite="lax", secure=request.url.scheme == "https",
                    path=_BIND_PATH)
    return resp


@sso.get("/auth/oidc/{name}/callback", action=None, summary="Finish a provider sign-in",
         query=CallbackQuery, status=302, errors=(401, 403, 404, 429, 502),
         media_type="text/html")
def callback(call: Call) -> Response:
    """Where the provider sends the browser back: checks everything, signs in (session
    cookies) and redirects to ``next``; or to ``/login?error=...``."""
    request, name, q = call.request, call.path["name"], call.query
    svc = _svc()
    try:
        svc.rate_limit(_ip(request))
        result, next_url = svc.finish_login(
            name, state=q.state, code=q.code, error=q.error,
            error_description=q.error_description, browser=request.cookies.get(BIND_COOKIE),
            ip=_ip(request))
    except AuraError as exc:
        if _wants_json(request):
            raise
        return _failure(request, exc)
    body = routes_auth.login_body(result)
    secure = request.url.scheme == "https"
    if _wants_json(request):
        resp: Response = json_response(body)
    elif result.needs_2fa:
        resp = RedirectResponse(_studio_path(next_url, "/login", needs_2fa="1",
                                             next=next_url), 302)
    elif result.must_enrol_2fa:
        resp = RedirectResponse(_studio_path(next_url, "/login", must_enrol_2fa="1",
                                             next=next_url), 302)
    else:
        resp = RedirectResponse(next_url, 302)
    routes_auth.set_session_cookies(resp, body, request)
    if result.needs_2fa and result.challenge_token:
        resp.set_cookie(routes_auth.CHALLENGE_COOKIE, result.challenge_token, max_age=300,
                        httponly=True, samesite="strict", secure=secure,
                        path="/api/v1/auth")
    resp.delete_cookie(BIND_COOKIE, path=_BIND_PATH)
    return resp


# -- the caller's identities ---------------------------------------------------------------
class IdentityOut(Out):
    id: str
    provider: str
    subject: str
    email: str
    created_at: str
    last_login_at: str | None = None


class IdentitiesOut(Out):
    items: list[IdentityOut]


@sso.get("/auth/identities", action="self", summary="My linked sign-ins",
         response=IdentitiesOut, errors=(401, 403))
def my_identities(call: Call) -> dict[str, Any]:
    """The provider accounts linked to the caller."""
    return {"items": _svc().list_identities(call.principal)}


@sso.delete("/auth/identities/{id}", action="self", summary="Unlink a sign-in",
            status=204, errors=(401, 403, 404))
def unlink_identity(call: Call) -> None:
    """Unlinks one provider account (a verified e-mail match links it again at the next
    sign-in with it, unless an admin removes the provider or disables the method)."""
    _svc().unlink_identity(call.principal, call.path["id"])


# -- admin ---------------------------------------------------------------------------------
Preset = Literal["oidc", "google", "microsoft", "gitlab", "github"]
Role = Literal["viewer", "editor", "admin"]


class ProviderIn(In):
    preset: Preset = "oidc"
    client_id: str = Field(min_length=1, max_length=500)
    client_secret: str | None = Field(None, max_length=2000, description="Leave out to "
                                      "keep the stored secret.")
    issuer: str | None = Field(None, max_length=500, description="Issuer URL (preset "
                               "'oidc'; optional override for the others).")
    base_url: str | None = Field(None, max_length=500, description="Self-hosted GitLab, "
                                 "or GitHub Enterprise Server.")
    tenant: str | None = Field(None, max_length=200, description="Microsoft tenant.")
    scopes: list[str] | None = Field(None, max_length=30)
    label: str | None = Field(None, max_length=200, description="Button text.")
    auto_create: bool = Field(False, description="Create unknown users (verified e-mail) "
                              "with default_role.")
    default_role: Role = "viewer"
    enabled: bool = True


class NewProviderIn(ProviderIn):
    name: str = Name


class ProviderOut(Out):
    name: str
    preset: str
    label: str
    client_id: str
    client_secret_set: bool
    issuer: str | None = None
    base_url: str | None = None
    tenant: str | None = None
    scopes: list[str]
    auto_create: bool
    default_role: str
    enabled: bool
    source: str = Field(description="'db' (editable) or 'env' (AURA_OIDC_*).")
    method: str = Field(description="Its name in the login methods: 'oidc:<name>'.")


class ProvidersOut(Out):
    items: list[ProviderOut]


class MethodsIn(In):
    methods: list[str] = Field(min_length=1, max_length=50, description="'password' "
                               "and/or 'oidc:<name>'.")


class MethodsOut(Out):
    methods: list[str]


def _save(call: Call, name: str, body: ProviderIn) -> dict[str, Any]:
    data = body.model_dump(exclude={"name"})
    return dict(_svc().save_provider(call.principal, name, **data))


@admin.get("/admin/oidc-providers", action="settings:read", summary="Login providers",
           response=ProvidersOut)
def list_providers(call: Call) -> dict[str, Any]:
    """Every configured provider (client secrets are never returned)."""
    return {"items": _svc().list_providers(call.principal)}


@admin.post("/admin/oidc-providers", action="settings:update", summary="Add a login provider",
            body=NewProviderIn, response=ProviderOut, status=201, errors=(409, 422))
def create_provider(call: Call) -> Response:
    """Adds a provider; register ``<studio>/api/v1/auth/oidc/<name>/callback`` with it."""
    svc, name = _svc(), call.body.name
    if any(p["name"] == name for p in svc.list_providers(call.principal)):
        from engine.errors import ConflictError

        raise ConflictError(f"Login provider {name!r} exists; change it with PUT "
                            f"/api/v1/admin/oidc-providers/{name}.")
    return json_response(_save(call, name, call.body), 201)


@admin.get("/admin/oidc-providers/{name}", action="settings:read",
           summary="A login provider", response=ProviderOut, errors=(404,))
def get_provider(call: Call) -> dict[str, Any]:
    """One provider (secret masked)."""
    name = call.path["name"]
    for p in _svc().list_providers(call.principal):
        if p["name"] == name:
            return dict(p)
    from engine.errors import NotFoundError

    raise NotFoundError(f"There is no login provider {name!r}.", details={"name": name})


@admin.put("/admin/oidc-providers/{name}", action="settings:update",
           summary="Add or change a login provider", body=ProviderIn, response=ProviderOut,
           errors=(409, 422))
def put_provider(call: Call) -> dict[str, Any]:
    """Creates or replaces the provider ``name`` (a missing ``client_secret`` keeps the
    stored one)."""
    return _save(call, call.path["name"], call.body)


@admin.delete("/admin/oidc-providers/{name}", action="settings:update",
              summary="Remove a login provider", status=204, errors=(404, 409))
def delete_provider(call: Call) -> None:
    """Removes the provider (environment providers cannot be removed here)."""
    _svc().delete_provider(call.principal, call.path["name"])


@admin.get("/admin/login-methods", action="settings:read", summary="Allowed login methods",
           response=MethodsOut)
def get_login_methods(call: Call) -> dict[str, Any]:
    """Which ways of signing in are allowed."""
    return {"methods": _svc().get_login_methods()}


@admin.put("/admin/login-methods", action="settings:update",
           summary="Set the allowed login methods", body=MethodsIn, response=MethodsOut,
           errors=(422,))
def set_login_methods(call: Call) -> dict[str, Any]:
    """Allows only these methods ('password', 'oidc:<name>'); at least one must work.
    Password sign-in can always be turned back on with ``aura user oidc login-methods``."""
    return {"methods": _svc().set_login_methods(call.principal, call.body.methods)}
