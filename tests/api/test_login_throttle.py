"""Password guessing from one address is throttled whatever user names it tries: the
per-address limit counts failed logins (on the real Redis every process shares), answers
429 with Retry-After and a message saying when to try again, and believes
X-Forwarded-For only from the proxies AURA_TRUSTED_PROXIES names."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import redis
from starlette.testclient import TestClient

from tests.api.conftest import OWNER
from tests.support.fixtures import redis_for_tests, redis_url  # noqa: F401 (fixtures)


@pytest.fixture
def on_redis(redis_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:  # noqa: F811
    """Rate limits kept in the session's real Redis (emptied before and after)."""
    monkeypatch.setenv("AURA_REDIS_URL", redis_url)
    monkeypatch.setenv("AURA_LOGIN_IP_MAX_FAILURES", "20")
    monkeypatch.setenv("AURA_LOGIN_IP_WINDOW_S", "600")
    conn = redis.Redis.from_url(redis_url)
    for key in conn.scan_iter("aura:rl:*"):
        conn.delete(key)
    yield redis_url
    for key in conn.scan_iter("aura:rl:*"):
        conn.delete(key)


def _login(c: TestClient, email: str, password: str = "wrong password", **headers: str) -> Any:
    return c.post(
        "/api/v1/auth/login", json={"email": email, "password": password}, headers=headers
    )


def test_many_user_names_from_one_address_are_throttled(
    on_redis: str, app: Any, owner: dict[str, Any]
) -> None:
    with TestClient(app, client=("203.0.113.9", 40000)) as c:
        codes = [_login(c, f"user{i}@example.com").status_code for i in range(200)]
        assert codes[:20] == [401] * 20  # each a different user name
        assert set(codes[20:]) == {429}
        r = _login(c, OWNER["email"], OWNER["password"])  # even the right password
        assert r.status_code == 429
        body = r.json()
        assert body["error"] == "rate_limited"
        retry = int(r.headers["Retry-After"])
        assert 0 < retry <= 600
        assert f"Try again in {retry} s" in body["message"]
        assert "address" in body["message"]
    # the count lives in Redis, so every studio/API process sees it
    keys = [k.decode() for k in redis.Redis.from_url(on_redis).scan_iter("aura:rl:login:*")]
    assert keys == ["aura:rl:login:203.0.113.9"]
    # another address is not affected
    with TestClient(app, client=("203.0.113.10", 40000)) as c:
        assert _login(c, OWNER["email"], OWNER["password"]).status_code == 200


def test_forwarded_for_is_ignored_unless_the_proxy_is_trusted(
    on_redis: str, app: Any, owner: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from engine.config import reset_settings
    from engine.services import auth

    # untrusted: a client cannot escape the limit by making up X-Forwarded-For
    with TestClient(app, client=("198.51.100.7", 40000)) as c:
        codes = [
            _login(c, f"u{i}@example.com", **{"X-Forwarded-For": f"192.0.2.{i}"}).status_code
            for i in range(21)
        ]
        assert codes[-1] == 429
    # behind a trusted proxy, each forwarded client counts on its own...
    monkeypatch.setenv("AURA_TRUSTED_PROXIES", "10.0.0.0/8")
    reset_settings()
    auth.reset()
    with TestClient(app, client=("10.1.2.3", 40000)) as c:
        for i in range(21):
            r = _login(c, f"v{i}@example.com", **{"X-Forwarded-For": "192.0.2.50"})
        assert r.status_code == 429
        ok = _login(c, OWNER["email"], OWNER["password"], **{"X-Forwarded-For": "192.0.2.51"})
        assert ok.status_code == 200
        # ...and what the client itself wrote left of the proxy's entry is not believed
        spoofed = _login(
            c, OWNER["email"], OWNER["password"], **{"X-Forwarded-For": "192.0.2.99, 192.0.2.50"}
        )
        assert spoofed.status_code == 429


def test_a_successful_login_does_not_clear_the_address_count(
    on_redis: str, app: Any, owner: dict[str, Any]
) -> None:
    with TestClient(app, client=("203.0.113.20", 40000)) as c:
        for i in range(19):
            assert _login(c, f"x{i}@example.com").status_code == 401
        assert _login(c, OWNER["email"], OWNER["password"]).status_code == 200
        assert _login(c, "x19@example.com").status_code == 401
        assert _login(c, "x20@example.com").status_code == 429


def test_the_studio_sign_in_is_throttled_per_address_too(
    on_redis: str, app: Any, owner: dict[str, Any]
) -> None:
    from reflex.istate.data import RouterData  # noqa: TID251 (the studio's own state)
    from reflex.state import State  # noqa: TID251

    from studio.auth import AuthState
    from studio.state.auth import LoginState

    root = State(_reflex_internal_init=True)  # type: ignore[call-arg]
    root.router = RouterData.from_router_data(
        {
            "headers": {
                "host": "127.0.0.1:8001",
                "origin": "http://127.0.0.1:3001",
                "asgi-scope-client": "203.0.113.30",
            },
            "ip": "203.0.113.30",
            "pathname": "/login",
            "asPath": "/login",
        }
    )
    state = root.substates[AuthState.get_name()].substates[LoginState.get_name()]
    for i in range(20):
        LoginState.submit_password.fn(state, {"email": f"s{i}@example.com", "password": "nope"})
        assert state.error == "Wrong e-mail or password."
    LoginState.submit_password.fn(state, {"email": OWNER["email"], "password": OWNER["password"]})
    assert state.error.startswith("Too many failed sign-ins from your address. Try again in")
    # the API sees the same count for that address
    with TestClient(app, client=("203.0.113.30", 40000)) as c:
        assert _login(c, OWNER["email"], OWNER["password"]).status_code == 429


def test_parallel_guesses_cannot_slip_past_the_limit(
    on_redis: str, app: Any, owner: dict[str, Any]
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with TestClient(app, client=("203.0.113.40", 40000)) as c:
        with ThreadPoolExecutor(max_workers=12) as pool:
            codes = list(pool.map(lambda i: _login(c, f"p{i}@example.com").status_code, range(60)))
        assert sorted(codes) == [401] * 20 + [429] * 40
        # successes are taken back: they never use up the address's allowance
    with TestClient(app, client=("203.0.113.41", 40000)) as c:
        for _ in range(25):
            assert _login(c, OWNER["email"], OWNER["password"]).status_code == 200
        assert _login(c, "q@example.com").status_code == 401
