"""Signing in to the studio through single sign-on in a real browser (Chromium +
Playwright): a real local OpenID Connect provider (tests/support/oidc_provider.py) that
approves its current user at once, registered by the owner like an admin would.

The browser starts on a studio page, is sent to the login page, clicks the provider's
button, goes through the provider and comes back to the page it asked for, signed in;
or back to the login page with the reason shown. A user with 2FA gets the code step.

Uses the session's one production build (see conftest): page and backend are two ports,
so the provider's way back relies on AURA_STUDIO_URL (set by the ``studio`` fixture).
Screenshots of the login page with the provider's button and of a refused sign-in go to
AURA_SCREENSHOTS.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest

from tests.studio.conftest import Studio
from tests.studio.test_browser_auth import _owner_tokens, _user, _wait_path
from tests.support.oidc_provider import OidcProviderForTests, oidc_provider

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PROVIDER = "localidp"
LABEL = "Local IdP"
BUTTON = f'.sso-button[data-provider="{PROVIDER}"]'


def _owner() -> Any:
    from engine.services import auth

    return auth.principal_from_access_token(_owner_tokens()["access_token"])


@pytest.fixture(scope="module")
def idp(studio: Studio, owner_account: dict[str, str]) -> Iterator[OidcProviderForTests]:
    """The local provider, registered by the owner for the module (removed afterwards,
    so the other browser tests' login page has no button to a stopped provider)."""
    from engine.services import oidc

    with oidc_provider() as provider:
        oidc.save_provider(_owner(), PROVIDER, preset="oidc", client_id=provider.client_id,
                           client_secret=provider.client_secret, issuer=provider.issuer,
                           label=LABEL)
        try:
            yield provider
        finally:
            oidc.delete_provider(_owner(), PROVIDER)


@pytest.fixture
def honest_idp(idp: OidcProviderForTests) -> OidcProviderForTests:
    """The provider as it behaves by default, with a clean sign-in rate limit."""
    from engine.auth.ratelimit import LocalRateLimiter

    LocalRateLimiter.clear_all()
    idp.tamper()
    idp.deny(None)
    return idp


def _to_login_and_click(new_context: Any, studio: Studio, shot: Any | None = None
                        ) -> Any:
    """A fresh browser opens /workflows, lands on the login page and clicks the
    provider's button; returns the page."""
    page = new_context().new_page()
    page.goto(f"{studio.url}/workflows")
    _wait_path(page, "/login")
    button = page.locator(BUTTON)
    button.wait_for(timeout=30_000)
    assert f"Continue with {LABEL}" in button.inner_text()
    if shot is not None:
        shot(page, "sso-login")
    button.click()
    return page


def _signed_out(page: Any, studio: Studio) -> None:
    """No session cookie, and a studio page sends the browser to the login page."""
    assert "aura_session" not in {c["name"] for c in page.context.cookies()}
    page.goto(f"{studio.url}/workflows")
    _wait_path(page, "/login")


def test_sign_in_through_the_provider_links_the_identity(
        new_context: Any, studio: Studio, honest_idp: OidcProviderForTests,
        shot: Any) -> None:
    from engine.services import oidc

    email, editor = _user("editor")  # "Editor Person", invited by the owner
    subject = f"idp-{uuid.uuid4().hex[:8]}"
    honest_idp.set_user(subject, email, name="Eddie at the IdP")
    assert oidc.list_identities(editor) == []

    page = _to_login_and_click(new_context, studio, shot)
    _wait_path(page, "/workflows")
    assert urlsplit(page.url).netloc == urlsplit(studio.url).netloc  # the page's port
    page.wait_for_selector("#user-menu >> text=Editor Person", timeout=60_000)
    page.wait_for_selector("#user-menu >> text=editor")
    assert "GET /authorize" in honest_idp.requests
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["aura_session"]["httpOnly"] and cookies["aura_refresh"]["httpOnly"]
    assert "aura_oidc" not in cookies  # the one-attempt binding cookie is gone
    linked = oidc.list_identities(editor)
    assert [(i["provider"], i["subject"], i["email"]) for i in linked] == [
        (PROVIDER, subject, email)]


@pytest.mark.parametrize(("who", "words"), [
    ("unverified", "no verified e-mail address"),
    ("unknown", "No AURA account uses"),
])
def test_a_refused_sign_in_comes_back_to_login_with_the_reason(
        new_context: Any, studio: Studio, honest_idp: OidcProviderForTests, shot: Any,
        who: str, words: str) -> None:
    from engine.services import oidc

    subject = f"idp-{uuid.uuid4().hex[:8]}"
    if who == "unverified":  # an AURA user, but the provider did not verify the address
        email, editor = _user("editor")
        honest_idp.set_user(subject, email, email_verified=False)
    else:
        email, editor = f"stranger-{subject}@example.com", None
        honest_idp.set_user(subject, email)

    page = _to_login_and_click(new_context, studio)
    _wait_path(page, "/login")
    # the studio's login page (not the API's port), ready to return to /workflows
    assert urlsplit(page.url).netloc == urlsplit(studio.url).netloc
    assert parse_qs(urlsplit(page.url).query)["next"][0].rstrip("/") == "/workflows"
    error = page.locator("#auth-error")
    error.wait_for(timeout=30_000)
    assert words in error.inner_text()
    assert email in error.inner_text() or who == "unverified"
    page.wait_for_selector("#login-form")  # password sign-in is still offered
    page.wait_for_selector(BUTTON)  # and so is trying again
    shot(page, f"sso-refused-{who}")
    _signed_out(page, studio)
    if editor is not None:
        assert oidc.list_identities(editor) == []


@pytest.fixture
def admins_need_2fa() -> Iterator[None]:
    """The admin role requires 2FA for the test (restored afterwards)."""
    from engine.services import auth

    before = auth.required_2fa_roles()
    auth.set_required_2fa_roles(_owner(), sorted({*before, "admin"}))
    yield
    auth.set_required_2fa_roles(_owner(), before)


def test_a_user_with_2fa_gives_the_code_after_the_provider(
        new_context: Any, studio: Studio, honest_idp: OidcProviderForTests,
        shot: Any, admins_need_2fa: None) -> None:
    from engine.services import auth, oidc

    email, admin = _user("admin")
    secret = auth.start_totp_enrolment(admin).secret
    totp = pyotp.TOTP(secret)
    auth.confirm_totp(admin, totp.now())  # this code is used up
    subject = f"idp-{uuid.uuid4().hex[:8]}"
    honest_idp.set_user(subject, email)

    page = _to_login_and_click(new_context, studio)
    _wait_path(page, "/login")
    page.wait_for_selector("#code-form", timeout=30_000)
    assert "aura_session" not in {c["name"] for c in page.context.cookies()}
    shot(page, "sso-2fa")
    valid = {totp.at(time.time() + d) for d in (-30, 0, 30, 60)}
    page.fill("#f-code", next(c for c in ("000000", "111111", "222222")
                              if c not in valid))
    page.click("#code-submit")
    page.wait_for_selector("#auth-error >> text=code")
    page.fill("#f-code", totp.at(time.time() + 30))  # the next one (the current is spent)
    page.click("#code-submit")
    _wait_path(page, "/workflows")
    page.wait_for_selector("#user-menu >> text=Admin Person", timeout=60_000)
    assert [i["subject"] for i in oidc.list_identities(admin)] == [subject]


def test_a_provider_turned_off_after_the_page_loaded_says_so_on_the_login_page(
        new_context: Any, studio: Studio, honest_idp: OidcProviderForTests) -> None:
    from engine.services import oidc

    page = new_context().new_page()
    page.goto(f"{studio.url}/workflows")
    _wait_path(page, "/login")
    page.locator(BUTTON).wait_for(timeout=30_000)
    before = len(honest_idp.requests)
    settings = dict(preset="oidc", client_id=honest_idp.client_id, issuer=honest_idp.issuer,
                    label=LABEL)
    oidc.save_provider(_owner(), PROVIDER, enabled=False, **settings)  # an admin, meanwhile
    try:
        page.click(BUTTON)
        _wait_path(page, "/login")
        assert urlsplit(page.url).netloc == urlsplit(studio.url).netloc
        page.wait_for_selector(f"#auth-error >> text=Signing in with {LABEL} is turned off")
        assert page.locator(BUTTON).count() == 0  # the fresh page offers it no more
        assert len(honest_idp.requests) == before  # the provider was never asked
        _signed_out(page, studio)
    finally:
        oidc.save_provider(_owner(), PROVIDER, enabled=True, **settings)


def test_a_user_whose_role_requires_2fa_sets_it_up_after_the_provider(
        new_context: Any, studio: Studio, honest_idp: OidcProviderForTests,
        shot: Any, admins_need_2fa: None) -> None:

    email, _ = _user("admin")  # no 2FA yet
    honest_idp.set_user(f"idp-{uuid.uuid4().hex[:8]}", email)

    page = _to_login_and_click(new_context, studio)
    _wait_path(page, "/account")  # enrolment only, straight to setting it up
    page.wait_for_selector("#must-enrol")
    page.wait_for_selector("#totp-qr svg")
    shown = page.inner_text("#totp-secret").strip()
    shot(page, "sso-must-enrol")
    page.goto(f"{studio.url}/workflows")
    _wait_path(page, "/account")  # nothing else until 2FA is on
    page.wait_for_selector("#totp-secret")
    page.wait_for_timeout(1000)  # the page's load event has run
    secret = page.inner_text("#totp-secret").strip()
    assert secret == shown  # a reload keeps the code the user may have scanned
    page.fill("#confirm-2fa-code", pyotp.TOTP(secret).now())
    page.click("#confirm-2fa")
    page.wait_for_selector("#totp-state >> text=On")
    page.wait_for_selector("#recovery-codes")
    page.goto(f"{studio.url}/workflows")  # with 2FA on, the studio opens
    _wait_path(page, "/workflows")
    page.wait_for_selector("#user-menu >> text=Admin Person", timeout=60_000)
