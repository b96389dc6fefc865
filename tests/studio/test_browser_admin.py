"""The admin pages in a real browser (Chromium + Playwright), used as an admin would:
invite someone (the link appears), change their role and disable them; create an API
key (shown once, works with X-API-Key, then revoked and refused); filter the audit log
and download a CSV export; set the outbound HTTP allow-list; and a non-admin kept out.

Uses the session's one production build (see conftest); ``page`` is signed in as the
owner. Screenshots of every admin page go to AURA_SCREENSHOTS.
"""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.studio.conftest import Studio, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "Sturdy-Password-42"
WAIT = 60_000


def _open(page: Any, studio: Studio, path: str, ready: str) -> None:
    page.goto(f"{studio.url}{path}")
    page.wait_for_selector(ready, timeout=WAIT)


def _pick(page: Any, trigger: Any, option: str) -> None:
    """Chooses ``option`` in a Radix select."""
    trigger.click()
    page.get_by_role("option", name=option, exact=True).click()


def test_admin_manages_users_keys_audit_and_allow_list(page: Any, studio: Studio,
                                                      shot: Any) -> None:
    from engine.services import auth, security

    email = f"dana-{uuid.uuid4().hex[:6]}@example.com"

    # -- users: invite, the link appears, then the invitee joins -------------------------
    _open(page, studio, "/admin/users", "#users-table")
    assert page.locator("#nav-admin >> text=Security").is_visible()
    page.click("#invite-user")
    page.fill("#invite-email", email)
    page.click("#invite-send")
    link = page.wait_for_selector("#invite-link >> text=accept-invitation?token=",
                                  timeout=WAIT).inner_text()
    shot(page, "admin-users-invite")
    page.click("#invite-done")
    page.wait_for_selector(f".invitation-row >> text={email}")
    token = parse_qs(urlsplit(link.strip()).query)["token"][0]
    joined = auth.accept_invitation(token, PASSWORD, "Dana Invitee")
    assert joined.role == "editor"

    page.reload()
    row = page.locator(".user-row", has_text=email)
    row.wait_for(timeout=WAIT)
    assert page.locator(".invitation-row", has_text=email).count() == 0  # accepted
    _pick(page, row.get_by_label(f"Role of {email}"), "viewer")
    page.wait_for_selector(f"text={email} is now viewer.")
    page.get_by_label(f"Disable {email}").click()
    page.click("#users-confirm-ok")
    row.locator("text=disabled").wait_for()
    page.wait_for_selector("#users-confirm", state="detached")
    shot(page, "admin-users")
    info = next(u for u in auth.list_users(_owner()) if u.email == email)
    assert (info.role, info.disabled) == ("viewer", True)

    # -- API keys: shown once, works, revoked, refused -----------------------------------
    _open(page, studio, "/admin/api-keys", "#new-apikey")
    page.click("#new-apikey")
    page.fill("#apikey-name", "CI deploy")
    shot(page, "admin-api-keys-new")
    page.click("#apikey-create")
    secret = page.wait_for_selector("#apikey-secret >> text=aura_", timeout=WAIT
                                    ).inner_text().strip()
    shot(page, "admin-api-keys-secret")
    api = f"{studio.backend}/api/v1/workflows"
    assert httpx.get(api, headers={"X-API-Key": secret}, timeout=30).status_code == 200
    page.click("#apikey-done")
    # never shown again: gone once the dialog has closed (it fades out)
    page.wait_for_selector("#apikey-secret", state="detached", timeout=WAIT)
    assert page.locator(f"text={secret}").count() == 0
    page.get_by_label("Revoke CI deploy").first.click()
    page.click("#apikey-revoke-ok")
    page.locator(".apikey-row", has_text="CI deploy").locator("text=revoked").first.wait_for()
    page.wait_for_selector("#apikey-revoke", state="detached")
    shot(page, "admin-api-keys")
    refused = httpx.get(api, headers={"X-API-Key": secret}, timeout=30)
    assert refused.status_code == 401 and "revoked" in refused.json()["message"]

    # -- audit log: filter, then a CSV download of what the filter shows -----------------
    _open(page, studio, "/admin/audit", "#audit-table")
    page.fill("#audit-action", "apikey")
    page.click("#audit-apply")
    page.wait_for_function(
        "[...document.querySelectorAll('.audit-row code')].length > 0 && "
        "[...document.querySelectorAll('.audit-row code')].every("
        "c => c.textContent.startsWith('apikey.'))", timeout=WAIT)
    shown = page.locator(".audit-row code").all_inner_texts()
    assert {"apikey.created", "apikey.revoked"} <= set(shown)
    shot(page, "admin-audit")
    page.click("#audit-export")
    with page.expect_download(timeout=WAIT) as download:
        page.click("#audit-export-csv")
    path = download.value.path()
    assert download.value.suggested_filename.endswith(".csv")
    with open(path, encoding="utf-8") as f:
        rows = list(csv.DictReader(io.StringIO(f.read())))
    assert rows and {r["action"] for r in rows} <= {"apikey.created", "apikey.revoked",
                                                   "apikey.used"}
    assert "apikey.revoked" in {r["action"] for r in rows}

    # -- security: the outbound HTTP allow-list -------------------------------------------
    _open(page, studio, "/admin/security", "#allow-card")
    page.wait_for_selector('.allow-fixed[data-entry="127.0.0.1"]')  # AURA_HTTP_ALLOW
    page.fill("#allow-new", "https://intranet.local/api")
    page.click("#allow-add")
    page.wait_for_selector("#allow-error >> text=write only the host")
    page.fill("#allow-new", "Intranet.Local:8443")
    page.click("#allow-add")
    page.wait_for_selector('.allow-entry[data-entry="intranet.local:8443"]')
    assert security.get_http_allow_list().entries == ["intranet.local:8443"]
    shot(page, "admin-security")
    page.get_by_label("Remove intranet.local:8443").click()
    page.wait_for_selector('.allow-entry[data-entry="intranet.local:8443"]',
                           state="detached")
    assert security.get_http_allow_list().entries == []

    # -- security: a single sign-on provider (the secret is write-only) -----------------
    page.click("#add-provider")
    page.fill("#provider-name", "corp-github")
    page.wait_for_selector(
        '#provider-redirect:has-text("/api/v1/auth/oidc/corp-github/callback")')
    page.fill("#provider-client-id", "Iv1.abc123")
    page.fill("#provider-secret", "gh-secret-9f8e7d")
    shot(page, "admin-security-sso")
    page.click("#provider-save")
    page.wait_for_selector(".provider-row >> text=corp-github", timeout=WAIT)
    assert "gh-secret-9f8e7d" not in page.content()
    shot(page, "admin-security-provider")
    from engine.services import oidc

    oidc.delete_provider(_owner(), "corp-github")  # other tests' login page stays plain

    # -- projects: create one; its creator is its admin ----------------------------------
    _open(page, studio, "/admin/projects", "#projects-list")
    page.click("#new-project")
    page.fill("#project-name", "Marketing")
    page.click("#project-create")
    page.wait_for_selector("#members-table >> text=owner@example.com", timeout=WAIT)
    shot(page, "admin-projects")

    # -- the same pages in dark mode ------------------------------------------------------
    _open(page, studio, "/settings", "#color-mode-setting")
    page.locator("#color-mode-setting").get_by_role("radio", name="Dark").click()
    page.wait_for_function("document.documentElement.classList.contains('dark')")
    for path, ready, name in (("/admin/security", "#allow-card", "admin-security-dark"),
                              ("/admin/users", "#users-table", "admin-users-dark")):
        _open(page, studio, path, ready)
        shot(page, name)


def _owner() -> Any:
    from engine.services import auth
    from tests.studio.conftest import OWNER

    result = auth.login(OWNER["email"], OWNER["password"])
    assert result.tokens is not None
    return auth.principal_from_access_token(result.tokens.access_token)


def test_non_admins_only_see_their_api_keys(new_context: Any, studio: Studio,
                                            owner_account: dict[str, str],
                                            shot: Any) -> None:
    from engine.services import auth

    email = f"eddie-{uuid.uuid4().hex[:6]}@example.com"
    inv = auth.invite(_owner(), email, "editor")
    assert inv.token is not None
    auth.accept_invitation(inv.token, PASSWORD, "Eddie Editor")
    context = new_context()
    sign_in(context, studio, email, PASSWORD)
    page = context.new_page()
    _open(page, studio, "/admin/users", "#admin-denied")
    assert page.locator("#users-table").count() == 0
    assert page.locator("#invite-user").count() == 0
    assert page.locator("#nav-admin").count() == 0
    shot(page, "admin-denied")
    page.click("#nav-api-keys")
    page.wait_for_selector("#new-apikey", timeout=WAIT)
    assert page.locator("#apikeys-all").count() == 0  # no "all users' keys" switch
