"""Admin > Users state: invite (link shown), pending invitations and revoking them,
roles, disable/enable, reset 2FA, and non-admins kept out."""

from __future__ import annotations

from typing import Any

from studio.state.admin_users import AdminUsersState, grantable_roles
from tests.studio.admin_support import (
    Instance,
    call,
    instance_fixture,  # noqa: F401 (the fixture)
    make,
)


def _row(state: Any, email: str) -> dict[str, str]:
    return next(u for u in state.users if u["email"] == email)


def test_invite_shows_link_and_lists_pending_then_revoke(instance: Instance) -> None:
    s = make(AdminUsersState)
    call(s, "load")
    assert s.allowed and s.loaded
    assert [u["email"] for u in s.users] == ["owner@example.com"]
    assert s.roles == ["viewer", "editor", "admin"]

    call(s, "open_invite")
    call(s, "set_invite_email", "not-an-address")
    call(s, "send_invite")
    assert "e-mail address" in s.invite_error and not s.invitations

    call(s, "set_invite_email", "dana@example.com")
    call(s, "set_invite_role", "viewer")
    toast = call(s, "send_invite")
    assert "Invited dana@example.com as viewer" in str(toast)
    assert "/accept-invitation?token=inv_" in s.invite_link
    assert [(i["email"], i["role"], i["invited_by"]) for i in s.invitations] == [
        ("dana@example.com", "viewer", "owner@example.com")]

    call(s, "send_invite")  # the same address again: a clear message, no second one
    assert "already has a pending invitation" in s.invite_error
    assert len(s.invitations) == 1
    call(s, "ask_revoke_invitation", s.invitations[0]["id"], "dana@example.com")
    assert s.confirm_kind == "revoke"
    assert "revoked" in str(call(s, "confirm"))
    assert s.invitations == []
    assert instance.auth.audit_log(instance.acting, action="user.invitation_revoked")


def test_role_disable_enable_and_reset_2fa(instance: Instance) -> None:
    ed = instance.user("ed@example.com", "editor")
    s = make(AdminUsersState)
    call(s, "load")
    row = _row(s, "ed@example.com")
    assert row["role"] == "editor" and row["status"] == "active" and row["manage"] == "yes"
    assert _row(s, "owner@example.com")["manage"] == ""  # not yourself

    assert "is now admin" in str(call(s, "change_role", ed.id, "admin"))
    assert _row(s, "ed@example.com")["role"] == "admin"
    assert "owner" in str(call(s, "change_role", ed.id, "owner"))  # refused, says why
    assert _row(s, "ed@example.com")["role"] == "admin"

    call(s, "ask_disable", ed.id, "ed@example.com")
    assert "disabled" in str(call(s, "confirm"))
    assert _row(s, "ed@example.com")["status"] == "disabled"
    call(s, "enable", ed.id)
    assert _row(s, "ed@example.com")["status"] == "active"

    call(s, "ask_reset_2fa", ed.id, "ed@example.com")
    assert "Two-factor authentication of ed@example.com is off" in str(call(s, "confirm"))
    actions = [e.action for e in instance.auth.audit_log(instance.acting)]
    assert {"user.role_changed", "user.disabled", "user.enabled", "user.2fa_reset"} <= set(
        actions)

    call(s, "set_search", "ED@")
    assert [u["email"] for u in s.users] == ["ed@example.com"]


def test_an_admin_cannot_touch_other_admins(instance: Instance) -> None:
    admin = instance.user("ada@example.com", "admin")
    other = instance.user("otto@example.com", "admin")
    instance.act_as(admin.id)
    s = make(AdminUsersState)
    call(s, "load")
    assert _row(s, "otto@example.com")["manage"] == ""
    msg = str(call(s, "change_role", other.id, "viewer"))
    assert "not below yours" in msg
    assert _row(s, "otto@example.com")["role"] == "admin"


def test_non_admins_see_nothing_and_cannot_act(instance: Instance) -> None:
    ed = instance.user("ed@example.com", "editor")
    viewer = instance.user("vi@example.com", "viewer")
    instance.act_as(ed.id)
    s = make(AdminUsersState)
    call(s, "load")
    assert s.loaded and not s.allowed and s.users == []
    msg = str(call(s, "change_role", viewer.id, "editor"))
    assert "You need the admin role" in msg
    call(s, "set_invite_email", "x@example.com")
    call(s, "send_invite")
    assert "You need the admin role" in s.invite_error
    assert instance.auth.list_invitations(instance.principal(instance.owner.id)) == []


def test_grantable_roles() -> None:
    assert grantable_roles("owner") == ["viewer", "editor", "admin"]
    assert grantable_roles("admin") == ["viewer", "editor", "admin"]
    assert grantable_roles("editor") == ["viewer", "editor"]
    assert grantable_roles("nobody") == []
