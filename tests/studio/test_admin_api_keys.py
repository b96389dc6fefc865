"""API keys state: create with scopes and expiry (the key shown once and working), revoke
(refused afterwards), everyone's keys for admins only."""

from __future__ import annotations

import pytest

from engine.errors import AuthenticationError
from studio.state.admin_api_keys import AdminApiKeysState, scope_areas, scopes_of
from tests.studio.admin_support import (
    Instance,
    call,
    instance_fixture,  # noqa: F401 (the fixture)
    make,
)


def test_scopes_from_the_form() -> None:
    areas = {a["area"]: a["read"] for a in scope_areas()}
    assert areas["workflow"] == "workflow:read" and areas["user"] == "user:list"
    assert areas["vault"] == ""
    assert scopes_of(True, {"workflow": "read"}) == ["*"]
    assert scopes_of(False, {"workflow": "read", "execution": "full", "audit": "none",
                             "vault": "read"}) == ["execution:*", "workflow:read"]


def test_create_shows_key_once_it_works_then_revoke(instance: Instance) -> None:
    s = make(AdminApiKeysState)
    call(s, "load")
    assert s.allowed and s.keys == []
    call(s, "open_create")
    call(s, "create")
    assert "name" in s.create_error
    call(s, "set_name", "CI deploy")
    call(s, "set_choice", "workflow", "none")
    call(s, "create")
    assert "at least one area" in s.create_error
    call(s, "set_choice", "workflow", "full")
    call(s, "set_choice", "execution", "read")
    call(s, "set_expiry", "30")
    call(s, "create")
    assert s.create_error == ""
    key = s.new_key
    assert key.startswith("aura_") and s.new_key_name == "CI deploy"
    row = s.keys[0]
    assert (row["name"], row["scopes"], row["status"]) == ("CI deploy",
                                                           "execution:read, workflow:*",
                                                           "active")
    assert row["expires"] != "never" and key.startswith(row["prefix"])
    assert key not in str(s.keys)  # only the prefix is listed

    who = instance.auth.principal_from_api_key(key)
    assert who.user_id == instance.owner.id and who.scopes == {"workflow:*",
                                                               "execution:read"}
    call(s, "set_create_open", False)
    assert s.new_key == ""  # gone once the dialog closes

    call(s, "ask_revoke", row["id"], row["name"])
    assert "Revoked 'CI deploy'" in str(call(s, "revoke"))
    assert s.keys[0]["status"] == "revoked"
    with pytest.raises(AuthenticationError, match="revoked"):
        instance.auth.principal_from_api_key(key)


def test_everyone_has_own_keys_only_admins_see_all(instance: Instance) -> None:
    ed = instance.user("ed@example.com", "editor")
    owner_key = make(AdminApiKeysState)
    call(owner_key, "load")
    call(owner_key, "open_create")
    call(owner_key, "set_name", "owner key")
    call(owner_key, "create")

    instance.act_as(ed.id)
    s = make(AdminApiKeysState)
    call(s, "load")
    assert s.allowed and not s.is_admin_view and s.keys == []
    call(s, "open_create")
    call(s, "set_name", "editor key")
    call(s, "create")
    assert [k["name"] for k in s.keys] == ["editor key"]
    call(s, "set_show_all", True)  # not an admin: still only their own
    assert [k["name"] for k in s.keys] == ["editor key"]
    call(s, "ask_revoke", owner_key.keys[0]["id"], "owner key")
    assert "No API key" in str(call(s, "revoke"))

    instance.act_as(instance.owner.id)
    call(owner_key, "set_show_all", True)
    assert sorted((k["name"], k["owner"]) for k in owner_key.keys) == [
        ("editor key", "ed@example.com"), ("owner key", "owner@example.com")]
