"""Single sign-on through ``engine.services.oidc`` against a real local OpenID Connect
provider (authlib's server side, over HTTP): linking, refusals, tampered ID tokens,
replays, GitHub's OAuth2, 2FA, login methods and provider configuration."""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pyotp
import pytest

from engine.auth.types import Principal
from engine.errors import ConflictError, NotFoundError, PermissionDenied, ValidationError
from tests.auth.conftest import OWNER_EMAIL, Clock, add_user, totp_now
from tests.support.oidc_provider import OidcProviderForTests, oidc_provider

REDIRECT = "http://testserver/api/v1/auth/oidc/{name}/callback"


@pytest.fixture(scope="module")
def idp() -> Iterator[OidcProviderForTests]:
    with oidc_provider(users=[{"sub": "owner-sub", "email": OWNER_EMAIL}]) as provider:
        yield provider


@pytest.fixture
def sso(auth: ModuleType, owner: Principal, idp: OidcProviderForTests) -> ModuleType:
    """``engine.services.oidc`` with the provider ``idp`` registered; the provider
    honest and approving the owner."""
    from engine.auth import oidc as protocol
    from engine.services import oidc

    idp.tamper()
    idp.deny(None)
    idp.set_user("owner-sub", OWNER_EMAIL)
    protocol.clear_cache()
    oidc.save_provider(owner, "idp", preset="oidc", client_id=idp.client_id,
                       client_secret=idp.client_secret, issuer=idp.issuer, label="Test IdP")
    return oidc


def sign_in(sso: ModuleType, name: str = "idp", *, next_url: str | None = None,
            browser: str | None = None, state: str | None = None) -> tuple[Any, str]:
    """Start → the provider's /authorize (approves at once) → finish."""
    url, bind = sso.start_login(name, redirect_uri=REDIRECT.format(name=name),
                                next_url=next_url)
    r = httpx.get(url, timeout=10)
    assert r.status_code == 302, r.text
    q = parse_qs(urlsplit(r.headers["location"]).query)
    return sso.finish_login(name, state=state or q["state"][0],
                            code=q.get("code", [None])[0], error=q.get("error", [None])[0],
                            browser=bind if browser is None else browser)


def refused(sso: ModuleType, reason: str, **kw: Any) -> Any:
    with pytest.raises(sso.SignInRefused) as caught:
        sign_in(sso, **kw)
    assert caught.value.reason == reason, caught.value.message
    return caught.value


def _events(auth: ModuleType, owner: Principal, action: str) -> list[Any]:
    return [e for e in auth.audit_log(owner, limit=500) if e.action == action]


# -- linking and accounts ------------------------------------------------------------------
def test_first_login_links_the_user_with_the_verified_email(
        sso: ModuleType, auth: ModuleType, owner: Principal) -> None:
    result, nxt = sign_in(sso, next_url="/workflows")
    assert nxt == "/workflows" and result.tokens is not None
    me = auth.principal_from_access_token(result.tokens.access_token)
    assert me.user_id == owner.user_id and me.role == "owner"
    ids = sso.list_identities(me)
    assert [(i["provider"], i["subject"]) for i in ids] == [("idp", "owner-sub")]
    linked = _events(auth, owner, "user.oidc_linked")
    assert linked and linked[0].details["provider"] == "idp"
    logins = _events(auth, owner, "user.login")
    assert logins[0].details == {"method": "oidc:idp"}


def test_a_linked_identity_keeps_signing_in_after_its_email_changes(
        sso: ModuleType, auth: ModuleType, owner: Principal, idp: OidcProviderForTests
) -> None:
    sign_in(sso)
    idp.set_user("owner-sub", "renamed@elsewhere.example", email_verified=False)
    result, _ = sign_in(sso)
    assert auth.principal_from_access_token(result.tokens.access_token).user_id == \
        owner.user_id


def test_unverified_email_is_refused(sso: ModuleType, idp: OidcProviderForTests) -> None:
    idp.set_user("sneaky", OWNER_EMAIL, email_verified=False)
    exc = refused(sso, "email_unverified")
    assert "verified" in exc.message and exc.http_status == 403


def test_unknown_email_is_refused_unless_the_provider_creates_accounts(
        sso: ModuleType, auth: ModuleType, owner: Principal, idp: OidcProviderForTests
) -> None:
    idp.set_user("newbie", "newbie@example.com")
    exc = refused(sso, "no_account")
    assert "invite" in exc.message
    assert auth.context().store.users.by_email("newbie@example.com") is None
    sso.save_provider(owner, "idp", preset="oidc", client_id=idp.client_id, issuer=idp.issuer,
                      auto_create=True, default_role="editor")
    result, _ = sign_in(sso)
    me = auth.principal_from_access_token(result.tokens.access_token)
    assert me.email == "newbie@example.com" and me.role == "editor"


def test_a_pending_invitation_is_accepted(sso: ModuleType, auth: ModuleType,
                                          owner: Principal, idp: OidcProviderForTests) -> None:
    auth.invite(owner, "invited@example.com", "editor")
    idp.set_user("inv", "Invited@Example.com")
    result, _ = sign_in(sso)
    me = auth.principal_from_access_token(result.tokens.access_token)
    assert (me.email, me.role) == ("invited@example.com", "editor")
    assert auth.list_invitations(owner) == []


def test_a_disabled_user_is_refused(sso: ModuleType, auth: ModuleType, owner: Principal,
                                    idp: OidcProviderForTests) -> None:
    viewer = add_user(auth, owner, "vera@example.com", "viewer")
    auth.disable_user(owner, viewer.user_id)
    idp.set_user("vera", "vera@example.com")
    exc = refused(sso, "disabled")
    assert "disabled" in exc.message


# -- state, browser binding, replays ------------------------------------------------------
def test_a_used_state_cannot_be_replayed(sso: ModuleType) -> None:
    url, bind = sso.start_login("idp", redirect_uri=REDIRECT.format(name="idp"))
    q = parse_qs(urlsplit(httpx.get(url, timeout=10).headers["location"]).query)
    state, code = q["state"][0], q["code"][0]
    result, _ = sso.finish_login("idp", state=state, code=code, browser=bind)
    assert result.tokens is not None
    with pytest.raises(sso.SignInRefused) as caught:
        sso.finish_login("idp", state=state, code=code, browser=bind)
    assert caught.value.reason == "state"


def test_unknown_state_missing_or_other_browser_cookie_are_refused(sso: ModuleType,
                                                                   auth: ModuleType,
                                                                   owner: Principal) -> None:
    refused(sso, "state", state="forged-state")
    refused(sso, "browser", browser="")
    exc = refused(sso, "browser", browser="cookie-of-another-browser")
    assert "another browser" in exc.message
    assert all(e.details.get("method") != "oidc:idp"
               for e in _events(auth, owner, "user.login"))
    assert len(_events(auth, owner, "user.login_failed")) >= 3


def test_a_sign_in_expires_after_ten_minutes(sso: ModuleType, clock: Clock) -> None:
    url, bind = sso.start_login("idp", redirect_uri=REDIRECT.format(name="idp"))
    q = parse_qs(urlsplit(httpx.get(url, timeout=10).headers["location"]).query)
    clock.advance(minutes=11)
    with pytest.raises(sso.SignInRefused) as caught:
        sso.finish_login("idp", state=q["state"][0], code=q["code"][0], browser=bind)
    assert caught.value.reason == "expired"


# -- ID token checks -----------------------------------------------------------------------
@pytest.mark.parametrize(("tamper", "claim", "words"), [
    ({"nonce": "not-the-nonce"}, "nonce", "nonce"),
    ({"aud": "another-app"}, "aud", "audience"),
    ({"iss": "https://evil.example"}, "iss", "issuer"),
    ({"exp_offset": -1200}, "exp", "expired"),
    ({"other_key": True}, "signature", "not signed"),
])
def test_a_bad_id_token_is_refused_with_no_session(
        sso: ModuleType, auth: ModuleType, owner: Principal, idp: OidcProviderForTests,
        tamper: dict[str, Any], claim: str, words: str) -> None:
    idp.tamper(**tamper)
    exc = refused(sso, "id_token")
    assert exc.details["claim"] == claim and words in exc.message
    assert sso.list_identities(owner) == []
    assert not [e for e in _events(auth, owner, "user.login")
                if e.details.get("method") == "oidc:idp"]


def test_the_provider_saying_no_is_refused(sso: ModuleType, idp: OidcProviderForTests) -> None:
    idp.deny("access_denied")
    exc = refused(sso, "provider_error")
    assert "access_denied" in exc.message


# -- GitHub --------------------------------------------------------------------------------
def test_github_preset_signs_in_with_the_primary_verified_email(
        sso: ModuleType, auth: ModuleType, owner: Principal, idp: OidcProviderForTests
) -> None:
    sso.save_provider(owner, "github", preset="github", client_id=idp.client_id,
                      client_secret=idp.client_secret, base_url=idp.github_base_url)
    result, _ = sign_in(sso, "github")
    assert auth.principal_from_access_token(result.tokens.access_token).user_id == \
        owner.user_id
    assert "GET /github/api/v3/user/emails" in idp.requests
    idp.set_user("octo", OWNER_EMAIL, email_verified=False)
    # the unverified primary address is not used: only the verified no-reply one is
    exc = refused(sso, "no_account", name="github")
    assert "octo@users.noreply.github.com" in exc.message and exc.http_status == 403


# -- 2FA -----------------------------------------------------------------------------------
def test_a_user_with_2fa_gets_the_challenge(sso: ModuleType, auth: ModuleType,
                                            owner: Principal, clock: Clock) -> None:
    enrolment = auth.start_totp_enrolment(owner)
    auth.confirm_totp(owner, totp_now(enrolment.secret, clock.now))
    result, _ = sign_in(sso)
    assert result.tokens is None and result.needs_2fa and result.challenge_token
    clock.advance(seconds=30)
    tokens = auth.verify_2fa(result.challenge_token, totp_now(enrolment.secret, clock.now))
    assert auth.principal_from_access_token(tokens.access_token).user_id == owner.user_id


def test_a_role_that_requires_2fa_gets_an_enrolment_only_session(
        sso: ModuleType, auth: ModuleType, owner: Principal, idp: OidcProviderForTests
) -> None:
    add_user(auth, owner, "eddie@example.com", "editor")
    auth.set_required_2fa_roles(owner, ["editor"])
    idp.set_user("eddie", "eddie@example.com")
    result, _ = sign_in(sso)
    assert result.must_enrol_2fa
    me = auth.principal_from_access_token(result.tokens.access_token)
    with pytest.raises(PermissionDenied, match="two-factor"):
        auth.authorize(me, "workflow:read")
    assert pyotp.random_base32()  # enrolment works as after a password login
    auth.start_totp_enrolment(me)


# -- login methods, providers --------------------------------------------------------------
def test_login_methods(sso: ModuleType, auth: ModuleType, owner: Principal) -> None:
    assert sso.get_login_methods() == ["password", "oidc:idp"]
    assert sso.login_options() == [{"name": "idp", "label": "Test IdP",
                                     "start_path": "/api/v1/auth/oidc/idp/start"}]
    assert sso.set_login_methods(owner, ["oidc:idp"]) == ["oidc:idp"]
    with pytest.raises(PermissionDenied, match="Password sign-in is turned off"):
        sso.check_password_login()
    sso.set_login_methods(owner, ["password"])
    sso.check_password_login()
    assert sso.login_options() == []
    assert refused(sso, "method_not_allowed").http_status == 403
    sso.set_login_methods(owner, ["password", "oidc:idp"])
    idp_info = sso.list_providers(owner)[0]
    sso.save_provider(owner, "idp", preset="oidc", client_id=idp_info["client_id"],
                      issuer=idp_info["issuer"], enabled=False)
    assert sso.login_options() == [] and sso.get_login_methods() == ["password"]
    assert refused(sso, "method_not_allowed").http_status == 403
    with pytest.raises(ValidationError, match="at least one"):
        sso.set_login_methods(owner, [])
    with pytest.raises(ValidationError, match="Unknown login method"):
        sso.set_login_methods(owner, ["oidc:nope"])
    viewer = add_user(auth, owner, "v@example.com", "viewer")
    with pytest.raises(PermissionDenied):
        sso.set_login_methods(viewer, ["password", "oidc:idp"])
    # only SSO allowed, then its provider is removed: password comes back, no lock-out
    sso.save_provider(owner, "idp", preset="oidc", client_id=idp_info["client_id"],
                      issuer=idp_info["issuer"], enabled=True)
    sso.set_login_methods(owner, ["oidc:idp"])
    sso.delete_provider(owner, "idp")
    assert sso.get_login_methods() == ["password"]
    sso.check_password_login()


def test_provider_secret_is_encrypted_masked_and_kept(
        sso: ModuleType, auth: ModuleType, owner: Principal, idp: OidcProviderForTests
) -> None:
    listed = sso.list_providers(owner)
    assert idp.client_secret not in repr(listed)
    assert listed[0]["client_secret_set"] is True and "client_secret" not in listed[0]
    row = auth.context().store.oidc.get_provider("idp")
    assert idp.client_secret.encode() not in row.client_secret
    sso.save_provider(owner, "idp", preset="oidc", client_id=idp.client_id, issuer=idp.issuer,
                      label="Renamed")  # no secret: the stored one is kept
    result, _ = sign_in(sso)
    assert result.tokens is not None
    events = _events(auth, owner, "settings.oidc_provider_saved")
    assert events and idp.client_secret not in repr([e.details for e in events])


def test_provider_validation_and_permissions(sso: ModuleType, auth: ModuleType,
                                             owner: Principal) -> None:
    with pytest.raises(ValidationError, match="issuer"):
        sso.save_provider(owner, "x", preset="oidc", client_id="c")
    with pytest.raises(ValidationError, match="https"):
        sso.save_provider(owner, "x", preset="oidc", client_id="c",
                          issuer="http://idp.example.com")
    with pytest.raises(ValidationError, match="name"):
        sso.save_provider(owner, "Bad Name", preset="google", client_id="c",
                          client_secret="s")
    with pytest.raises(ValidationError, match="secret"):
        sso.save_provider(owner, "g", preset="google", client_id="c")
    with pytest.raises(ValidationError, match="owners"):
        sso.save_provider(owner, "g", preset="google", client_id="c", client_secret="s",
                          default_role="owner")
    editor = add_user(auth, owner, "e@example.com", "editor")
    with pytest.raises(PermissionDenied):
        sso.list_providers(editor)
    with pytest.raises(PermissionDenied):
        sso.delete_provider(editor, "idp")
    sso.delete_provider(owner, "idp")
    with pytest.raises(NotFoundError):
        sso.delete_provider(owner, "idp")


def test_presets_build_the_right_issuers(sso: ModuleType, owner: Principal) -> None:
    from engine.auth.oidc_config import ProviderConfig

    ms = ProviderConfig("ms", "microsoft", "c", tenant="contoso.onmicrosoft.com")
    assert ms.issuer_url() == "https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0"
    gl = ProviderConfig("gl", "gitlab", "c", base_url="https://git.example.org")
    assert gl.issuer_url() == "https://git.example.org"
    assert ProviderConfig("g", "google", "c").issuer_url() == "https://accounts.google.com"
    assert ProviderConfig("gh", "github", "c").github_urls() == (
        "https://github.com", "https://api.github.com")
    assert ProviderConfig("gh", "github", "c").scope_list() == ["read:user", "user:email"]


def test_providers_from_the_environment(sso: ModuleType, auth: ModuleType, owner: Principal,
                                        idp: OidcProviderForTests,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AURA_OIDC_CORP_CLIENT_ID", idp.client_id)
    monkeypatch.setenv("AURA_OIDC_CORP_CLIENT_SECRET", idp.client_secret)
    monkeypatch.setenv("AURA_OIDC_CORP_ISSUER", idp.issuer)
    monkeypatch.setenv("AURA_OIDC_CORP_LABEL", "Corp SSO")
    corp = next(p for p in sso.list_providers(owner) if p["name"] == "corp")
    assert corp["source"] == "env" and corp["client_secret_set"]
    with pytest.raises(ConflictError, match="environment"):
        sso.save_provider(owner, "corp", preset="oidc", client_id="x", issuer=idp.issuer)
    result, _ = sign_in(sso, "corp")
    assert result.tokens is not None
    monkeypatch.setenv("AURA_OIDC_PROVIDERS", '[{"name": "json", "preset": "google", '
                       '"client_id": "j", "client_secret": "s"}]')
    assert {"corp", "json", "idp"} <= {p["name"] for p in sso.list_providers(owner)}


def test_identities_can_be_listed_and_unlinked(sso: ModuleType, owner: Principal) -> None:
    sign_in(sso)
    [identity] = sso.list_identities(owner)
    sso.unlink_identity(owner, identity["id"])
    assert sso.list_identities(owner) == []
    with pytest.raises(NotFoundError):
        sso.unlink_identity(owner, identity["id"])


def test_next_must_stay_on_the_site(sso: ModuleType) -> None:
    assert sso.check_next(None) == "/"
    assert sso.check_next("/workflows?x=1") == "/workflows?x=1"
    assert sso.check_next("http://localhost:3000/editor") == "http://localhost:3000/editor"
    for bad in ("https://evil.example/", "//evil.example/x", "/\\evil.example",
                "javascript:alert(1)", "http://localhost:3001/"):
        with pytest.raises(ValidationError, match="other sites"):
            sso.check_next(bad)


def test_cli_configures_providers_and_is_the_break_glass(
        sso: ModuleType, owner: Principal, idp: OidcProviderForTests) -> None:
    import json

    from typer.testing import CliRunner

    from engine.cli.app import app

    runner = CliRunner()

    def run(*args: str, input: str | None = None, code: int = 0) -> str:
        result = runner.invoke(app, ["user", "oidc", *args], input=input)
        assert result.exit_code == code, result.output
        return result.output

    out = run("add", "corp", "--client-id", idp.client_id, "--issuer", idp.issuer,
              "--label", "Corp", "--auto-create", "--default-role", "editor",
              input=f"{idp.client_secret}\n")
    assert "/api/v1/auth/oidc/corp/callback" in out and idp.client_secret not in out
    listed = json.loads(run("list", "--json"))
    corp = next(p for p in listed["providers"] if p["name"] == "corp")
    assert corp["client_secret_set"] and corp["default_role"] == "editor"
    assert idp.client_secret not in json.dumps(listed)
    result, _ = sign_in(sso, "corp")
    assert result.tokens is not None
    assert "oidc:corp" in run("login-methods", "oidc:corp")
    with pytest.raises(PermissionDenied):
        sso.check_password_login()
    assert "password" in run("login-methods", "password")  # break-glass
    sso.check_password_login()
    assert "Unknown login method" in run("login-methods", "oidc:nope", code=2)
    bad = run("add", "x", "--client-id", "c", "--preset", "nope", input="\n", code=2)
    assert "Unknown preset" in bad
    run("remove", "corp")
    assert "no login provider" in run("remove", "corp", code=2)


def test_microsoft_issuer_follows_the_tenant(sso: ModuleType, auth: ModuleType,
                                             owner: Principal,
                                             idp: OidcProviderForTests) -> None:
    """Multi-tenant ('organizations'): the issuer must name the token's own tenant;
    single tenant: only that tenant. Entra e-mails count as verified only with xms_edov."""
    sso.save_provider(owner, "ms", preset="microsoft", client_id=idp.client_id,
                      client_secret=idp.client_secret,
                      issuer=f"{idp.issuer}/organizations/v2.0")
    idp.set_user("ms-owner", OWNER_EMAIL, tid="tenant-a")
    result, _ = sign_in(sso, "ms")
    assert auth.principal_from_access_token(result.tokens.access_token).user_id == \
        owner.user_id
    idp.tamper(iss=f"{idp.issuer}/tenant-b/v2.0")  # issuer of another tenant than tid
    assert refused(sso, "id_token", name="ms").details["claim"] == "iss"
    idp.tamper()
    idp.set_user("ms-unverified", OWNER_EMAIL, email_verified=False, tid="tenant-a")
    refused(sso, "email_unverified", name="ms")
    sso.save_provider(owner, "ms", preset="microsoft", client_id=idp.client_id,
                      issuer=f"{idp.issuer}/tenant-a/v2.0")
    idp.set_user("ms-owner", OWNER_EMAIL, tid="tenant-a")
    assert sign_in(sso, "ms")[0].tokens is not None
    idp.set_user("ms-owner", OWNER_EMAIL, tid="tenant-b")
    assert refused(sso, "id_token", name="ms").details["claim"] == "iss"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_store(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Any]:
    """A migrated store (0004 included) on SQLite or the embedded PostgreSQL."""
    from engine.store import Store

    if request.param == "sqlite":
        with Store(f"sqlite:///{tmp_path / 'sso.db'}") as store:
            yield store
        return
    from tests.support.postgres import shared_postgres

    pg = shared_postgres()
    url = pg.create_database()
    try:
        with Store(url) as store:
            yield store
    finally:
        pg.drop_database(url)


def test_sso_tables_on_both_databases(any_store: Any) -> None:
    """A pending login is taken once even by racing requests; a provider account links
    to one user only; identities go with their user's rows."""
    from concurrent.futures import ThreadPoolExecutor
    from datetime import UTC, datetime, timedelta

    from engine.store.models_oidc import OidcLogin

    now = datetime.now(UTC)
    store = any_store
    user = store.users.create("ann@example.com", password_hash=None, role="viewer")
    store.oidc.add_login(OidcLogin(state_hash="s" * 64, browser_hash="b" * 64,
                                   provider="idp", nonce="n", code_verifier="v" * 43,
                                   redirect_uri="http://x/cb", created_at=now,
                                   expires_at=now + timedelta(minutes=10)))
    with ThreadPoolExecutor(4) as pool:
        taken = list(pool.map(lambda _: store.oidc.take_login("s" * 64), range(4)))
    assert sum(t is not None for t in taken) == 1
    assert store.oidc.take_login("s" * 64) is None
    store.oidc.add_identity("idp", "sub-1", user.id, user.email, now)
    with pytest.raises(ConflictError):
        store.oidc.add_identity("idp", "sub-1", user.id, user.email, now)
    assert [i.subject for i in store.oidc.identities_of(user.id)] == ["sub-1"]
    store.oidc.save_provider("idp", preset="oidc", client_id="c", client_secret=b"\x00x",
                             scopes=["openid"], label="", default_role="viewer")
    assert store.oidc.get_provider("idp").client_secret == b"\x00x"
    assert store.oidc.delete_provider("idp") and store.oidc.get_provider("idp") is None
