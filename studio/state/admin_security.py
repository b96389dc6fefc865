"""Admin > Security: roles that must use 2FA, allowed sign-in methods and single sign-on
providers (``engine.services.oidc``, when installed), and the outbound HTTP allow-list
(``engine.services.security``). Each change is saved at once, authorized and audited by
the service."""

from __future__ import annotations

import importlib
from typing import Any

import reflex as rx

from engine.errors import AuraError
from studio.auth import AuthState
from studio.state.admin_base import AdminGate

__all__ = ["PRESETS", "AdminSecurityState", "provider_row", "redirect_uri"]

ROLES = ["viewer", "editor", "admin", "owner"]
PRESETS = [("github", "GitHub"), ("google", "Google"), ("microsoft", "Microsoft"),
           ("gitlab", "GitLab"), ("oidc", "Generic OIDC")]
SSO_MISSING = ("Single sign-on is not installed in this build yet; password sign-in is "
               "the only method.")


def _oidc() -> Any:
    """``engine.services.oidc``, or None while it is not installed."""
    try:
        return importlib.import_module("engine.services.oidc")
    except ImportError:
        return None


def redirect_uri(origin: str, name: str) -> str:
    """The callback URL to register at the provider for ``name``."""
    return f"{origin.rstrip('/')}/api/v1/auth/oidc/{name or '<name>'}/callback"


def provider_row(p: dict[str, Any], origin: str) -> dict[str, str]:
    def text(key: str) -> str:
        value = p.get(key)
        return "" if value is None else str(value)

    scopes = p.get("scopes") or []
    return {"name": text("name"), "label": text("label") or text("name"),
            "preset": text("preset"), "client_id": text("client_id"),
            "secret_set": "yes" if p.get("client_secret_set") else "",
            "issuer": text("issuer"), "base_url": text("base_url"), "tenant": text("tenant"),
            "scopes": " ".join(str(s) for s in scopes),
            "auto_create": "yes" if p.get("auto_create") else "",
            "default_role": text("default_role") or "viewer",
            "enabled": "yes" if p.get("enabled", True) else "",
            "source": text("source") or "db",
            "method": text("method") or f"oidc:{text('name')}",
            "redirect_uri": redirect_uri(origin, text("name"))}


class AdminSecurityState(AdminGate, AuthState):
    twofa_roles: list[str] = []
    all_roles: list[str] = ROLES
    # sign-in
    sso_missing: bool = False
    methods: list[str] = []
    providers: list[dict[str, str]] = []
    origin: str = ""
    # provider dialog
    provider_open: bool = False
    editing: str = ""
    p_name: str = ""
    p_preset: str = "github"
    p_label: str = ""
    p_client_id: str = ""
    p_secret: str = ""
    p_secret_set: bool = False
    p_issuer: str = ""
    p_base_url: str = ""
    p_tenant: str = ""
    p_scopes: str = ""
    p_auto_create: bool = False
    p_default_role: str = "viewer"
    p_enabled: bool = True
    provider_error: str = ""
    delete_name: str = ""
    delete_open: bool = False
    # outbound HTTP allow-list
    allow_fixed: list[str] = []
    allow_entries: list[str] = []
    new_entry: str = ""
    allow_error: str = ""

    @rx.var
    def p_redirect_uri(self) -> str:
        return redirect_uri(self.origin, self.p_name.strip().lower())

    def _origin(self) -> str:
        """Where the provider sends people back: the configured public URL of single
        sign-on, else the studio backend as this browser reaches it (as the callback
        route computes it), else ``AURA_STUDIO_URL``."""
        try:
            from engine.services.oidc import oidc_settings

            public = str(oidc_settings().public_url or "")
        except Exception:  # single sign-on not installed or not configured
            public = ""
        if public:
            return public
        try:
            host = str(self.router.headers.host or "")
            scheme = str(getattr(self.router.url, "scheme", "") or "http")
        except Exception:  # no router outside a running app (unit tests)
            host = ""
        if host:
            return f"{scheme}://{host}"
        from engine.config import settings

        return str(settings().security.studio_url)

    def _reload(self, p: Any) -> None:
        from engine.services import auth, security

        self.twofa_roles = auth.required_2fa_roles()
        allow = security.get_http_allow_list(p)
        self.allow_fixed, self.allow_entries = allow.fixed, allow.entries
        oidc = _oidc()
        self.sso_missing = oidc is None
        if oidc is not None:
            self.origin = self._origin()
            self.providers = [provider_row(x, self.origin) for x in oidc.list_providers(p)]
            self.methods = list(oidc.get_login_methods())
        else:
            self.providers, self.methods = [], ["password"]

    @rx.event
    def load(self) -> Any:
        return self._load()

    # -- 2FA ----------------------------------------------------------------------------
    @rx.event
    def toggle_2fa_role(self, role: str, on: bool) -> Any:
        from engine.services import auth

        roles = [r for r in self.twofa_roles if r != role] + ([role] if on else [])
        word = "must" if on else "no longer must"
        return self._change(lambda p: auth.set_required_2fa_roles(p, roles),
                          f"The {role} role {word} use two-factor authentication.",
                          duration=10000)

    # -- sign-in methods ----------------------------------------------------------------
    @rx.event
    def toggle_method(self, method: str, on: bool) -> Any:
        oidc = _oidc()
        if oidc is None:
            return rx.toast.info(SSO_MISSING)
        methods = [m for m in self.methods if m != method] + ([method] if on else [])
        return self._change(lambda p: oidc.set_login_methods(p, methods),
                          "Sign-in methods saved.", duration=10000)

    @rx.event
    def new_provider(self) -> None:
        self.editing, self.p_name, self.p_preset, self.p_label = "", "", "github", ""
        self.p_client_id = self.p_secret = self.p_issuer = self.p_base_url = ""
        self.p_tenant = self.p_scopes = ""
        self.p_secret_set, self.p_auto_create, self.p_enabled = False, False, True
        self.p_default_role, self.provider_error = "viewer", ""
        self.origin = self._origin()
        self.provider_open = True

    @rx.event
    def edit_provider(self, name: str) -> None:
        row = next((r for r in self.providers if r["name"] == name), None)
        if row is None:
            return
        self.editing, self.p_name, self.p_preset = name, name, row["preset"]
        self.p_label, self.p_client_id = row["label"], row["client_id"]
        self.p_secret, self.p_secret_set = "", row["secret_set"] == "yes"  # noqa: S105
        self.p_issuer, self.p_base_url = row["issuer"], row["base_url"]
        self.p_tenant, self.p_scopes = row["tenant"], row["scopes"]
        self.p_auto_create, self.p_enabled = row["auto_create"] == "yes", \
            row["enabled"] == "yes"
        self.p_default_role, self.provider_error = row["default_role"], ""
        self.provider_open = True

    @rx.event
    def set_provider_open(self, value: bool) -> None:
        self.provider_open = value
        if not value:
            self.p_secret = ""

    @rx.event
    def set_provider_field(self, field: str, value: Any) -> None:
        if field in ("p_name", "p_preset", "p_label", "p_client_id", "p_secret", "p_issuer",
                     "p_base_url", "p_tenant", "p_scopes", "p_default_role"):
            setattr(self, field, str(value))
        elif field in ("p_auto_create", "p_enabled"):
            setattr(self, field, bool(value))
        self.provider_error = ""

    @rx.event
    def save_provider(self) -> Any:
        oidc = _oidc()
        if oidc is None:
            self.provider_error = SSO_MISSING
            return None
        name = self.p_name.strip().lower()
        if not name:
            self.provider_error = "Give the provider a short name, e.g. 'google' or 'corp'."
            return None
        if not self.p_client_id.strip():
            self.provider_error = "Enter the client ID the provider gave you."
            return None
        kwargs = {"preset": self.p_preset, "client_id": self.p_client_id.strip(),
                  "client_secret": self.p_secret or None,
                  "issuer": self.p_issuer.strip() or None,
                  "base_url": self.p_base_url.strip() or None,
                  "tenant": self.p_tenant.strip() or None,
                  "scopes": self.p_scopes.replace(",", " ").split() or None,
                  "label": self.p_label.strip() or None, "auto_create": self.p_auto_create,
                  "default_role": self.p_default_role, "enabled": self.p_enabled}
        try:
            p = self._admin()
            oidc.save_provider(p, name, **kwargs)
            self._reload(p)
        except AuraError as exc:
            self.provider_error = exc.message
            return None
        self.p_secret = ""
        self.provider_open = False
        return rx.toast.success(f"Saved sign-in provider '{name}'.")

    @rx.event
    def ask_delete_provider(self, name: str) -> None:
        self.delete_name, self.delete_open = name, True

    @rx.event
    def cancel_delete_provider(self) -> None:
        self.delete_open = False

    @rx.event
    def delete_provider(self) -> Any:
        oidc = _oidc()
        name, self.delete_open = self.delete_name, False
        if oidc is None or not name:
            return None
        return self._change(lambda p: oidc.delete_provider(p, name),
                          f"Removed sign-in provider '{name}'.")

    # -- outbound HTTP allow-list -------------------------------------------------------
    @rx.event
    def set_new_entry(self, value: str) -> None:
        self.new_entry, self.allow_error = value, ""

    @rx.event
    def add_entry(self) -> Any:
        from engine.services import security
        from engine.services.security import normalize_allow_entry

        raw = self.new_entry.strip()
        if not raw:
            self.allow_error = "Type a host, IP address, CIDR range or host:port first."
            return None
        try:
            entry = normalize_allow_entry(raw)
        except ValueError as exc:
            self.allow_error = f"Not added: {exc}."
            return None
        if entry in self.allow_entries or entry in self.allow_fixed:
            self.allow_error = f"{entry} is already on the list."
            return None
        try:
            p = self._admin()
            saved = security.set_http_allow_list(p, [*self.allow_entries, entry])
        except AuraError as exc:
            self.allow_error = exc.message
            return None
        self.allow_entries, self.new_entry, self.allow_error = saved.entries, "", ""
        return rx.toast.success(f"Workflows may now reach {entry} (workers follow within a "
                                "few seconds).")

    @rx.event
    def remove_entry(self, entry: str) -> Any:
        from engine.services import security

        try:
            p = self._admin()
            saved = security.set_http_allow_list(
                p, [e for e in self.allow_entries if e != entry])
        except AuraError as exc:
            return self._fail(exc)
        self.allow_entries = saved.entries
        return rx.toast.success(f"Removed {entry}: requests to it are refused again.")
