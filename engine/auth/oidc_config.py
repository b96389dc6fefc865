"""Single sign-on configuration: login providers (presets, environment, database) and
the "allowed login methods" setting.

A provider is one of the presets:

========== ===========================================================================
preset     what it is
========== ===========================================================================
oidc       any OpenID Connect provider, found by its ``issuer`` (discovery document)
google     Google (``https://accounts.google.com``)
microsoft  Microsoft Entra ID; ``tenant`` is a tenant id or domain, or ``organizations``
           / ``common`` / ``consumers`` (the issuer then depends on the user's tenant)
gitlab     GitLab.com, or a self-hosted GitLab at ``base_url``
github     GitHub OAuth2 (not OpenID Connect: the user and verified e-mails APIs);
           ``base_url`` for GitHub Enterprise Server (``https://HOST``, API under
           ``/api/v3``)
========== ===========================================================================

Providers come from the database (admins, API and ``aura user oidc``) and from the
environment (operators): ``AURA_OIDC_PROVIDERS`` (a JSON list of provider objects, or
an object name -> provider) and ``AURA_OIDC_<NAME>_CLIENT_ID`` with ``_CLIENT_SECRET``,
``_PRESET``, ``_ISSUER``, ``_BASE_URL``, ``_TENANT``, ``_SCOPES``, ``_LABEL``,
``_AUTO_CREATE``, ``_DEFAULT_ROLE``. Environment providers cannot be changed through the
API. Client secrets in the database are encrypted by the vault and never shown.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import re
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

from engine.auth.context import AuthContext
from engine.auth.rbac import check_role
from engine.config import OidcSettings
from engine.errors import ConflictError, NotFoundError, ValidationError
from engine.store.models_oidc import OidcProvider, provider_secret_aad

__all__ = [
    "PRESETS",
    "SETTING_LOGIN_METHODS",
    "OidcSettings",
    "ProviderConfig",
    "check_url",
    "delete_provider",
    "get_login_methods",
    "get_provider",
    "list_providers",
    "oidc_settings",
    "save_provider",
    "set_login_methods",
]

PRESETS: tuple[str, ...] = ("oidc", "google", "microsoft", "gitlab", "github")
SETTING_LOGIN_METHODS = "security.login_methods"
_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
_LABELS = {
    "oidc": "Single sign-on",
    "google": "Google",
    "microsoft": "Microsoft",
    "gitlab": "GitLab",
    "github": "GitHub",
}


def oidc_settings() -> OidcSettings:
    """The ``AURA_OIDC_*`` settings, read now (:class:`engine.config.OidcSettings`)."""
    return OidcSettings()


@dataclass(frozen=True)
class ProviderConfig:
    """One login provider, with its secret in the clear (only inside the engine)."""

    name: str
    preset: str
    client_id: str
    client_secret: str | None = None
    issuer: str | None = None
    base_url: str | None = None
    tenant: str | None = None
    scopes: tuple[str, ...] = ()
    label: str = ""
    auto_create: bool = False
    default_role: str = "viewer"
    enabled: bool = True
    source: str = "db"
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def is_oidc(self) -> bool:
        return self.preset != "github"

    @property
    def display(self) -> str:
        return self.label or _LABELS.get(self.preset, self.name)

    @property
    def method(self) -> str:
        """Its name in the allowed login methods (``oidc:<name>``)."""
        return f"oidc:{self.name}"

    def issuer_url(self) -> str:
        """The issuer whose discovery document describes the provider (OIDC presets)."""
        if self.issuer:
            return self.issuer.rstrip("/")
        if self.preset == "google":
            return "https://accounts.google.com"
        if self.preset == "microsoft":
            return f"https://login.microsoftonline.com/{self.tenant or 'organizations'}/v2.0"
        if self.preset == "gitlab":
            return (self.base_url or "https://gitlab.com").rstrip("/")
        raise ValidationError(f"Provider {self.name!r} needs an issuer URL.")

    def github_urls(self) -> tuple[str, str]:
        """(web base, API base) of GitHub or a GitHub Enterprise Server."""
        if self.base_url:
            base = self.base_url.rstrip("/")
            return base, f"{base}/api/v3"
        return "https://github.com", "https://api.github.com"

    def scope_list(self) -> list[str]:
        if self.scopes:
            out = list(self.scopes)
        elif self.is_oidc:
            out = ["openid", "email", "profile"]
        else:
            out = ["read:user", "user:email"]
        if self.is_oidc and "openid" not in out:
            out.insert(0, "openid")
        return out

    def public(self) -> dict[str, Any]:
        """What admins see: everything but the secret (``client_secret_set`` instead)."""
        return {
            "name": self.name,
            "preset": self.preset,
            "label": self.display,
            "client_id": self.client_id,
            "client_secret_set": bool(self.client_secret),
            "issuer": self.issuer,
            "base_url": self.base_url,
            "tenant": self.tenant,
            "scopes": self.scope_list(),
            "auto_create": self.auto_create,
            "default_role": self.default_role,
            "enabled": self.enabled,
            "source": self.source,
            "method": self.method,
        }


def check_url(value: str | None, what: str) -> str | None:
    """``value`` if it is an https URL (http only for loopback hosts); None stays None."""
    if value is None or value == "":
        return None
    parts = urlsplit(value.strip())
    host = parts.hostname or ""
    loopback = host == "localhost"
    with contextlib.suppress(ValueError):
        loopback = loopback or ipaddress.ip_address(host).is_loopback
    if (
        not host
        or parts.scheme not in ("https", "http")
        or (parts.scheme == "http" and not loopback)
        or parts.query
        or parts.fragment
    ):
        raise ValidationError(
            f"{what} must be an https:// URL without query (http:// only "
            f"for localhost); got {value!r}.",
            details={"field": what},
        )
    return value.strip().rstrip("/")


def _clean(cfg: ProviderConfig) -> ProviderConfig:
    if not _NAME.match(cfg.name or ""):
        raise ValidationError(
            f"Provider name {cfg.name!r} must be 1-32 lower-case letters, "
            "digits, '-' or '_', starting with a letter (e.g. 'google')."
        )
    if cfg.preset not in PRESETS:
        raise ValidationError(
            f"Unknown preset {cfg.preset!r}; use one of {', '.join(PRESETS)}.",
            details={"presets": list(PRESETS)},
        )
    if not (cfg.client_id or "").strip():
        raise ValidationError("A provider needs the client ID you registered with it.")
    check_role(cfg.default_role)
    if cfg.default_role == "owner":
        raise ValidationError("New accounts cannot be owners; use viewer, editor or admin.")
    issuer = check_url(cfg.issuer, "issuer")
    base_url = check_url(cfg.base_url, "base_url")
    if cfg.preset == "oidc" and not issuer:
        raise ValidationError(
            "The 'oidc' preset needs the provider's issuer URL (where "
            "/.well-known/openid-configuration is served)."
        )
    tenant = (cfg.tenant or "").strip() or None
    if tenant and not re.fullmatch(r"[A-Za-z0-9.-]{1,200}", tenant):
        raise ValidationError(
            f"Tenant {tenant!r} must be a tenant id, a domain, "
            "'organizations', 'common' or 'consumers'."
        )
    scopes = tuple(s for s in (cfg.scopes or ()) if s)
    if any(not re.fullmatch(r"[\x21\x23-\x5b\x5d-\x7e]{1,100}", s) for s in scopes):
        raise ValidationError(
            "Scopes are words without spaces or quotes, e.g. ['openid', 'email', 'profile']."
        )
    return replace(
        cfg,
        client_id=cfg.client_id.strip(),
        issuer=issuer,
        base_url=base_url,
        tenant=tenant,
        scopes=scopes,
        label=(cfg.label or "").strip()[:200],
    )


# -- environment ---------------------------------------------------------------------------
def _truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def _from_mapping(name: str, data: dict[str, Any]) -> ProviderConfig:
    scopes = data.get("scopes") or ()
    if isinstance(scopes, str):
        scopes = [s for s in re.split(r"[\s,]+", scopes) if s]
    cfg = ProviderConfig(
        name=str(name).lower(),
        preset=str(data.get("preset") or "oidc").lower(),
        client_id=str(data.get("client_id") or ""),
        client_secret=data.get("client_secret") or None,
        issuer=data.get("issuer"),
        base_url=data.get("base_url"),
        tenant=data.get("tenant"),
        scopes=tuple(scopes),
        label=str(data.get("label") or ""),
        auto_create=_truthy(data.get("auto_create")),
        default_role=str(data.get("default_role") or "viewer"),
        enabled=_truthy(data.get("enabled", True)),
        source="env",
    )
    try:
        return _clean(cfg)
    except ValidationError as exc:
        raise ValidationError(
            f"The environment's login provider {name!r} is invalid: {exc.message}"
        ) from None


def env_providers(oidc: OidcSettings | None = None) -> dict[str, ProviderConfig]:
    """Providers configured by ``AURA_OIDC_PROVIDERS`` and ``AURA_OIDC_<NAME>_*`` (the
    settings ``oidc``, default: read now)."""
    oidc = oidc or oidc_settings()
    found: dict[str, dict[str, Any]] = {}
    raw = oidc.providers
    if raw:
        try:
            data = json.loads(raw)
        except ValueError as exc:
            raise ValidationError(f"AURA_OIDC_PROVIDERS is not valid JSON: {exc}") from None
        items = (
            data.items()
            if isinstance(data, dict)
            else ((d.get("name"), d) for d in data if isinstance(d, dict))
        )
        for name, item in items:
            if not isinstance(item, dict) or not name:
                raise ValidationError(
                    "AURA_OIDC_PROVIDERS must be a list of objects with a "
                    "'name', or an object name -> provider."
                )
            found[str(name).lower()] = dict(item)
    for name, group in oidc.provider_groups().items():
        found.setdefault(name, {}).update(group)
    return {name: _from_mapping(name, data) for name, data in found.items()}


# -- database ------------------------------------------------------------------------------
def _aad(name: str) -> bytes:
    return provider_secret_aad(name)


def _from_row(ctx: AuthContext, row: OidcProvider) -> ProviderConfig:
    secret = None
    if row.client_secret:
        secret = ctx.cipher().decrypt(row.client_secret, _aad(row.name)).decode()
    return ProviderConfig(
        name=row.name,
        preset=row.preset,
        client_id=row.client_id,
        client_secret=secret,
        issuer=row.issuer,
        base_url=row.base_url,
        tenant=row.tenant,
        scopes=tuple(row.scopes or ()),
        label=row.label,
        auto_create=row.auto_create,
        default_role=row.default_role,
        enabled=row.enabled,
        source="db",
    )


def list_providers(ctx: AuthContext) -> list[ProviderConfig]:
    """Every provider: the environment's, then the database's (by name)."""
    out = env_providers()
    for row in ctx.store.oidc.list_providers():
        out.setdefault(row.name, _from_row(ctx, row))
    return [out[k] for k in sorted(out)]


def get_provider(ctx: AuthContext, name: str) -> ProviderConfig:
    """The provider ``name``; NotFoundError names the configured ones."""
    env = env_providers()
    if name in env:
        return env[name]
    row = ctx.store.oidc.get_provider(name) if _NAME.match(name or "") else None
    if row is None:
        known = ", ".join(p.name for p in list_providers(ctx)) or "none"
        raise NotFoundError(
            f"There is no login provider {name!r} (configured: {known}).",
            details={"provider": name},
        )
    return _from_row(ctx, row)


def save_provider(ctx: AuthContext, cfg: ProviderConfig, *, keep_secret: bool) -> ProviderConfig:
    """Stores ``cfg`` (no authorization here). ``keep_secret``: keep the stored secret."""
    cfg = _clean(cfg)
    if cfg.name in env_providers():
        raise ConflictError(
            f"Login provider {cfg.name!r} is configured by the environment "
            "(AURA_OIDC_*); change it there."
        )
    row = ctx.store.oidc.get_provider(cfg.name)
    if keep_secret:
        blob = row.client_secret if row is not None else None
    else:
        blob = (
            ctx.cipher().encrypt(cfg.client_secret.encode(), _aad(cfg.name))
            if cfg.client_secret
            else None
        )
    if cfg.preset != "oidc" and blob is None:
        raise ValidationError(
            f"The {cfg.preset} preset needs the client secret you got "
            "when registering AURA with the provider."
        )
    saved = ctx.store.oidc.save_provider(
        cfg.name,
        preset=cfg.preset,
        label=cfg.label,
        client_id=cfg.client_id,
        client_secret=blob,
        issuer=cfg.issuer,
        base_url=cfg.base_url,
        tenant=cfg.tenant,
        scopes=list(cfg.scopes),
        auto_create=cfg.auto_create,
        default_role=cfg.default_role,
        enabled=cfg.enabled,
    )
    return _from_row(ctx, saved)


def delete_provider(ctx: AuthContext, name: str) -> None:
    if name in env_providers():
        raise ConflictError(
            f"Login provider {name!r} is configured by the environment "
            "(AURA_OIDC_*); remove it there."
        )
    if not ctx.store.oidc.delete_provider(name):
        raise NotFoundError(f"There is no login provider {name!r}.", details={"provider": name})


# -- allowed login methods -----------------------------------------------------------------
def get_login_methods(ctx: AuthContext) -> list[str]:
    """The allowed login methods: ``"password"`` and ``"oidc:<name>"`` of enabled
    providers. Until an admin sets them, every method is allowed; if every chosen
    provider is later removed or disabled, password sign-in is allowed again."""
    enabled = [p.method for p in list_providers(ctx) if p.enabled]
    value = ctx.store.settings.get(SETTING_LOGIN_METHODS)
    if not isinstance(value, list):
        return ["password", *enabled]
    chosen = {str(v) for v in value}
    allowed = [m for m in ["password", *enabled] if m in chosen]
    # the chosen providers were all removed or disabled since: never lock everyone out
    return allowed or ["password"]


def set_login_methods(ctx: AuthContext, methods: list[str]) -> list[str]:
    """Sets the allowed methods (no authorization here); at least one must work."""
    known = ["password", *[p.method for p in list_providers(ctx)]]
    clean: list[str] = []
    for m in methods:
        if m not in known:
            raise ValidationError(
                f"Unknown login method {m!r}; use 'password' or one of "
                f"{', '.join(known[1:]) or '(no provider configured)'}.",
                details={"method": m, "known": known},
            )
        if m not in clean:
            clean.append(m)
    enabled = {"password", *[p.method for p in list_providers(ctx) if p.enabled]}
    if not enabled.intersection(clean):
        raise ValidationError(
            "Keep at least one login method that works (password or an "
            "enabled provider), or nobody can sign in."
        )
    ctx.store.settings.set(SETTING_LOGIN_METHODS, clean)
    return clean
