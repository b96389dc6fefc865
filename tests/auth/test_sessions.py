"""Signing in, staying signed in, and being signed out."""

from __future__ import annotations

from types import ModuleType

import pytest

from engine.auth.types import Principal
from engine.errors import AuthenticationError, RateLimited
from tests.auth.conftest import OWNER_EMAIL, OWNER_PASSWORD, PASSWORD, add_user


def test_login_returns_tokens_and_is_audited(auth: ModuleType, owner: Principal) -> None:
    result = auth.login("  Owner@Example.com ", OWNER_PASSWORD, ip="10.0.0.7")
    assert result.tokens and not result.needs_2fa and not result.must_enrol_2fa
    assert result.tokens.expires_in == 900
    assert result.tokens.refresh_token.startswith("rt_")
    events = auth.audit_log(owner, action="user.login")
    assert events[0].ip == "10.0.0.7" and events[0].actor_email == OWNER_EMAIL


def test_wrong_password_and_unknown_email_get_the_same_answer(auth: ModuleType,
                                                              owner: Principal) -> None:
    messages = set()
    for email, pw in ((OWNER_EMAIL, "Wrong-password-1"), ("nobody@example.com", "x")):
        with pytest.raises(AuthenticationError) as err:
            auth.login(email, pw)
        messages.add(err.value.message)
    assert messages == {"Wrong e-mail or password."}
    reasons = {e.details["reason"] for e in auth.audit_log(owner, action="user.login_failed")}
    assert reasons == {"bad_password", "unknown_email"}


def test_repeated_failures_lock_the_account_but_not_others(
        auth: ModuleType, owner: Principal, monkeypatch: pytest.MonkeyPatch) -> None:
    auth.context().security.login_max_failures = 3
    auth.context()._limiters.clear()
    for _ in range(3):
        with pytest.raises(AuthenticationError):
            auth.login(OWNER_EMAIL, "Wrong-password-1")
    with pytest.raises(RateLimited) as err:
        auth.login(OWNER_EMAIL, OWNER_PASSWORD)  # even the right password waits
    assert err.value.details["retry_after"] > 0
    assert auth.audit_log(owner, action="user.login_locked")
    with pytest.raises(AuthenticationError):  # another account is unaffected
        auth.login("other@example.com", "whatever-123")


def test_refresh_rotates_and_reuse_ends_the_session(auth: ModuleType,
                                                    owner: Principal) -> None:
    first = auth.login(OWNER_EMAIL, OWNER_PASSWORD).tokens
    second = auth.refresh(first.refresh_token)
    assert second.refresh_token != first.refresh_token
    assert auth.principal_from_access_token(second.access_token).user_id == owner.user_id
    # the stolen first token is replayed: the whole session ends, for thief and user
    with pytest.raises(AuthenticationError, match="already used"):
        auth.refresh(first.refresh_token)
    with pytest.raises(AuthenticationError, match="ended"):
        auth.refresh(second.refresh_token)
    with pytest.raises(AuthenticationError, match="session has ended"):
        auth.principal_from_access_token(second.access_token)
    assert auth.audit_log(owner, action="session.reuse_detected")


def test_other_sessions_survive_a_reuse(auth: ModuleType, owner: Principal) -> None:
    laptop = auth.login(OWNER_EMAIL, OWNER_PASSWORD).tokens
    phone = auth.login(OWNER_EMAIL, OWNER_PASSWORD).tokens
    auth.refresh(laptop.refresh_token)
    with pytest.raises(AuthenticationError):
        auth.refresh(laptop.refresh_token)
    assert auth.refresh(phone.refresh_token).access_token


def test_unknown_and_expired_refresh_tokens(auth: ModuleType, owner: Principal,
                                            clock: object) -> None:
    with pytest.raises(AuthenticationError, match="Unknown refresh token"):
        auth.refresh("rt_nonsense")
    tokens = auth.login(OWNER_EMAIL, OWNER_PASSWORD).tokens
    clock.advance(days=15)  # type: ignore[attr-defined]
    with pytest.raises(AuthenticationError, match="expired"):
        auth.refresh(tokens.refresh_token)


def test_logout_ends_refresh_and_access_tokens_at_once(auth: ModuleType,
                                                       owner: Principal) -> None:
    tokens = auth.login(OWNER_EMAIL, OWNER_PASSWORD).tokens
    auth.logout(tokens.refresh_token)
    auth.logout(tokens.refresh_token)  # twice is fine
    with pytest.raises(AuthenticationError, match="signed out"):
        auth.principal_from_access_token(tokens.access_token)
    with pytest.raises(AuthenticationError):
        auth.refresh(tokens.refresh_token)


def test_disabling_a_user_stops_everything_they_hold(auth: ModuleType,
                                                     owner: Principal) -> None:
    ed = add_user(auth, owner, "ed@example.com", "editor")
    tokens = auth.login("ed@example.com", PASSWORD).tokens
    _, key = auth.create_api_key(ed, "ci", ["workflow:read"])
    auth.disable_user(owner, ed.user_id)
    for attempt in (lambda: auth.principal_from_access_token(tokens.access_token),
                    lambda: auth.refresh(tokens.refresh_token),
                    lambda: auth.principal_from_api_key(key)):
        with pytest.raises(AuthenticationError):
            attempt()
    with pytest.raises(AuthenticationError, match="disabled"):
        auth.login("ed@example.com", PASSWORD)
    auth.enable_user(owner, ed.user_id)
    assert auth.login("ed@example.com", PASSWORD).tokens
    assert auth.principal_from_api_key(key).user_id == ed.user_id


def test_role_changes_apply_to_existing_tokens(auth: ModuleType, owner: Principal) -> None:
    add_user(auth, owner, "vi@example.com", "viewer")
    tokens = auth.login("vi@example.com", PASSWORD).tokens
    p = auth.principal_from_access_token(tokens.access_token)
    assert p.role == "viewer"
    auth.set_role(owner, p.user_id, "editor")
    assert auth.principal_from_access_token(tokens.access_token).role == "editor"


def test_old_password_hashes_are_upgraded_at_login(auth: ModuleType, owner: Principal) -> None:
    from engine.auth.passwords import PasswordHasher

    ctx = auth.context()
    before = ctx.store.users.get(owner.user_id).password_hash
    ctx.hasher = PasswordHasher(time_cost=2, memory_kib=128, parallelism=1)
    assert auth.login(OWNER_EMAIL, OWNER_PASSWORD).tokens
    after = ctx.store.users.get(owner.user_id).password_hash
    assert after != before and "t=2" in after and "m=128" in after
    assert auth.login(OWNER_EMAIL, OWNER_PASSWORD).tokens
