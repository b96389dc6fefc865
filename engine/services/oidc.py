"""Single sign-on services: the one door the HTTP API, the studio and the CLI use for
OpenID Connect / GitHub login, login providers and the allowed login methods.

Public (no principal): :func:`login_options`, :func:`get_login_methods`,
:func:`check_password_login`, :func:`start_login`, :func:`finish_login`.
Owners and admins (``settings:read`` / ``settings:update``): :func:`list_providers`,
:func:`save_provider`, :func:`delete_provider`, :func:`set_login_methods`.
Each signed-in user: :func:`list_identities`, :func:`unlink_identity`.

Break-glass: the CLI (``aura user oidc login-methods password``) acts as the console
operator and can always turn password sign-in back on.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from engine.auth import oidc, oidc_accounts, oidc_config, rbac
from engine.auth.oidc_config import ProviderConfig
from engine.auth.types import LoginResult, Principal
from engine.errors import PermissionDenied, ValidationError
from engine.services.auth import context

__all__ = [
    "SignInRefused",
    "check_next",
    "check_password_login",
    "delete_provider",
    "finish_login",
    "get_login_methods",
    "list_identities",
    "list_providers",
    "login_options",
    "oidc_settings",
    "save_provider",
    "set_login_methods",
    "start_login",
    "unlink_identity",
]

SignInRefused = oidc.SignInRefused
oidc_settings = oidc_config.oidc_settings
START_PATH = "/api/v1/auth/oidc/{name}/start"


def login_options() -> list[dict[str, str]]:
    """The providers a person may sign in with now (enabled and allowed): each
    ``{"name", "label", "start_path"}``. Public: no principal needed."""
    ctx = context()
    allowed = set(oidc_config.get_login_methods(ctx))
    return [{"name": p.name, "label": p.display,
             "start_path": START_PATH.format(name=p.name)}
            for p in oidc_config.list_providers(ctx) if p.enabled and p.method in allowed]


def get_login_methods() -> list[str]:
    """Allowed login methods, e.g. ``["password", "oidc:google"]`` (public)."""
    return oidc_config.get_login_methods(context())


def check_password_login() -> None:
    """Raises PermissionDenied (403) when password sign-in is turned off."""
    methods = get_login_methods()
    if "password" not in methods:
        others = ", ".join(m.split(":", 1)[1] for m in methods if m.startswith("oidc:"))
        raise PermissionDenied("Password sign-in is turned off on this instance; sign in "
                               f"with {others or 'single sign-on'}. (Operators: 'aura user "
                               "oidc login-methods password' turns it back on.)",
                               details={"reason": "password_not_allowed",
                                        "login_methods": methods})


def set_login_methods(principal: Principal, methods: list[str]) -> list[str]:
    """Sets which login methods are allowed (owner/admin). At least one must work."""
    rbac.authorize(principal, "settings:update")
    ctx = context()
    clean = oidc_config.set_login_methods(ctx, list(methods))
    ctx.audit(principal, "settings.updated", "setting", oidc_config.SETTING_LOGIN_METHODS,
              {"value": clean})
    return clean


# -- providers -----------------------------------------------------------------------------
def list_providers(principal: Principal) -> list[dict[str, Any]]:
    """Every configured provider; secrets masked (``client_secret_set``)."""
    rbac.authorize(principal, "settings:read")
    return [p.public() for p in oidc_config.list_providers(context())]


def save_provider(principal: Principal, name: str, *, preset: str, client_id: str,
                  client_secret: str | None = None, issuer: str | None = None,
                  base_url: str | None = None, tenant: str | None = None,
                  scopes: list[str] | None = None, label: str | None = None,
                  auto_create: bool = False, default_role: str = "viewer",
                  enabled: bool = True) -> dict[str, Any]:
    """Creates or changes a provider (owner/admin). ``client_secret=None`` keeps the
    stored one. Returns the masked provider."""
    rbac.authorize(principal, "settings:update")
    if rbac.rank(default_role) > rbac.rank(principal.role):
        raise PermissionDenied(f"You cannot let new accounts become {default_role}: the "
                               f"highest role you can give is {principal.role}.")
    ctx = context()
    cfg = ProviderConfig(name=name, preset=preset, client_id=client_id,
                         client_secret=client_secret or None, issuer=issuer,
                         base_url=base_url, tenant=tenant, scopes=tuple(scopes or ()),
                         label=label or "", auto_create=auto_create,
                         default_role=default_role, enabled=enabled)
    saved = oidc_config.save_provider(ctx, cfg, keep_secret=client_secret is None)
    oidc.clear_cache()
    info = saved.public()
    ctx.audit(principal, "settings.oidc_provider_saved", "oidc_provider", name,
              {k: v for k, v in info.items() if k != "client_secret_set"})
    return info


def delete_provider(principal: Principal, name: str) -> None:
    """Removes a provider (owner/admin); its linked identities stay, unused."""
    rbac.authorize(principal, "settings:update")
    ctx = context()
    oidc_config.delete_provider(ctx, name)
    oidc.clear_cache()
    ctx.audit(principal, "settings.oidc_provider_deleted", "oidc_provider", name)


# -- signing in ----------------------------------------------------------------------------
_CONTROL = re.compile(r"[\x00-\x1f\x7f\\]")


def check_next(value: str | None) -> str:
    """Where to go after signing in: a path of this site, or a URL of the studio
    (``AURA_STUDIO_URL``); anything else is refused (no open redirect)."""
    if not value:
        return "/"
    text = value.strip()
    parts = urlsplit(text)
    if text.startswith("/") and not text.startswith("//") and not _CONTROL.search(text) \
            and not parts.scheme and not parts.netloc:
        return text
    studio = context().security.studio_url
    if not _CONTROL.search(text) and oidc.same_origin(text, studio):
        return text
    raise ValidationError("'next' must be a path of this site (like /workflows) or a URL of "
                          "the studio; links to other sites are refused.",
                          details={"next": value[:200]})


def rate_limit(ip: str | None) -> None:
    """Counts one sign-in step of ``ip``; RateLimited (429) past the limit."""
    oidc.rate_limit(context()).hit(ip or "unknown")


def provider(name: str) -> ProviderConfig:
    """The provider ``name`` (NotFoundError otherwise)."""
    return oidc_config.get_provider(context(), name)


def start_login(name: str, *, redirect_uri: str, next_url: str | None = None,
                ip: str | None = None) -> tuple[str, str]:
    """Begins signing in with ``name``: (authorization URL to redirect to, browser
    binding token to set as an httpOnly cookie)."""
    ctx = context()
    nxt = check_next(next_url)
    cfg = oidc_config.get_provider(ctx, name)
    return oidc.start(ctx, cfg, redirect_uri=redirect_uri, next_url=nxt)


def finish_login(name: str, *, state: str | None, code: str | None,
                 browser: str | None, error: str | None = None,
                 error_description: str | None = None, ip: str | None = None
                 ) -> tuple[LoginResult, str]:
    """Completes the sign-in the provider redirected back with: (the login result, the
    ``next`` it started with). SignInRefused says what failed."""
    ctx = context()
    try:
        pending = oidc.take_pending(ctx, name, state, browser)
    except oidc.SignInRefused as exc:
        ctx.audit(None, "user.login_failed", "oidc_provider", name,
                  {"method": f"oidc:{name}", "reason": exc.reason}, ip)
        raise
    cfg = oidc_config.get_provider(ctx, name)
    result = oidc.finish(ctx, cfg, pending, code=code, error=error,
                         error_description=error_description, ip=ip)
    return result, pending.next_url


def list_identities(principal: Principal) -> list[dict[str, Any]]:
    """The caller's linked sign-in identities."""
    return oidc_accounts.list_identities(context(), principal)


def unlink_identity(principal: Principal, identity_id: str) -> None:
    """Unlinks one of the caller's identities."""
    oidc_accounts.unlink_identity(context(), principal, identity_id)

