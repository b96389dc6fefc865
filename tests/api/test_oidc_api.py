"""Single sign-on over HTTP, as a browser does it: AURA's API served by uvicorn on a
loopback port, a real local OpenID Connect provider on another, and an httpx client
that follows every redirect and keeps cookies. Plus the admin and identity routes."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pyotp
import pytest
from starlette.testclient import TestClient

from tests.api.conftest import OWNER
from tests.api.test_auth import _viewer
from tests.support.fixtures import redis_for_tests, redis_url  # noqa: F401 (fixtures)
from tests.support.oidc_provider import OidcProviderForTests, oidc_provider, serve_asgi

JSON = {"Accept": "application/json"}


@pytest.fixture(scope="module")
def idp() -> Iterator[OidcProviderForTests]:
    with oidc_provider(users=[{"sub": "owner-sub", "email": OWNER["email"]}]) as provider:
        yield provider


@pytest.fixture
def base(app: Any) -> Iterator[str]:
    """AURA's API on a real port."""
    from engine.auth.ratelimit import LocalRateLimiter

    LocalRateLimiter.clear_all()
    with serve_asgi(app) as url:
        yield url


@pytest.fixture
def admin(base: str, idp: OidcProviderForTests) -> Iterator[httpx.Client]:
    """The owner's API client, with the provider ``idp`` registered."""
    from engine.auth import oidc

    idp.tamper()
    idp.deny(None)
    idp.set_user("owner-sub", OWNER["email"])
    oidc.clear_cache()
    with httpx.Client(base_url=base, timeout=20) as c:
        r = c.post("/api/v1/auth/setup", json=OWNER)
        assert r.status_code == 201, r.text
        c.cookies.clear()
        c.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
        r = c.post("/api/v1/admin/oidc-providers", json={
            "name": "idp", "preset": "oidc", "client_id": idp.client_id,
            "client_secret": idp.client_secret, "issuer": idp.issuer, "label": "Test IdP"})
        assert r.status_code == 201, r.text
        yield c


@pytest.fixture
def browser(base: str) -> Iterator[httpx.Client]:
    def origin(request: httpx.Request) -> None:  # a browser names the page's origin
        if request.method not in ("GET", "HEAD"):
            request.headers["Origin"] = base

    with httpx.Client(base_url=base, timeout=20, follow_redirects=True,
                      event_hooks={"request": [origin]}) as c:
        yield c


def _query(url: httpx.URL | str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(str(url)).query).items()}


def test_browser_sign_in_sets_the_session_and_goes_to_next(
        admin: httpx.Client, browser: httpx.Client, idp: OidcProviderForTests) -> None:
    options = browser.get("/api/v1/auth/oidc/providers").json()
    assert options["items"] == [{"name": "idp", "label": "Test IdP",
                                 "start_path": "/api/v1/auth/oidc/idp/start"}]
    assert options["login_methods"] == ["password", "oidc:idp"]
    r = browser.get("/api/v1/auth/oidc/idp/start", params={"next": "/api/v1/auth/me"})
    assert r.status_code == 200, r.text
    assert r.url.path == "/api/v1/auth/me" and r.json()["email"] == OWNER["email"]
    hops = [str(h.url) for h in r.history]
    assert hops[1].startswith(idp.issuer + "/authorize?")
    auth_q = _query(hops[1])
    assert auth_q["code_challenge_method"] == "S256" and auth_q["nonce"] and auth_q["state"]
    callback = r.history[-1]
    cookies = callback.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith("aura_session="))
    assert "HttpOnly" in session and "SameSite=lax" in session
    assert any(c.startswith("aura_refresh=") and "HttpOnly" in c for c in cookies)
    start = r.history[0].headers.get_list("set-cookie")
    assert any(c.startswith("aura_oidc=") and "HttpOnly" in c and "Max-Age=600" in c
               for c in start)
    ids = browser.get("/api/v1/auth/identities").json()["items"]
    assert [(i["provider"], i["subject"]) for i in ids] == [("idp", "owner-sub")]
    assert browser.delete(f"/api/v1/auth/identities/{ids[0]['id']}").status_code == 204
    assert browser.get("/api/v1/auth/identities").json()["items"] == []
    events = admin.get("/api/v1/audit", params={"action": "user.*"}).json()["items"]
    assert {"user.oidc_linked", "user.oidc_unlinked", "user.login"} <= {
        e["action"] for e in events}


def test_failures_go_to_the_login_page_with_plain_words_and_no_session(
        admin: httpx.Client, browser: httpx.Client, idp: OidcProviderForTests) -> None:
    idp.set_user("stranger", "stranger@example.com")
    r = browser.get("/api/v1/auth/oidc/idp/start", params={"next": "/workflows"})
    assert r.url.path == "/login"
    assert "No AURA account uses stranger@example.com" in _query(r.url)["error"]
    assert "aura_session" not in browser.cookies
    assert browser.get("/api/v1/auth/me").status_code == 401


@pytest.mark.parametrize(("tamper", "words"), [
    ({"nonce": "other"}, "nonce"), ({"aud": "someone-else"}, "audience"),
    ({"other_key": True}, "not signed"), ({"exp_offset": -1200}, "expired")])
def test_a_tampered_id_token_is_refused(admin: httpx.Client, browser: httpx.Client,
                                        idp: OidcProviderForTests, tamper: dict[str, Any],
                                        words: str) -> None:
    idp.tamper(**tamper)
    r = browser.get("/api/v1/auth/oidc/idp/start")
    assert r.url.path == "/login" and words in _query(r.url)["error"]
    assert "aura_session" not in browser.cookies


def test_another_browser_cannot_finish_a_sign_in(admin: httpx.Client, base: str) -> None:
    with httpx.Client(base_url=base, timeout=20) as victim, \
            httpx.Client(base_url=base, timeout=20) as attacker:
        start = victim.get("/api/v1/auth/oidc/idp/start")
        assert start.status_code == 302
        at_idp = httpx.get(start.headers["location"], timeout=20)
        callback = at_idp.headers["location"]
        stolen = attacker.get(callback, headers=JSON)
        assert stolen.status_code == 401
        body = stolen.json()
        assert body["error"] == "sign_in_refused" and body["details"]["reason"] == "browser"
        assert "aura_session" not in attacker.cookies
        # the state was used up by the attempt: the victim starts again, nothing leaked
        again = victim.get(callback, headers=JSON)
        assert again.status_code == 401 and again.json()["details"]["reason"] == "state"


def test_json_clients_get_the_login_body_or_error_json(admin: httpx.Client,
                                                       base: str) -> None:
    with httpx.Client(base_url=base, timeout=20) as c:
        start = c.get("/api/v1/auth/oidc/idp/start")
        callback = httpx.get(start.headers["location"], timeout=20).headers["location"]
        r = c.get(callback, headers=JSON)
        assert r.status_code == 200 and r.json()["token_type"] == "Bearer"
        forged = c.get("/api/v1/auth/oidc/idp/callback", params={"state": "x", "code": "y"},
                       headers=JSON)
        assert forged.status_code == 401 and forged.json()["details"]["reason"] == "state"
        missing = c.get("/api/v1/auth/oidc/nope/start", headers=JSON)
        assert missing.status_code == 404 and "nope" in missing.json()["message"]


def test_next_cannot_send_the_browser_to_another_site(
        admin: httpx.Client, browser: httpx.Client, idp: OidcProviderForTests) -> None:
    before = len(idp.requests)
    for bad in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        r = browser.get("/api/v1/auth/oidc/idp/start", params={"next": bad})
        assert r.url.path == "/login" and "other sites" in _query(r.url)["error"]
        r = browser.get("/api/v1/auth/oidc/idp/start", params={"next": bad}, headers=JSON)
        assert r.status_code == 422
    assert len(idp.requests) == before  # the provider was never involved


def test_github_preset(admin: httpx.Client, browser: httpx.Client,
                       idp: OidcProviderForTests) -> None:
    r = admin.put("/api/v1/admin/oidc-providers/github", json={
        "preset": "github", "client_id": idp.client_id, "client_secret": idp.client_secret,
        "base_url": idp.github_base_url})
    assert r.status_code == 200 and r.json()["method"] == "oidc:github"
    r = browser.get("/api/v1/auth/oidc/github/start", params={"next": "/api/v1/auth/me"})
    assert r.url.path == "/api/v1/auth/me" and r.json()["role"] == "owner"
    assert any(str(h.url).startswith(idp.github_base_url + "/login/oauth/authorize")
               for h in r.history)


def test_admin_routes_never_return_the_secret(admin: httpx.Client, base: str,
                                              idp: OidcProviderForTests) -> None:
    listed = admin.get("/api/v1/admin/oidc-providers")
    one = admin.get("/api/v1/admin/oidc-providers/idp")
    put = admin.put("/api/v1/admin/oidc-providers/idp", json={
        "preset": "oidc", "client_id": idp.client_id, "issuer": idp.issuer})
    audit = admin.get("/api/v1/audit", params={"action": "settings.*"})
    for r in (listed, one, put, audit):
        assert r.status_code == 200, r.text
        assert idp.client_secret not in r.text
    assert one.json()["client_secret_set"] is True  # kept: no secret was sent
    assert admin.post("/api/v1/admin/oidc-providers", json={
        "name": "idp", "client_id": "x", "issuer": idp.issuer}).status_code == 409
    bad = admin.put("/api/v1/admin/oidc-providers/x", json={
        "preset": "oidc", "client_id": "x", "issuer": "http://not-loopback.example"})
    assert bad.status_code == 422 and "https" in bad.json()["message"]
    assert admin.get("/api/v1/admin/oidc-providers/none").status_code == 404
    with httpx.Client(base_url=base, timeout=20) as anon:
        assert anon.get("/api/v1/admin/oidc-providers").status_code == 401
    assert admin.delete("/api/v1/admin/oidc-providers/idp").status_code == 204
    assert admin.get("/api/v1/auth/oidc/providers").json()["items"] == []


def test_every_sso_route_with_every_role(app: Any, client: TestClient, anon: TestClient,
                                         idp: OidcProviderForTests) -> None:
    """Admin routes: owners, admins and settings-scoped keys only; identity routes: any
    signed-in user (not API keys); sign-in routes: public. Refusals say why."""
    from studio.api import routes_oidc

    r = client.post("/api/v1/admin/oidc-providers", json={
        "name": "idp", "client_id": idp.client_id, "client_secret": idp.client_secret,
        "issuer": idp.issuer})
    assert r.status_code == 201, r.text
    headers: dict[str, dict[str, str]] = {"owner": dict(client.headers)}
    for role in ("admin", "editor", "viewer"):
        headers[role] = _viewer(client, anon, role)
    headers["anonymous"] = {}
    key = client.post("/api/v1/api-keys", json={"name": "ro", "scopes": [
        "workflow:read"]}).json()["key"]
    headers["api key without settings scope"] = {"X-API-Key": key}
    skey = client.post("/api/v1/api-keys", json={"name": "ops", "scopes": [
        "settings:*"]}).json()["key"]
    headers["api key with settings:*"] = {"X-API-Key": skey}
    admins = {"owner", "admin", "api key with settings:*"}
    users = {"owner", "admin", "editor", "viewer"}

    def slug(who: str) -> str:
        return "p" + str(abs(hash(who)) % 10**6)

    for who in headers:  # one provider per caller for DELETE
        assert client.put(f"/api/v1/admin/oidc-providers/{slug(who)}", json={
            "client_id": "c", "issuer": idp.issuer}).status_code == 200
    new = {"client_id": "c", "issuer": idp.issuer}
    calls: dict[tuple[str, str], Any] = {
        ("GET", "/auth/oidc/providers"): lambda h, w: anon.get(
            "/api/v1/auth/oidc/providers", headers=h),
        ("GET", "/auth/oidc/{name}/start"): lambda h, w: anon.get(
            "/api/v1/auth/oidc/idp/start", headers=h, follow_redirects=False),
        ("GET", "/auth/oidc/{name}/callback"): lambda h, w: anon.get(
            "/api/v1/auth/oidc/idp/callback", headers=h, follow_redirects=False),
        ("GET", "/auth/identities"): lambda h, w: anon.get(
            "/api/v1/auth/identities", headers=h),
        ("DELETE", "/auth/identities/{id}"): lambda h, w: anon.delete(
            "/api/v1/auth/identities/none", headers=h),
        ("GET", "/admin/oidc-providers"): lambda h, w: anon.get(
            "/api/v1/admin/oidc-providers", headers=h),
        ("POST", "/admin/oidc-providers"): lambda h, w: anon.post(
            "/api/v1/admin/oidc-providers", json={"name": slug(w) + "n", **new}, headers=h),
        ("GET", "/admin/oidc-providers/{name}"): lambda h, w: anon.get(
            "/api/v1/admin/oidc-providers/idp", headers=h),
        ("PUT", "/admin/oidc-providers/{name}"): lambda h, w: anon.put(
            "/api/v1/admin/oidc-providers/idp", json={
                "client_id": idp.client_id, "issuer": idp.issuer}, headers=h),
        ("DELETE", "/admin/oidc-providers/{name}"): lambda h, w: anon.delete(
            f"/api/v1/admin/oidc-providers/{slug(w)}", headers=h),
        ("GET", "/admin/login-methods"): lambda h, w: anon.get(
            "/api/v1/admin/login-methods", headers=h),
        ("PUT", "/admin/login-methods"): lambda h, w: anon.put(
            "/api/v1/admin/login-methods", json={"methods": ["password", "oidc:idp"]},
            headers=h),
    }
    ops = [op for r in routes_oidc.routers() for op in r.operations]
    assert {(op.method, op.path.removeprefix("/api/v1")) for op in ops} == set(calls)
    served = {(op.method, op.path) for op in app.state.operations}
    assert all((op.method, op.path) in served for op in ops)
    for op in ops:
        call = calls[(op.method, op.path.removeprefix("/api/v1"))]
        for who, h in headers.items():
            anon.cookies.clear()
            r = call(h, who)
            status = r.status_code
            if op.action is None:
                ok = status < 400 and status != 500
            elif op.action == "self":
                if who in users:
                    ok = status in (200, 204, 404)
                else:
                    ok = status == (401 if who == "anonymous" else 403)
            elif who in admins:
                ok = status in (200, 201, 204)
            else:
                ok = status == (401 if who == "anonymous" else 403)
            assert ok, (op.method, op.path, who, status, r.text)
            if status == 403:
                words = r.json()["message"]
                assert "admin" in words or "scope" in words or "API key" in words


def test_login_methods_block_password_sign_in(admin: httpx.Client, base: str) -> None:
    r = admin.put("/api/v1/admin/login-methods", json={"methods": ["oidc:idp"]})
    assert r.status_code == 200 and r.json() == {"methods": ["oidc:idp"]}
    with httpx.Client(base_url=base, timeout=20) as c:
        r = c.post("/api/v1/auth/login", json={"email": OWNER["email"],
                                               "password": OWNER["password"]})
        assert r.status_code == 403
        assert "Password sign-in is turned off" in r.json()["message"]
        assert "aura user oidc login-methods password" in r.json()["message"]
    assert admin.put("/api/v1/admin/login-methods",
                     json={"methods": []}).status_code == 422
    assert admin.put("/api/v1/admin/login-methods",
                     json={"methods": ["password"]}).status_code == 200
    with httpx.Client(base_url=base, timeout=20, follow_redirects=True) as b:
        r = b.get("/api/v1/auth/oidc/idp/start")
        assert r.url.path == "/login" and "turned off" in _query(r.url)["error"]


def test_2fa_user_finishes_with_a_code_after_the_provider(
        admin: httpx.Client, browser: httpx.Client) -> None:
    secret = admin.post("/api/v1/auth/2fa/enrol").json()["secret"]
    r = admin.post("/api/v1/auth/2fa/confirm", json={"code": pyotp.TOTP(secret).now()})
    assert r.status_code == 200, r.text
    r = browser.get("/api/v1/auth/oidc/idp/start", params={"next": "/workflows"})
    assert r.url.path == "/login"
    assert _query(r.url) == {"needs_2fa": "1", "next": "/workflows"}
    assert "aura_session" not in browser.cookies
    assert browser.get("/api/v1/auth/me").status_code == 401
    code = pyotp.TOTP(secret).at(time.time() + 30)  # the next step: the last one is used
    done = browser.post("/api/v1/auth/2fa", json={"code": code})
    assert done.status_code == 200, done.text
    assert browser.get("/api/v1/auth/me").json()["email"] == OWNER["email"]


@pytest.mark.redis
def test_start_and_callback_are_rate_limited_in_redis(
        admin: httpx.Client, base: str, redis_url: str,  # noqa: F811 (fixture)
        monkeypatch: pytest.MonkeyPatch) -> None:
    import redis

    from engine.config import reset_settings
    from engine.services import auth

    monkeypatch.setenv("AURA_REDIS_URL", redis_url)
    monkeypatch.setenv("AURA_OIDC_RATE_LIMIT", "3")
    reset_settings()
    auth.reset()
    client = redis.Redis.from_url(redis_url)
    client.delete("aura:rl:oidc:127.0.0.1")
    try:
        with httpx.Client(base_url=base, timeout=20) as c:
            codes = [c.get("/api/v1/auth/oidc/idp/start", headers=JSON).status_code
                     for _ in range(4)]
            assert codes == [302, 302, 302, 429]
            r = c.get("/api/v1/auth/oidc/idp/callback", headers=JSON)
            assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
        assert client.zcard("aura:rl:oidc:127.0.0.1") == 3
    finally:
        client.delete("aura:rl:oidc:127.0.0.1")
        client.close()


def test_redirect_uri_follows_the_request_or_the_public_url(
        app: Any, admin: httpx.Client, base: str, monkeypatch: pytest.MonkeyPatch) -> None:
    path = "/api/v1/auth/oidc/idp/start"
    with httpx.Client(base_url=base, timeout=20) as c:
        loc = c.get(path).headers["location"]
    assert _query(loc)["redirect_uri"] == f"{base}/api/v1/auth/oidc/idp/callback"
    # the studio serving the API on its own origin: the URI names that origin
    with TestClient(app, base_url="http://studio.example:3000") as studio:
        loc = studio.get(path, follow_redirects=False).headers["location"]
    assert _query(loc)["redirect_uri"] == \
        "http://studio.example:3000/api/v1/auth/oidc/idp/callback"
    monkeypatch.setenv("AURA_OIDC_PUBLIC_URL", "https://aura.example.com/")
    with httpx.Client(base_url=base, timeout=20) as c:
        loc = c.get(path).headers["location"]
    assert _query(loc)["redirect_uri"] == \
        "https://aura.example.com/api/v1/auth/oidc/idp/callback"


def test_a_role_that_requires_2fa_is_sent_to_enrol(admin: httpx.Client,
                                                    browser: httpx.Client) -> None:
    from engine.services import auth

    token = admin.headers["Authorization"].split()[1]
    auth.set_required_2fa_roles(auth.principal_from_access_token(token), ["owner"])
    r = browser.get("/api/v1/auth/oidc/idp/start", params={"next": "/workflows"})
    assert r.url.path == "/login"
    assert _query(r.url) == {"must_enrol_2fa": "1", "next": "/workflows"}
    assert browser.get("/api/v1/workflows").status_code == 403  # enrolment only
    assert browser.post("/api/v1/auth/2fa/enrol").status_code == 200
