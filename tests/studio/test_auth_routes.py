"""The studio's full-page sign-in stops (``/api/v1/auth/studio-*``): a login ticket
becomes httpOnly cookies once, an expired access cookie is renewed with the refresh
cookie, logout ends the session, and none of them redirects off the studio's host."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from starlette.testclient import TestClient

from tests.support.fixtures import redis_for_tests, redis_url  # noqa: F401 (fixtures)

OWNER = ("owner@example.com", "Correct-Horse-7", "Olive Owner")
STUDIO = "http://testserver:3000"  # the frontend's origin (same host, another port)


@pytest.fixture
def api(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The HTTP app on a fresh store with one owner (cheap password hashing)."""
    from engine.auth.ratelimit import LocalRateLimiter
    from engine.config import reset_settings
    from engine.services import auth
    from engine.services.store import reset_store
    from studio.api import create_app

    for key, value in (("TIME_COST", "1"), ("MEMORY_KIB", "1024"), ("PARALLELISM", "1")):
        monkeypatch.setenv(f"AURA_PASSWORD_HASH_{key}", value)
    reset_settings()
    reset_store()
    auth.reset()
    LocalRateLimiter.clear_all()
    auth.create_owner(*OWNER)
    yield create_app(runtime="inline")
    auth.reset()
    reset_store()


def _login_ticket(origin: str = STUDIO) -> str:
    from engine.services import auth
    from studio.api import tickets

    result = auth.login(OWNER[0], OWNER[1])
    assert result.tokens is not None
    return tickets.issue("login", origin=origin, tokens=result.tokens.to_dict())


def _client(app: Any) -> TestClient:
    return TestClient(app, follow_redirects=False)


def _cookie_headers(r: Any) -> list[str]:
    return [v for k, v in r.headers.multi_items() if k.lower() == "set-cookie"]


def test_a_login_ticket_sets_the_cookies_once_and_returns_to_the_studio(api: Any) -> None:
    with _client(api) as c:
        ticket = _login_ticket()
        r = c.get(
            "/api/v1/auth/studio-session", params={"ticket": ticket, "next": "/workflows/abc?x=1"}
        )
        assert r.status_code == 302
        assert r.headers["location"] == f"{STUDIO}/workflows/abc?x=1"
        cookies = _cookie_headers(r)
        session = next(v for v in cookies if v.startswith("aura_session="))
        refresh = next(v for v in cookies if v.startswith("aura_refresh="))
        assert "httponly" in session.lower() and "samesite=lax" in session.lower()
        assert "path=/api/v1/auth" in refresh.lower() and "samesite=strict" in refresh.lower()
        # the cookie is a working session
        me = c.get("/api/v1/auth/me")
        assert me.status_code == 200 and me.json()["email"] == OWNER[0]
        # the same ticket again: refused, with what to do
        again = c.get("/api/v1/auth/studio-session", params={"ticket": ticket})
        assert again.status_code == 401
        assert "sign in again" in again.json()["message"]
        assert not _cookie_headers(again)


def test_an_expired_or_unknown_ticket_is_refused(api: Any) -> None:
    from engine.services import auth
    from studio.api import tickets

    tokens = auth.login(OWNER[0], OWNER[1]).tokens
    assert tokens is not None
    ticket = tickets.issue("login", origin=STUDIO, tokens=tokens.to_dict(), ttl_s=1)
    time.sleep(1.2)
    with _client(api) as c:
        r = c.get("/api/v1/auth/studio-session", params={"ticket": ticket})
        assert r.status_code == 401 and r.json()["error"]
        r = c.get("/api/v1/auth/studio-session", params={"ticket": "made-up"})
        assert r.status_code == 401
        r = c.get("/api/v1/auth/studio-session")
        assert r.status_code == 401
    # a logout ticket cannot sign anyone in
    other = tickets.issue("logout", origin=STUDIO)
    with _client(api) as c:
        assert c.get("/api/v1/auth/studio-session", params={"ticket": other}).status_code == 401


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/x",
        "//evil.example/x",
        "/\\evil.example",
        "javascript:alert(1)",
        "workflows",
    ],
)
def test_next_must_be_a_path_on_the_site(api: Any, target: str) -> None:
    ticket = _login_ticket()
    with _client(api) as c:
        r = c.get("/api/v1/auth/studio-session", params={"ticket": ticket, "next": target})
        assert r.status_code == 422
        assert "path on this site" in r.json()["message"]
        assert not _cookie_headers(r)
        # the ticket was not used up by the refused request
        ok = c.get("/api/v1/auth/studio-session", params={"ticket": ticket, "next": "/"})
        assert ok.status_code == 302 and ok.headers["location"] == f"{STUDIO}/"


def test_a_ticket_never_sends_the_browser_to_another_host(api: Any) -> None:
    ticket = _login_ticket(origin="https://evil.example")
    with _client(api) as c:
        r = c.get("/api/v1/auth/studio-session", params={"ticket": ticket, "next": "/workflows"})
        assert r.status_code == 302 and r.headers["location"] == "/workflows"


def test_an_expired_access_cookie_is_renewed_with_the_refresh_cookie(api: Any) -> None:
    from studio.api import tickets

    with _client(api) as c:
        c.get("/api/v1/auth/studio-session", params={"ticket": _login_ticket()})
        old_refresh = c.cookies.get("aura_refresh")
        c.cookies.delete("aura_session")  # the browser dropped it at max-age
        ticket = tickets.issue("refresh", origin=STUDIO)
        r = c.get("/api/v1/auth/studio-refresh", params={"ticket": ticket, "next": "/executions"})
        assert r.status_code == 302 and r.headers["location"] == f"{STUDIO}/executions"
        assert c.cookies.get("aura_session") and c.cookies.get("aura_refresh") != old_refresh
        assert c.get("/api/v1/auth/me").status_code == 200


def test_a_session_that_cannot_be_renewed_goes_to_login(api: Any) -> None:
    from studio.api import tickets

    with _client(api) as c:
        # never signed in: straight to the login page, coming back afterwards
        r = c.get(
            "/api/v1/auth/studio-refresh",
            params={"ticket": tickets.issue("refresh", origin=STUDIO), "next": "/credentials"},
        )
        assert r.status_code == 302
        loc = urlsplit(r.headers["location"])
        assert f"{loc.scheme}://{loc.netloc}" == STUDIO and loc.path == "/login"
        assert parse_qs(loc.query) == {"next": ["/credentials"]}
        # a refresh token already used (copied): the session ends, the reason is shown
        c.get("/api/v1/auth/studio-session", params={"ticket": _login_ticket()})
        stolen = c.cookies.get("aura_refresh")
        assert stolen
        renewed = c.get("/api/v1/auth/studio-refresh")
        assert urlsplit(renewed.headers["location"]).path == "/workflows"
        assert c.cookies.get("aura_refresh") not in (None, stolen)
        # whoever copied the old cookie replays it from their own browser, which holds
        # only that cookie (sent next to the rotated one, the server would pick one)
        with _client(api) as thief:
            thief.cookies.set("aura_refresh", stolen, path="/api/v1/auth")
            r = thief.get("/api/v1/auth/studio-refresh", params={"next": "/workflows"})
        loc = urlsplit(r.headers["location"])
        assert loc.path == "/login"
        assert "already used" in parse_qs(loc.query)["error"][0]
        assert any(
            v.startswith("aura_session=") and "max-age=0" in v.lower() for v in _cookie_headers(r)
        )
        # and the session it belonged to is over for its owner too
        r = c.get("/api/v1/auth/studio-refresh", params={"next": "/workflows"})
        loc = urlsplit(r.headers["location"])
        assert loc.path == "/login" and "ended" in parse_qs(loc.query)["error"][0]


def test_logout_ends_the_session_and_clears_the_cookies(api: Any) -> None:
    from studio.api import tickets

    with _client(api) as c:
        c.get("/api/v1/auth/studio-session", params={"ticket": _login_ticket()})
        refresh = c.cookies.get("aura_refresh")
        access = c.cookies.get("aura_session")
        r = c.get(
            "/api/v1/auth/studio-logout", params={"ticket": tickets.issue("logout", origin=STUDIO)}
        )
        assert r.status_code == 302 and r.headers["location"] == f"{STUDIO}/login"
        assert not c.cookies.get("aura_session")
        # the old tokens no longer work
        gone = c.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {access}"})
        assert gone.status_code == 401
        again = c.post("/api/v1/auth/refresh", json={"refresh_token": refresh})
        assert again.status_code == 401
        # a logout link without a fresh ticket does nothing
        assert c.get("/api/v1/auth/studio-logout").status_code == 401


@pytest.mark.redis
def test_tickets_live_in_redis_for_every_backend_process(
    api: Any,
    redis_url: str,  # noqa: F811 (the fixture)
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import redis

    from engine.config import reset_settings
    from engine.runtimes._redis import reset_connections
    from studio.api import tickets

    monkeypatch.setenv("AURA_REDIS_URL", redis_url)
    reset_settings()
    reset_connections()
    try:
        before = dict(tickets._local)
        ticket = _login_ticket()
        keys = redis.Redis.from_url(redis_url).keys("aura:studio-ticket:*")
        assert keys and ticket.encode() not in b"".join(keys)  # stored by digest only
        assert tickets._local == before  # nothing in this process
        with _client(api) as c:
            r = c.get("/api/v1/auth/studio-session", params={"ticket": ticket})
            assert r.status_code == 302
            assert (
                c.get("/api/v1/auth/studio-session", params={"ticket": ticket}).status_code == 401
            )
    finally:
        monkeypatch.delenv("AURA_REDIS_URL")
        reset_settings()
        reset_connections()


def test_the_2fa_challenge_of_a_single_sign_on_reaches_the_login_page(api: Any) -> None:
    from studio.api import tickets

    ticket = tickets.issue("challenge", origin=STUDIO)
    with _client(api) as c:
        c.cookies.set("aura_2fa_challenge", "the-challenge", path="/api/v1/auth")
        r = c.get(
            "/api/v1/auth/studio-challenge",
            params={"ticket": ticket, "next": "/login?needs_2fa=1&next=%2Fworkflows"},
        )
        assert r.status_code == 302
        assert r.headers["location"] == f"{STUDIO}/login?needs_2fa=1&next=%2Fworkflows"
        assert any(
            v.startswith("aura_2fa_challenge=") and "max-age=0" in v.lower()
            for v in _cookie_headers(r)
        )
        assert tickets.take(ticket, "challenge-filled") == {
            "kind": "challenge-filled",
            "challenge": "the-challenge",
        }
        # once only
        again = c.get("/api/v1/auth/studio-challenge", params={"ticket": ticket})
        assert again.status_code == 401


def test_the_studio_backend_serves_the_api_but_not_to_other_pages_scripts(api: Any) -> None:
    from starlette.responses import PlainTextResponse

    from studio.api.mount import with_api

    async def reflex(scope: Any, receive: Any, send: Any) -> None:
        await PlainTextResponse("reflex")(scope, receive, send)

    c = _client(with_api(reflex, api=api))  # (no lifespan: the stand-in is HTTP only)
    assert c.get("/_event/").text == "reflex"
    c.get("/api/v1/auth/studio-session", params={"ticket": _login_ticket()})
    assert c.get("/api/v1/auth/me").status_code == 200
    assert c.get("/api/v1/auth/me", headers={"Origin": "http://testserver"}).status_code == 200
    # a script on another origin (site or port) is not signed in with the cookie
    for origin in ("https://evil.example", "http://testserver:3999", "null"):
        r = c.get("/api/v1/auth/me", headers={"Origin": origin})
        assert r.status_code == 401, origin
