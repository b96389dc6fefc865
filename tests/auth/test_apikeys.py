"""API keys: shown once, stored hashed, scoped, expiring, revocable, last use recorded."""

from __future__ import annotations

from types import ModuleType

import pytest

from engine.auth.types import Principal
from engine.errors import AuthenticationError, NotFoundError, PermissionDenied, ValidationError
from tests.auth.conftest import Clock, add_user


def test_a_key_is_shown_once_and_identifies_its_user(auth: ModuleType,
                                                     owner: Principal) -> None:
    ed = add_user(auth, owner, "ed@example.com", "editor")
    info, key = auth.create_api_key(ed, "CI deploy", ["workflow:read", "workflow:execute"],
                                    expires_in_days=30)
    assert key.startswith(info.prefix + "_") and len(key) > 50
    assert info.prefix.startswith("aura_") and info.active
    row = auth.context().store.tokens.get_api_key(info.id)
    assert key not in (row.key_hash, row.prefix) and len(row.key_hash) == 64
    listed = auth.list_api_keys(ed)
    assert [k.id for k in listed] == [info.id]
    assert all(not hasattr(k, "key") for k in listed)
    p = auth.principal_from_api_key(key, ip="5.6.7.8")
    assert (p.user_id, p.api_key_id, p.role) == (ed.user_id, info.id, "editor")
    assert p.scopes == {"workflow:read", "workflow:execute"}
    [used] = auth.audit_log(owner, action="apikey.used")
    assert used.api_key_id == info.id and used.ip == "5.6.7.8"
    assert auth.list_api_keys(ed)[0].last_used_at is not None


def test_scopes_limit_what_a_key_may_do(auth: ModuleType, owner: Principal) -> None:
    _, key = auth.create_api_key(owner, "read-only", ["workflow:read"])
    p = auth.principal_from_api_key(key)
    auth.authorize(p, "workflow:read", project_id="any")
    with pytest.raises(PermissionDenied, match="may not 'workflow:update'"):
        auth.authorize(p, "workflow:update", project_id="any")
    with pytest.raises(PermissionDenied, match="API keys cannot create API keys"):
        auth.create_api_key(auth.principal_from_api_key(
            auth.create_api_key(owner, "all", ["*"])[1]), "x", ["*"])
    with pytest.raises(ValidationError, match="Unknown scope"):
        auth.create_api_key(owner, "bad", ["workflow:fly"])
    with pytest.raises(ValidationError, match="at least one scope"):
        auth.create_api_key(owner, "none", [])


def test_revoked_expired_and_forged_keys_are_refused(auth: ModuleType, owner: Principal,
                                                     clock: Clock) -> None:
    _info, key = auth.create_api_key(owner, "temp", ["*"], expires_in_days=1)
    other, key2 = auth.create_api_key(owner, "gone", ["*"])
    auth.revoke_api_key(owner, other.id)
    with pytest.raises(AuthenticationError, match="revoked"):
        auth.principal_from_api_key(key2)
    forged = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")
    with pytest.raises(AuthenticationError, match="Invalid API key"):
        auth.principal_from_api_key(forged)
    with pytest.raises(AuthenticationError, match="expected 'aura_"):
        auth.principal_from_api_key("not-a-key")
    clock.advance(days=2)
    with pytest.raises(AuthenticationError, match="expired"):
        auth.principal_from_api_key(key)


def test_users_manage_their_own_keys_admins_all(auth: ModuleType, owner: Principal) -> None:
    ed = add_user(auth, owner, "ed@example.com", "editor")
    vi = add_user(auth, owner, "vi@example.com", "viewer")
    info, _ = auth.create_api_key(ed, "mine", ["workflow:read"])
    with pytest.raises(NotFoundError):
        auth.revoke_api_key(vi, info.id)
    with pytest.raises(PermissionDenied):
        auth.list_api_keys(ed, all_users=True)
    assert [k.id for k in auth.list_api_keys(owner, all_users=True)] == [info.id]
    assert auth.revoke_api_key(owner, info.id).revoked_at is not None
