"""Admin > Security state: required 2FA roles, the outbound HTTP allow-list (env entries
fixed, bad entries explained), single sign-on providers and sign-in methods."""

from __future__ import annotations

import pytest

from studio.state import admin_security
from studio.state.admin_security import AdminSecurityState, provider_row, redirect_uri
from tests.studio.admin_support import (
    Instance,
    call,
    instance_fixture,  # noqa: F401 (the fixture)
    make,
)


def test_required_2fa_roles(instance: Instance) -> None:
    s = make(AdminSecurityState)
    call(s, "load")
    assert s.allowed and s.twofa_roles == []
    assert "admin role must use two-factor" in str(call(s, "toggle_2fa_role", "admin", True))
    call(s, "toggle_2fa_role", "owner", True)
    assert s.twofa_roles == ["admin", "owner"]
    assert instance.auth.required_2fa_roles() == ["admin", "owner"]
    call(s, "toggle_2fa_role", "admin", False)
    assert instance.auth.required_2fa_roles() == ["owner"]


def test_allow_list_add_remove_and_env_entries(instance: Instance,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.config import reset_settings
    from engine.services import security

    monkeypatch.setenv("AURA_HTTP_ALLOW", "10.0.0.0/8")
    reset_settings()
    s = make(AdminSecurityState)
    call(s, "load")
    assert s.allow_fixed == ["10.0.0.0/8"] and s.allow_entries == []

    call(s, "set_new_entry", "https://intranet.local/api")
    call(s, "add_entry")
    assert "write only the host" in s.allow_error and s.allow_entries == []
    call(s, "set_new_entry", "10.0.0.0/8")
    call(s, "add_entry")
    assert "already on the list" in s.allow_error
    call(s, "set_new_entry", "Intranet.Local:8443")
    assert "intranet.local:8443" in str(call(s, "add_entry"))
    call(s, "set_new_entry", "127.0.0.1")
    call(s, "add_entry")
    assert s.allow_entries == ["intranet.local:8443", "127.0.0.1"] and s.new_entry == ""
    assert security.get_http_allow_list().entries == ["intranet.local:8443", "127.0.0.1"]
    assert "refused again" in str(call(s, "remove_entry", "127.0.0.1"))
    assert security.get_http_allow_list().entries == ["intranet.local:8443"]


def test_non_admin_is_refused(instance: Instance) -> None:
    from engine.services import security

    ed = instance.user("ed@example.com", "editor")
    instance.act_as(ed.id)
    s = make(AdminSecurityState)
    call(s, "load")
    assert not s.allowed and s.allow_fixed == [] and s.twofa_roles == []
    call(s, "set_new_entry", "127.0.0.1")
    call(s, "add_entry")
    assert "You need the admin role" in s.allow_error
    assert "You need the admin role" in str(call(s, "toggle_2fa_role", "viewer", True))
    assert security.get_http_allow_list().entries == []
    assert instance.auth.required_2fa_roles() == []


def test_without_sso_service_the_page_says_so(instance: Instance,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(admin_security, "_oidc", lambda: None)
    s = make(AdminSecurityState)
    call(s, "load")
    assert s.sso_missing and s.methods == ["password"] and s.providers == []
    call(s, "new_provider")
    call(s, "set_provider_field", "p_name", "corp")
    call(s, "set_provider_field", "p_client_id", "abc")
    call(s, "save_provider")
    assert "not installed" in s.provider_error


def test_redirect_uri_and_rows() -> None:
    assert redirect_uri("https://aura.example.com/", "google") == \
        "https://aura.example.com/api/v1/auth/oidc/google/callback"
    row = provider_row({"name": "corp", "preset": "oidc", "label": "Corp SSO",
                        "client_id": "cid", "client_secret_set": True,
                        "scopes": ["openid", "email"], "enabled": False, "source": "env",
                        "method": "oidc:corp"}, "http://localhost:3000")
    assert row["secret_set"] == "yes" and row["enabled"] == "" and row["source"] == "env"
    assert row["scopes"] == "openid email"
    assert row["redirect_uri"] == "http://localhost:3000/api/v1/auth/oidc/corp/callback"


def test_sso_provider_and_login_methods(instance: Instance) -> None:
    oidc = pytest.importorskip("engine.services.oidc")
    s = make(AdminSecurityState)
    call(s, "load")
    assert not s.sso_missing and s.methods == ["password"]

    call(s, "new_provider")
    assert s.p_redirect_uri.endswith("/api/v1/auth/oidc/<name>/callback")
    call(s, "set_provider_field", "p_preset", "google")
    call(s, "set_provider_field", "p_name", "Google")
    assert s.p_redirect_uri.endswith("/api/v1/auth/oidc/google/callback")
    call(s, "save_provider")
    assert "client ID" in s.provider_error
    call(s, "set_provider_field", "p_client_id", "client-123")
    call(s, "set_provider_field", "p_secret", "s3cret-value")
    assert "Saved sign-in provider 'google'" in str(call(s, "save_provider"))
    assert s.p_secret == "" and not s.provider_open
    row = s.providers[0]
    assert (row["name"], row["preset"], row["secret_set"]) == ("google", "google", "yes")
    assert "s3cret-value" not in str(s.providers)
    assert s.methods == ["password", "oidc:google"]

    call(s, "edit_provider", "google")  # the secret is not sent back; empty keeps it
    assert s.p_secret == "" and s.p_secret_set
    call(s, "set_provider_field", "p_label", "Google Workspace")
    call(s, "save_provider")
    assert s.providers[0]["label"] == "Google Workspace"
    assert s.providers[0]["secret_set"] == "yes"

    call(s, "toggle_method", "password", False)
    assert s.methods == ["oidc:google"]
    msg = str(call(s, "toggle_method", "oidc:google", False))
    assert "at least one login method" in msg and s.methods == ["oidc:google"]
    call(s, "toggle_method", "password", True)
    call(s, "ask_delete_provider", "google")
    assert "Removed sign-in provider 'google'" in str(call(s, "delete_provider"))
    assert s.providers == [] and oidc.get_login_methods() == ["password"]
