"""A token may not live longer than this server issues them for: a correctly signed
access token with ``exp`` ten years ahead is refused, and so is a refresh token stored
to live longer than the refresh lifetime configured now."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from starlette.testclient import TestClient

from tests.api.conftest import OWNER


def _signed(claims_over: dict[str, Any], user_id: str) -> str:
    """A token signed with the server's own current key (as a leaked key would sign)."""
    from engine.services import auth

    key = auth.context().keys.current
    now = datetime.now(UTC)
    claims = {
        "iss": "aura",
        "aud": "aura-api",
        "sub": user_id,
        "typ": "access",
        "iat": int(now.timestamp()),
        "nbf": int(now.timestamp()),
        "exp": int((now + timedelta(seconds=900)).timestamp()),
        "jti": secrets.token_hex(8),
        **claims_over,
    }
    return jwt.encode(claims, key.private, algorithm="EdDSA", headers={"kid": key.kid})


def _me(anon: TestClient, token: str) -> Any:
    return anon.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})


def test_an_access_token_living_ten_years_is_refused(anon: TestClient, client: TestClient) -> None:
    uid = client.get("/api/v1/auth/me").json()["id"]
    now = datetime.now(UTC)
    ten_years = int((now + timedelta(days=3650)).timestamp())
    r = _me(anon, _signed({"exp": ten_years}, uid))
    assert r.status_code == 401
    assert r.json()["details"] == {"reason": "lifetime"}
    assert "longer than the 900 s" in r.json()["message"]
    assert "Sign in again" in r.json()["message"]
    # an old iat does not help: the claimed life is exp - iat
    r = _me(
        anon,
        _signed(
            {
                "iat": int((now - timedelta(days=1)).timestamp()),
                "exp": int((now + timedelta(minutes=5)).timestamp()),
            },
            uid,
        ),
    )
    assert r.status_code == 401 and r.json()["details"]["reason"] == "lifetime"
    # the same key with the configured lifetime works
    assert _me(anon, _signed({}, uid)).status_code == 200


def test_a_shorter_access_lifetime_applies_to_tokens_already_issued(
    anon: TestClient, owner: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from engine.config import reset_settings
    from engine.services import auth

    assert _me(anon, owner["access_token"]).status_code == 200  # 900 s, as issued
    monkeypatch.setenv("AURA_ACCESS_TOKEN_TTL_S", "300")
    reset_settings()
    auth.reset()
    r = _me(anon, owner["access_token"])
    assert r.status_code == 401 and r.json()["details"]["reason"] == "lifetime"


def test_a_refresh_token_living_longer_than_the_setting_is_refused(
    anon: TestClient, owner: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlmodel import select

    from engine.auth._util import digest
    from engine.config import reset_settings
    from engine.services import auth
    from engine.store.models_auth import RefreshToken

    def login() -> dict[str, Any]:
        r = anon.post(
            "/api/v1/auth/login", json={"email": OWNER["email"], "password": OWNER["password"]}
        )
        assert r.status_code == 200
        return dict(r.json())

    def refresh(token: str) -> Any:
        anon.cookies.clear()
        return anon.post("/api/v1/auth/refresh", json={"refresh_token": token})

    # a row whose expiry was pushed far out (written to the database by someone else)
    tokens = login()
    store = auth.context().store
    with store.db.write() as s:
        row = s.exec(
            select(RefreshToken).where(RefreshToken.token_hash == digest(tokens["refresh_token"]))
        ).one()
        row.expires_at = row.created_at + timedelta(days=3650)
        s.add(row)
    r = refresh(tokens["refresh_token"])
    assert r.status_code == 401 and r.json()["details"]["reason"] == "expired"
    assert "sign in again" in r.json()["message"]
    # tokens issued for 14 days stop once the lifetime is lowered to one hour
    tokens = login()
    assert refresh(tokens["refresh_token"]).status_code == 200
    tokens = login()
    monkeypatch.setenv("AURA_REFRESH_TOKEN_TTL_S", "3600")
    reset_settings()
    auth.reset()
    r = refresh(tokens["refresh_token"])
    assert r.status_code == 401 and r.json()["details"]["reason"] == "expired"
    fresh = login()  # issued under the new setting: works
    assert refresh(fresh["refresh_token"]).status_code == 200
