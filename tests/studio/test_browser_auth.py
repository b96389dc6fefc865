"""Signing in to the studio in a real browser (Chromium + Playwright): first-run set-up,
password + TOTP login, a viewer's read-only editor, and pages that send strangers to the
login page and bring them back afterwards.

Uses the session's one production build (see conftest). Screenshots of the login page,
the 2FA step, set-up and the read-only editor go to AURA_SCREENSHOTS.
"""

from __future__ import annotations

import time
import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest

from tests.studio.conftest import OWNER, Studio, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "Sturdy-Password-42"


def _user(role: str) -> tuple[str, Any]:
    """A new account with ``role`` (invited by the owner); returns (email, principal)."""
    from engine.services import auth

    owner = auth.principal_from_access_token(_owner_tokens()["access_token"])
    email = f"{role}-{uuid.uuid4().hex[:6]}@example.com"
    invitation = auth.invite(owner, email, role)
    assert invitation.token is not None
    info = auth.accept_invitation(invitation.token, PASSWORD, f"{role.title()} Person")
    result = auth.login(email, PASSWORD)
    assert result.tokens is not None
    return info.email, auth.principal_from_access_token(result.tokens.access_token)


def _owner_tokens() -> dict[str, Any]:
    from engine.services import auth

    result = auth.login(OWNER["email"], OWNER["password"])
    assert result.tokens is not None
    return result.tokens.to_dict()


def _wait_path(page: Any, path: str) -> None:
    try:
        page.wait_for_url(lambda url: urlsplit(url).path.rstrip("/") == path,
                          timeout=30_000)
    except Exception:
        raise AssertionError(f"expected {path}, the browser is at {page.url}: "
                             f"{page.inner_text('body')[:500]}") from None


def test_first_run_setup_creates_the_owner(new_context: Any, studio: Studio,
                                           shot: Any) -> None:
    from engine.services import auth

    # tests/studio/conftest.py orders this test first in the browser session
    assert not auth.has_owner(), "the instance was set up before this test ran"
    page = new_context().new_page()
    page.goto(f"{studio.url}/workflows")
    _wait_path(page, "/setup")  # no owner yet: every page leads here
    page.wait_for_selector("#setup-form")
    shot(page, "auth-setup")
    page.fill("#f-name", OWNER["name"])
    page.fill("#f-email", OWNER["email"])
    page.fill("#f-password", "password")
    page.fill("#f-confirm", "password")
    page.click("#setup-submit")
    page.wait_for_selector("#auth-error >> text=too weak")  # the policy says why
    assert not auth.has_owner()
    page.fill("#f-password", OWNER["password"])
    page.fill("#f-confirm", OWNER["password"])
    page.click("#setup-submit")
    _wait_path(page, "/workflows")  # signed in straight away
    page.wait_for_selector("#user-menu >> text=owner")
    assert auth.has_owner()
    page.goto(f"{studio.url}/setup")
    _wait_path(page, "/login")  # set-up happens once


def test_password_and_totp_login(new_context: Any, studio: Studio,
                                 owner_account: dict[str, str], shot: Any) -> None:
    from engine.services import auth

    email, principal = _user("editor")
    secret = auth.start_totp_enrolment(principal).secret
    totp = pyotp.TOTP(secret)
    auth.confirm_totp(principal, totp.now())  # this code is used up

    page = new_context().new_page()
    page.goto(f"{studio.url}/login")
    page.wait_for_selector("#login-form")
    shot(page, "auth-login")
    page.fill("#f-email", email)
    page.fill("#f-password", "not my password")
    page.click("#login-submit")
    page.wait_for_selector("#auth-error >> text=Wrong e-mail or password")
    page.fill("#f-password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector("#code-form")
    now = time.time()
    valid = {totp.at(now + d) for d in (-30, 0, 30)}
    wrong = next(c for c in (f"{n:06d}" for n in range(123456, 999999, 7919))
                 if c not in valid)
    page.fill("#f-code", wrong)
    page.click("#code-submit")
    page.wait_for_selector("#auth-error >> text=code")
    shot(page, "auth-2fa")
    page.fill("#f-code", totp.at(time.time() + 30))  # the next code (the current one is spent)
    page.click("#code-submit")
    _wait_path(page, "/workflows")
    page.wait_for_selector("#user-menu >> text=editor")
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["aura_session"]["httpOnly"] and cookies["aura_refresh"]["httpOnly"]
    assert page.evaluate("document.cookie").find("aura_session") == -1


def test_a_viewer_cannot_edit_a_workflow(new_context: Any, studio: Studio,
                                         owner_account: dict[str, str], shot: Any) -> None:
    from engine.services import auth
    from studio.logic import backend

    owner = auth.principal_from_access_token(_owner_tokens()["access_token"])
    email, viewer = _user("viewer")
    team = auth.create_project(owner, f"Team {uuid.uuid4().hex[:4]}")
    auth.set_project_member(owner, team.id, viewer.user_id, "viewer")
    wid = backend.create_workflow(owner, definition={"name": "Shared report", "nodes": [
        {"name": "Start", "type": "core.manual_trigger", "position": [0, 0]}],
        "connections": []})
    auth.move_to_project(owner, "workflow", wid, team.id)

    context = new_context()
    sign_in(context, studio, email, PASSWORD)
    page = context.new_page()
    page.goto(f"{studio.url}/workflows")
    page.wait_for_selector(".wf-row >> text=Shared report", timeout=60_000)
    page.wait_for_selector("#viewer-badge")
    assert page.locator("#new-workflow").count() == 0
    page.goto(f"{studio.url}/workflows/{wid}")
    page.wait_for_selector('[data-testid="aura-node"]', timeout=60_000)
    page.wait_for_selector("#read-only-badge >> text=you are a viewer")
    assert page.locator("#save").count() == 0
    assert page.locator("#run-workflow").count() == 0
    assert page.locator("#open-palette").count() == 0
    assert page.locator("#nav-settings").count() == 0  # admin-only link hidden
    shot(page, "auth-viewer-editor")
    # the keyboard shortcut is refused too
    page.locator('[data-testid="aura-node"]').first.click()
    page.keyboard.press("Control+s")
    page.wait_for_selector("text=Read only: you may not change this workflow")
    assert backend.versions(owner, wid)[0]["number"] == 1
    # and so is the HTTP API, with the same session cookie (from a page of the studio)
    r = context.request.put(f"{studio.backend}/api/v1/workflows/{wid}", data={
        "name": "Hacked", "nodes": [], "connections": []},
        headers={"Origin": studio.backend})
    assert r.status == 403
    assert "editor" in r.json()["message"]
    assert backend.load_definition(owner, wid)[0]["name"] == "Shared report"


def test_strangers_go_to_login_and_come_back(new_context: Any, studio: Studio,
                                            owner_account: dict[str, str],
                                            shot: Any) -> None:
    page = new_context().new_page()
    page.goto(f"{studio.url}/executions?status=failed")
    _wait_path(page, "/login")
    query = parse_qs(urlsplit(page.url).query)
    back = urlsplit(query["next"][0])
    assert (back.path.rstrip("/"), back.query) == ("/executions", "status=failed")
    page.wait_for_selector("#login-form")
    page.fill("#f-email", owner_account["email"])
    page.fill("#f-password", owner_account["password"])
    page.click("#login-submit")
    _wait_path(page, "/executions")
    assert urlsplit(page.url).query == "status=failed"
    page.wait_for_selector("#user-menu >> text=owner")
    # my account: setting up 2FA shows the QR code to scan
    page.click("#user-menu")
    page.click("#menu-account")
    _wait_path(page, "/account")
    page.wait_for_selector("#account-name >> text=" + OWNER["name"])
    page.click("#start-2fa")
    page.wait_for_selector("#totp-qr svg")
    shot(page, "auth-account")
    # sign out from the menu: the session ends, pages ask for login again
    page.click("#user-menu")
    page.click("#menu-logout")
    _wait_path(page, "/login")
    assert "aura_session" not in {c["name"] for c in page.context.cookies()}
    page.goto(f"{studio.url}/workflows")
    _wait_path(page, "/login")


def test_an_expired_session_is_renewed_and_a_disabled_account_is_sent_away(
        new_context: Any, studio: Studio, owner_account: dict[str, str]) -> None:
    from engine.services import auth

    email, editor = _user("editor")
    context = new_context()
    sign_in(context, studio, email, PASSWORD)
    old = {c["name"]: c["value"] for c in context.cookies()}
    context.clear_cookies(name="aura_session")  # as the browser does at max-age
    page = context.new_page()
    page.goto(f"{studio.url}/workflows")
    page.wait_for_selector("#user-menu >> text=editor", timeout=60_000)
    _wait_path(page, "/workflows")
    new = {c["name"]: c["value"] for c in context.cookies()}
    assert new["aura_session"] and new["aura_refresh"] != old["aura_refresh"]  # rotated
    # an admin disables the account: the next action ends the session
    owner = auth.principal_from_access_token(_owner_tokens()["access_token"])
    auth.disable_user(owner, editor.user_id)
    page.click("#new-workflow")
    page.fill("#new-workflow-name", "Too late")
    page.click("#create-workflow")
    _wait_path(page, "/login")
    page.wait_for_selector("#auth-error >> text=disabled")
