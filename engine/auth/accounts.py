"""Accounts: the first owner, invitations, passwords (change and reset), and the admin
actions on users (list, role, disable, reset 2FA), each authorized and audited.

Rules that protect an instance from its admins' mistakes: there is exactly one owner,
made at first run; nobody changes their own role or disables themselves; nobody grants
a role above their own or acts on a user whose role is not below theirs (only the owner
manages admins).
"""

from __future__ import annotations

from datetime import timedelta

from engine.auth import totp
from engine.auth._util import digest, new_token
from engine.auth.context import AuthContext
from engine.auth.mailer import Mail
from engine.auth.passwords import check_password_policy
from engine.auth.rbac import authorize, check_role, rank
from engine.auth.types import InvitationInfo, Principal, UserInfo
from engine.errors import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDenied,
    ValidationError,
)
from engine.store.auth_users import normalize_email
from engine.store.models_auth import Invitation, User

__all__ = ["accept_invitation", "change_password", "create_owner", "create_user",
           "has_owner", "invite", "list_invitations", "list_users", "me",
           "request_password_reset", "reset_2fa", "reset_password", "revoke_invitation",
           "set_disabled", "set_password", "set_role", "user_info"]

_BAD_INVITE = "This invitation link is invalid, used, revoked or expired; ask for a new one."
_BAD_RESET = "This password reset link is invalid, used or expired. Request a new one."


def user_info(ctx: AuthContext, user: User) -> UserInfo:
    """The public view of a user."""
    return UserInfo(id=user.id, email=user.email, name=user.name, role=user.role,
                    disabled=user.disabled, totp_enabled=user.totp_enabled,
                    created_at=user.created_at, last_login_at=user.last_login_at,
                    personal_project_id=ctx.store.users.personal_project_id(user.id))


def _check_email(email: str) -> str:
    address = normalize_email(email or "")
    local, _, domain = address.partition("@")
    if not local or "." not in domain or " " in address or len(address) > 320:
        raise ValidationError(f"{email!r} is not an e-mail address.")
    return address


def _user_of(ctx: AuthContext, principal: Principal) -> User:
    if principal.user_id is None:
        raise AuthenticationError("Sign in as a user for this.")
    user = ctx.store.users.find(principal.user_id)
    if user is None or user.disabled:
        raise AuthenticationError("This account is disabled or no longer exists.")
    return user


def has_owner(ctx: AuthContext) -> bool:
    """True once the instance has been set up (an owner exists)."""
    return bool(ctx.store.users.has_role("owner"))


def create_user(ctx: AuthContext, email: str, password: str, *, role: str, name: str = "",
                only_if_no_owner: bool = False) -> User:
    """Creates a user (policy-checked password, personal project). No authorization."""
    address = _check_email(email)
    check_role(role)
    check_password_policy(password, email=address,
                          min_length=ctx.security.password_min_length)
    return ctx.store.users.create(address, password_hash=ctx.hasher.hash(password),
                                  role=role, name=name, only_if_no_owner=only_if_no_owner)


def create_owner(ctx: AuthContext, email: str, password: str, name: str = "") -> User:
    """First-run set-up: the owner account. ConflictError when an owner exists."""
    user = create_user(ctx, email, password, role="owner", name=name, only_if_no_owner=True)
    ctx.audit(user.id, "user.owner_created", "user", user.id, actor_email=user.email)
    return user


def me(ctx: AuthContext, principal: Principal) -> UserInfo:
    """The caller's own account."""
    return user_info(ctx, _user_of(ctx, principal))


# -- invitations ---------------------------------------------------------------------------
def _invitation_info(row: Invitation, token: str | None = None, link: str | None = None
                     ) -> InvitationInfo:
    return InvitationInfo(id=row.id, email=row.email, role=row.role,
                          expires_at=row.expires_at, invited_by=row.invited_by,
                          accepted_at=row.accepted_at, revoked_at=row.revoked_at,
                          token=token, link=link)


def invite(ctx: AuthContext, principal: Principal, email: str, role: str) -> InvitationInfo:
    """Invites ``email`` with ``role``; mails the link and returns it with the token."""
    authorize(principal, "user:invite")
    address = _check_email(email)
    check_role(role)
    if role == "owner" or rank(role) > rank(principal.role):
        raise PermissionDenied(f"You cannot invite someone as {role}: the highest role you "
                               f"can give is {principal.role}" +
                               (" (there is only one owner)." if role == "owner" else "."),
                               details={"role": role})
    if ctx.store.users.by_email(address) is not None:
        raise ConflictError(f"{address} already has an account.")
    now = ctx.now()
    # inviting again resends: the earlier links of this address stop working
    replaced = [r.id for r in ctx.store.tokens.list_invitations(pending_only=True, now=now)
                if r.email == address]
    for old_id in replaced:
        ctx.store.tokens.update_invitation(old_id, revoked_at=now)
    token = new_token("inv_")
    row = ctx.store.tokens.add_invitation(Invitation(
        email=address, role=role, token_hash=digest(token), invited_by=principal.user_id,
        created_at=now, expires_at=now + timedelta(hours=ctx.security.invitation_ttl_hours)))
    link = f"{ctx.security.studio_url.rstrip('/')}/accept-invitation?token={token}"
    ctx.mailer.send(Mail(address, "You are invited to AURA",
                         f"{principal.email or 'An admin'} invited you to AURA as {role}.\n\n"
                         f"Accept the invitation and choose a password:\n{link}\n\n"
                         f"The link works until {row.expires_at:%Y-%m-%d %H:%M} UTC."))
    ctx.audit(principal, "user.invited", "invitation", row.id,
              {"email": address, "role": role, **({"replaces": replaced} if replaced else {})})
    return _invitation_info(row, token, link)


def list_invitations(ctx: AuthContext, principal: Principal, *, pending_only: bool = True
                     ) -> list[InvitationInfo]:
    authorize(principal, "user:invite")
    return [_invitation_info(r) for r in
            ctx.store.tokens.list_invitations(pending_only=pending_only, now=ctx.now())]


def revoke_invitation(ctx: AuthContext, principal: Principal, invitation_id: str) -> None:
    authorize(principal, "user:invite")
    ctx.store.tokens.update_invitation(invitation_id, revoked_at=ctx.now())
    ctx.audit(principal, "user.invitation_revoked", "invitation", invitation_id)


def accept_invitation(ctx: AuthContext, token: str, password: str, name: str = "") -> UserInfo:
    """Creates the invited account with ``password``; the invitation is then used up."""
    row = ctx.store.tokens.invitation_by_hash(digest(token or ""))
    now = ctx.now()
    if row is None or row.accepted_at or row.revoked_at or row.expires_at <= now:
        raise NotFoundError(_BAD_INVITE)
    check_password_policy(password, email=row.email,
                          min_length=ctx.security.password_min_length)
    if ctx.store.users.by_email(row.email) is not None:
        raise ConflictError(f"{row.email} already has an account; sign in instead.")
    if not ctx.store.tokens.claim_invitation(row.id, now):
        raise NotFoundError(_BAD_INVITE)
    try:
        user = create_user(ctx, row.email, password, role=row.role, name=name)
    except Exception:
        ctx.store.tokens.update_invitation(row.id, accepted_at=None)
        raise
    ctx.store.tokens.update_invitation(row.id, user_id=user.id)
    ctx.audit(user.id, "user.invitation_accepted", "user", user.id,
              {"invitation_id": row.id, "role": row.role}, actor_email=user.email)
    return user_info(ctx, user)


# -- passwords -----------------------------------------------------------------------------
def set_password(ctx: AuthContext, user: User, password: str) -> User:
    """Stores a new (policy-checked) password and ends every session of the user."""
    check_password_policy(password, email=user.email,
                          min_length=ctx.security.password_min_length)
    now = ctx.now()
    updated = ctx.store.users.update(user.id, password_hash=ctx.hasher.hash(password),
                                     password_changed_at=now, tokens_valid_after=now)
    ctx.store.tokens.revoke_user_sessions(user.id, now)
    ctx.limiter("login_account").reset(user.email)
    return updated


def change_password(ctx: AuthContext, principal: Principal, old: str, new: str) -> User:
    """Changes the caller's password (the old one is required); other sessions end."""
    if principal.api_key_id:
        raise PermissionDenied("API keys cannot change passwords; sign in as the user.")
    user = _user_of(ctx, principal)
    if not ctx.hasher.verify(user.password_hash, old or ""):
        ctx.audit(principal, "user.password_change_failed", "user", user.id)
        raise AuthenticationError("The current password is wrong.")
    if old == new:
        raise ValidationError("The new password must differ from the current one.")
    user = set_password(ctx, user, new)
    ctx.audit(principal, "user.password_changed", "user", user.id)
    return user


def request_password_reset(ctx: AuthContext, email: str, *, ip: str | None = None) -> None:
    """Mails a single-use reset link when the address has an enabled account. Returns
    nothing either way, so callers cannot learn which addresses exist."""
    try:
        address = _check_email(email)
    except ValidationError:
        return
    user = ctx.store.users.by_email(address)
    if user is None or user.disabled:
        ctx.audit(None, "user.password_reset_requested", "user", None,
                  {"email": address, "known": False}, ip, actor_email=address)
        return
    token = new_token("pr_")
    now = ctx.now()
    minutes = ctx.security.reset_token_ttl_minutes
    ctx.store.tokens.add_reset(user.id, digest(token), now=now,
                               expires_at=now + timedelta(minutes=minutes))
    link = f"{ctx.security.studio_url.rstrip('/')}/reset-password?token={token}"
    ctx.mailer.send(Mail(user.email, "Reset your AURA password",
                         f"Someone (hopefully you) asked to reset your AURA password.\n\n"
                         f"Choose a new password here (the link works once, for {minutes} "
                         f"minutes):\n{link}\n\nIf it was not you, ignore this mail."))
    ctx.audit(user.id, "user.password_reset_requested", "user", user.id, {"known": True},
              ip, actor_email=user.email)


def reset_password(ctx: AuthContext, token: str, new_password: str) -> None:
    """Sets a new password with a reset token (once); every session of the user ends.
    A weak password is refused before the token is used up."""
    user_id = ctx.store.tokens.peek_reset(digest(token or ""), ctx.now())
    user = ctx.store.users.find(user_id) if user_id else None
    if user is None or user.disabled:
        raise NotFoundError(_BAD_RESET)
    check_password_policy(new_password, email=user.email,
                          min_length=ctx.security.password_min_length)
    ctx.store.tokens.consume_reset(digest(token), ctx.now())
    set_password(ctx, user, new_password)
    ctx.audit(user.id, "user.password_reset", "user", user.id, actor_email=user.email)


# -- admin actions -------------------------------------------------------------------------
def list_users(ctx: AuthContext, principal: Principal, *, limit: int = 100, offset: int = 0,
               search: str | None = None) -> list[UserInfo]:
    authorize(principal, "user:list")
    return [user_info(ctx, u) for u in ctx.store.users.list(limit=limit, offset=offset,
                                                            search=search)]


def _target(ctx: AuthContext, principal: Principal, user_id: str, what: str) -> User:
    authorize(principal, "user:manage")
    target = ctx.store.users.get(user_id)
    if target.id == principal.user_id:
        raise PermissionDenied(f"You cannot {what} yourself; ask another admin.")
    if rank(target.role) >= rank(principal.role):
        raise PermissionDenied(f"You cannot {what} a user whose role ({target.role}) is not "
                               f"below yours ({principal.role}).")
    return target


def set_role(ctx: AuthContext, principal: Principal, user_id: str, role: str) -> UserInfo:
    """Changes a user's instance role (not to or from owner)."""
    check_role(role)
    target = _target(ctx, principal, user_id, "change the role of")
    if role == "owner" or rank(role) > rank(principal.role):
        raise PermissionDenied(f"You cannot make someone {role}.", details={"role": role})
    before = target.role
    user = ctx.store.users.update(target.id, role=role)
    ctx.audit(principal, "user.role_changed", "user", target.id, {"from": before, "to": role})
    return user_info(ctx, user)


def set_disabled(ctx: AuthContext, principal: Principal, user_id: str, disabled: bool = True
                 ) -> UserInfo:
    """Disables (or enables) an account; a disabled user's sessions and keys stop at once."""
    target = _target(ctx, principal, user_id, "disable" if disabled else "enable")
    user = ctx.store.users.update(target.id, disabled=disabled)
    if disabled:
        ctx.store.tokens.revoke_user_sessions(target.id, ctx.now())
    ctx.audit(principal, "user.disabled" if disabled else "user.enabled", "user", target.id)
    return user_info(ctx, user)


def reset_2fa(ctx: AuthContext, principal: Principal, user_id: str) -> UserInfo:
    """Removes a user's 2FA (lost phone); they enrol again at their next login."""
    target = _target(ctx, principal, user_id, "reset 2FA of")
    totp.reset(ctx, target.id)
    ctx.store.tokens.revoke_user_sessions(target.id, ctx.now())
    ctx.audit(principal, "user.2fa_reset", "user", target.id)
    return user_info(ctx, ctx.store.users.get(target.id))
