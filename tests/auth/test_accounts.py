"""First owner, invitations, password policy, change and reset, admin actions."""

from __future__ import annotations

import logging
from types import ModuleType

import pytest

from engine.auth.passwords import check_password_policy
from engine.auth.types import Principal
from engine.errors import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDenied,
    ValidationError,
)
from tests.auth.conftest import OWNER_EMAIL, OWNER_PASSWORD, PASSWORD, Outbox, add_user


@pytest.mark.parametrize(("password", "problem"), [
    ("Short-1", "at least 10 characters"),
    ("abcdefghijkl", "two kinds of characters"),
    ("123456789012", "two kinds of characters"),
    ("Password2026!", "most common"),
    ("QWERTY12345", "most common"),
    ("ada.lovelace@example.com", "e-mail"),
    ("My-ada.lovelace-pw", "e-mail"),
])
def test_weak_passwords_are_refused_with_the_reason(password: str, problem: str) -> None:
    with pytest.raises(ValidationError) as err:
        check_password_policy(password, email="ada.lovelace@example.com")
    assert problem in err.value.message


def test_good_passwords_pass() -> None:
    for pw in ("Correct-Horse-7", "tulip garden 42", "zq8!vbn-tyu"):
        check_password_policy(pw, email="ada@example.com")


def test_there_is_one_owner_made_at_first_run(auth: ModuleType) -> None:
    assert not auth.has_owner()
    owner = auth.create_owner(OWNER_EMAIL, OWNER_PASSWORD, "Olivia")
    assert owner.role == "owner" and owner.personal_project_id
    assert auth.has_owner()
    with pytest.raises(ConflictError, match="already has an owner"):
        auth.create_owner("second@example.com", OWNER_PASSWORD)
    with pytest.raises(ValidationError):
        auth.create_owner("bad-address", OWNER_PASSWORD)


def test_invitation_creates_the_account_once(auth: ModuleType, owner: Principal,
                                             outbox: Outbox) -> None:
    inv = auth.invite(owner, "New.Person@Example.com", "editor")
    assert inv.email == "new.person@example.com" and inv.token.startswith("inv_")
    assert outbox.sent[-1].to == "new.person@example.com"
    assert outbox.link() == inv.token
    assert [i.id for i in auth.list_invitations(owner)] == [inv.id]
    with pytest.raises(ValidationError):  # policy checked before the token is used up
        auth.accept_invitation(inv.token, "weak", "New")
    user = auth.accept_invitation(inv.token, PASSWORD, "New Person")
    assert (user.role, user.name) == ("editor", "New Person")
    assert user.personal_project_id
    with pytest.raises(NotFoundError, match="invalid, used"):
        auth.accept_invitation(inv.token, PASSWORD, "Again")
    assert auth.login("new.person@example.com", PASSWORD).tokens
    assert auth.list_invitations(owner) == []


def test_invitations_expire_and_can_be_revoked(auth: ModuleType, owner: Principal,
                                               clock: object) -> None:
    old = auth.invite(owner, "late@example.com", "viewer")
    revoked = auth.invite(owner, "nope@example.com", "viewer")
    auth.revoke_invitation(owner, revoked.id)
    with pytest.raises(NotFoundError):
        auth.accept_invitation(revoked.token, PASSWORD)
    clock.advance(days=8)  # type: ignore[attr-defined]
    with pytest.raises(NotFoundError, match="expired"):
        auth.accept_invitation(old.token, PASSWORD)


def test_inviting_again_resends_and_only_the_newest_link_works(
        auth: ModuleType, owner: Principal, outbox: Outbox) -> None:
    first = auth.invite(owner, "twice@example.com", "viewer")
    second = auth.invite(owner, "Twice@Example.com", "editor")
    assert len(outbox.sent) >= 2 and outbox.link() == second.token
    assert [i.id for i in auth.list_invitations(owner)] == [second.id]
    with pytest.raises(NotFoundError):
        auth.accept_invitation(first.token, PASSWORD)
    assert auth.accept_invitation(second.token, PASSWORD).role == "editor"
    event = auth.audit_log(owner, action="user.invited", target_id=second.id)[0]
    assert event.details["replaces"] == [first.id]


def test_who_may_invite_whom(auth: ModuleType, owner: Principal) -> None:
    admin = add_user(auth, owner, "admin@example.com", "admin")
    editor = add_user(auth, owner, "ed@example.com", "editor")
    with pytest.raises(PermissionDenied, match="needs at least the admin role"):
        auth.invite(editor, "x@example.com", "viewer")
    with pytest.raises(PermissionDenied, match="only one owner"):
        auth.invite(admin, "x@example.com", "owner")
    with pytest.raises(ConflictError, match="already has an account"):
        auth.invite(admin, "ed@example.com", "viewer")
    assert auth.invite(admin, "y@example.com", "admin").role == "admin"


def test_password_reset_by_mail_is_single_use(auth: ModuleType, owner: Principal,
                                              outbox: Outbox) -> None:
    auth.request_password_reset("nobody@example.com")  # says nothing, sends nothing
    assert outbox.sent == []
    old_session = auth.login(OWNER_EMAIL, OWNER_PASSWORD).tokens
    auth.request_password_reset(OWNER_EMAIL.upper(), ip="1.2.3.4")
    token = outbox.link()
    assert "/reset-password?token=" in outbox.sent[-1].body
    with pytest.raises(ValidationError):
        auth.reset_password(token, "password")  # weak: token not used up
    auth.reset_password(token, "Brand-New-Pass-9")
    with pytest.raises(NotFoundError, match="invalid, used or expired"):
        auth.reset_password(token, "Another-Pass-10")
    with pytest.raises(AuthenticationError):
        auth.login(OWNER_EMAIL, OWNER_PASSWORD)
    assert auth.login(OWNER_EMAIL, "Brand-New-Pass-9").tokens
    with pytest.raises(AuthenticationError):  # every old session ended
        auth.refresh(old_session.refresh_token)


def test_reset_links_expire_and_only_the_newest_works(auth: ModuleType, owner: Principal,
                                                      outbox: Outbox, clock: object) -> None:
    auth.request_password_reset(OWNER_EMAIL)
    first = outbox.link()
    auth.request_password_reset(OWNER_EMAIL)
    second = outbox.link()
    with pytest.raises(NotFoundError):
        auth.reset_password(first, "Brand-New-Pass-9")
    clock.advance(minutes=61)  # type: ignore[attr-defined]
    with pytest.raises(NotFoundError):
        auth.reset_password(second, "Brand-New-Pass-9")


def test_without_smtp_the_link_goes_to_a_private_file_in_development(
        auth: ModuleType, owner: Principal, caplog: pytest.LogCaptureFixture) -> None:
    from engine.auth.mailer import SmtpMailer
    from engine.config import settings

    ctx = auth.context()
    ctx.mailer = SmtpMailer(ctx.security, "development")
    with caplog.at_level(logging.WARNING, logger="engine.auth.mail"):
        auth.request_password_reset(OWNER_EMAIL)
    assert "token=" not in caplog.text and "mail" in caplog.text
    (kept,) = (settings().data_dir / "mail").glob("*.eml")
    token = kept.read_text().split("token=", 1)[1].split()[0]
    auth.reset_password(token, "Brand-New-Pass-9")  # the kept link works
    assert auth.login(OWNER_EMAIL, "Brand-New-Pass-9").tokens is not None
    caplog.clear()
    ctx.mailer = SmtpMailer(ctx.security, "production")
    with caplog.at_level(logging.WARNING, logger="engine.auth.mail"):
        auth.request_password_reset(OWNER_EMAIL)
    assert "not configured" in caplog.text and "token=" not in caplog.text


def test_change_password_needs_the_old_one_and_ends_other_sessions(
        auth: ModuleType, owner: Principal) -> None:
    other = auth.login(OWNER_EMAIL, OWNER_PASSWORD).tokens
    with pytest.raises(AuthenticationError, match="current password is wrong"):
        auth.change_password(owner, "nope", "Brand-New-Pass-9")
    with pytest.raises(ValidationError):
        auth.change_password(owner, OWNER_PASSWORD, "short")
    fresh = auth.change_password(owner, OWNER_PASSWORD, "Brand-New-Pass-9")
    assert auth.principal_from_access_token(fresh.access_token).user_id == owner.user_id
    with pytest.raises(AuthenticationError):
        auth.principal_from_access_token(other.access_token)
    assert auth.login(OWNER_EMAIL, "Brand-New-Pass-9").tokens


def test_admin_actions_respect_the_hierarchy(auth: ModuleType, owner: Principal) -> None:
    admin = add_user(auth, owner, "admin@example.com", "admin")
    admin2 = add_user(auth, owner, "admin2@example.com", "admin")
    editor = add_user(auth, owner, "ed@example.com", "editor")
    assert {u.email for u in auth.list_users(admin)} >= {OWNER_EMAIL, "ed@example.com"}
    with pytest.raises(PermissionDenied):
        auth.list_users(editor)
    assert auth.set_role(admin, editor.user_id, "viewer").role == "viewer"
    with pytest.raises(PermissionDenied, match="yourself"):
        auth.set_role(admin, admin.user_id, "editor")
    with pytest.raises(PermissionDenied, match="not below yours"):
        auth.disable_user(admin, admin2.user_id)
    with pytest.raises(PermissionDenied, match="not below yours"):
        auth.disable_user(admin, owner.user_id)
    with pytest.raises(PermissionDenied, match="cannot make someone owner"):
        auth.set_role(owner, admin.user_id, "owner")
    with pytest.raises(ValidationError, match="Unknown role"):
        auth.set_role(owner, admin.user_id, "superuser")
    assert auth.disable_user(owner, admin2.user_id).disabled
    changes = auth.audit_log(owner, action="user.role_changed")
    assert changes[0].details == {"from": "editor", "to": "viewer"}
