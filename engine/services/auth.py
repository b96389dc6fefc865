"""Auth services: the one door the HTTP API, the studio and the CLI use for accounts,
tokens, 2FA, roles and projects, API keys, rate limits and the audit log.

Every function here works on the process-wide store (:func:`engine.services.store.
get_store`) and settings; :func:`context` builds the :class:`AuthContext` once per store.
Functions that act for someone take the :class:`Principal` first and authorize it
(raising :class:`~engine.errors.PermissionDenied`); each change is audited.

Typical request handling::

    principal = auth.principal_from_access_token(bearer)   # or principal_from_api_key
    auth.authorize(principal, "workflow:update", project_id=wf.project_id)
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

from engine.auth import accounts, apikeys, audit, projects, rbac, sessions, totp
from engine.auth._util import digest as token_digest
from engine.auth.clientip import client_address
from engine.auth.context import AuthContext, build_context
from engine.auth.ratelimit import RateLimiter
from engine.auth.types import (
    ApiKeyInfo,
    AuditEntry,
    InvitationInfo,
    LoginResult,
    Principal,
    ProjectInfo,
    TokenPair,
    TotpEnrolment,
    UserInfo,
)
from engine.errors import AuthenticationError, PermissionDenied, ValidationError
from engine.services.store import get_store

__all__ = [
    "PERMISSIONS", "ApiKeyInfo", "AuditEntry", "InvitationInfo", "LoginResult", "Principal",
    "ProjectInfo",
    "TokenPair", "TotpEnrolment", "UserInfo",
    "accept_invitation", "allowed_actions", "audit_log", "authorize", "authorize_resource",
    "change_password", "client_address", "confirm_totp", "context", "create_api_key",
    "create_owner",
    "create_project", "default_project", "disable_totp", "disable_user", "enable_user",
    "export_audit", "filter_visible", "has_owner", "invite", "jwks", "list_api_keys",
    "list_invitations", "list_projects", "list_users", "login", "logout", "me",
    "move_to_project", "principal_from_access_token", "principal_from_api_key",
    "project_members", "rate_limiter", "record_audit", "refresh", "regenerate_recovery_codes",
    "remove_project_member", "request_password_reset", "required_2fa_roles", "reset",
    "reset_2fa", "reset_password", "revoke_api_key", "revoke_invitation",
    "rotate_signing_key", "set_project_member", "set_required_2fa_roles", "set_role", "share",
    "start_totp_enrolment", "token_digest", "unshare", "verify_2fa",
]

PERMISSIONS = rbac.PERMISSIONS
"""Every action and the roles allowed it (:data:`engine.auth.rbac.PERMISSIONS`)."""

_ctx: AuthContext | None = None
_lock = threading.Lock()


def context() -> AuthContext:
    """The auth context of the process-wide store (rebuilt if the store changed)."""
    global _ctx
    store = get_store()
    with _lock:
        if _ctx is None or _ctx.store is not store:
            from engine.config import settings

            _ctx = build_context(store, settings())
        return _ctx


def reset() -> None:
    """Forgets the context (tests; after changing settings)."""
    global _ctx
    with _lock:
        _ctx = None


def _self_user(p: Principal) -> Any:
    if p.user_id is None or p.api_key_id is not None:
        raise PermissionDenied("Only a signed-in user can do this for themselves, not an "
                               "API key.")
    user = context().store.users.find(p.user_id)
    if user is None or user.disabled:
        raise AuthenticationError("This account is disabled or no longer exists.")
    return user


# -- signing in ---------------------------------------------------------------------------
def login(email: str, password: str, totp_code: str | None = None, *,
          ip: str | None = None) -> LoginResult:
    """Password login; see :func:`engine.auth.sessions.login`."""
    return sessions.login(context(), email, password, totp_code, ip=ip)


def verify_2fa(challenge_token: str, code: str, *, ip: str | None = None) -> TokenPair:
    """Completes a login that returned ``needs_2fa`` (TOTP or recovery code)."""
    return sessions.verify_2fa(context(), challenge_token, code, ip=ip)


def refresh(refresh_token: str) -> TokenPair:
    """New tokens for a refresh token (which is used up; reuse ends the session)."""
    return sessions.refresh(context(), refresh_token)


def logout(refresh_token: str) -> None:
    """Ends the session of ``refresh_token``."""
    sessions.logout(context(), refresh_token)


def principal_from_access_token(token: str) -> Principal:
    """The caller behind a bearer token; AuthenticationError says what is wrong."""
    return sessions.principal_from_access_token(context(), token)


def principal_for_session(user_id: str, session_id: str = "",
                          scopes: tuple[str, ...] = ()) -> Principal | None:
    """The principal of a signed-in user of a long-lived client (the studio's websocket),
    read now from the database; None when there is no such user.

    Raises:
        AuthenticationError: the account is disabled, or the session ended (signed out
            elsewhere, password changed, revoked).
    """
    ctx = context()
    user = ctx.store.users.find(user_id) if user_id else None
    if user is None:
        return None
    if user.disabled:
        raise AuthenticationError("This account is disabled; ask an admin to enable it.",
                                  details={"reason": "disabled"})
    if session_id and not ctx.store.tokens.session_active(session_id, ctx.now()):
        raise AuthenticationError("Your session has ended (signed out, password changed "
                                  "or revoked); sign in again.",
                                  details={"reason": "session_ended"})
    if scopes and user.totp_enabled:
        scopes = ()  # enrolled in 2FA since signing in
    return sessions.principal_for_user(ctx, user, scopes=scopes)


def principal_from_api_key(key: str, *, ip: str | None = None) -> Principal:
    """The caller behind an API key (``aura_...``)."""
    return apikeys.principal_from_api_key(context(), key, ip=ip)


# -- authorization ------------------------------------------------------------------------
def authorize(principal: Principal, action: str, *, project_id: str | None = None) -> None:
    """Raises PermissionDenied (saying which role is needed) unless allowed."""
    rbac.authorize(principal, action, project_id=project_id)


def authorize_resource(principal: Principal, action: str, resource_type: str,
                       resource_id: str) -> str | None:
    """Authorizes ``action`` on a workflow or credential, shares included; returns its
    project id."""
    return projects.authorize_resource(context(), principal, action, resource_type,
                                       resource_id)


def filter_visible(principal: Principal, resource_type: str, items: Any, *,
                   action: str | None = None) -> list[Any]:
    """The items (with ``id`` and ``project_id``) the caller may read."""
    return projects.filter_visible(context(), principal, resource_type, items, action=action)


def allowed_actions(principal: Principal, *, project_id: str | None = None) -> list[str]:
    """Every action the caller may do (for showing and hiding controls)."""
    return rbac.allowed_actions(principal, project_id=project_id)


# -- accounts -----------------------------------------------------------------------------
def has_owner() -> bool:
    return accounts.has_owner(context())


def create_owner(email: str, password: str, name: str = "") -> UserInfo:
    """First-run set-up (ConflictError once an owner exists)."""
    ctx = context()
    return accounts.user_info(ctx, accounts.create_owner(ctx, email, password, name))


def me(principal: Principal) -> UserInfo:
    return accounts.me(context(), principal)


def invite(principal: Principal, email: str, role: str) -> InvitationInfo:
    """Invites someone; the result carries the token and link (also mailed)."""
    return accounts.invite(context(), principal, email, role)


def list_invitations(principal: Principal, *, pending_only: bool = True
                     ) -> list[InvitationInfo]:
    return accounts.list_invitations(context(), principal, pending_only=pending_only)


def revoke_invitation(principal: Principal, invitation_id: str) -> None:
    accounts.revoke_invitation(context(), principal, invitation_id)


def accept_invitation(token: str, password: str, name: str = "") -> UserInfo:
    return accounts.accept_invitation(context(), token, password, name)


def request_password_reset(email: str, *, ip: str | None = None) -> None:
    """Mails a reset link if the account exists; says nothing either way."""
    accounts.request_password_reset(context(), email, ip=ip)


def reset_password(token: str, new_password: str) -> None:
    accounts.reset_password(context(), token, new_password)


def change_password(principal: Principal, old: str, new: str) -> TokenPair:
    """Changes the caller's password; every session ends and a new one is returned."""
    ctx = context()
    user = accounts.change_password(ctx, principal, old, new)
    return sessions.issue_tokens(ctx, user)


def list_users(principal: Principal, *, limit: int = 100, offset: int = 0,
               search: str | None = None) -> list[UserInfo]:
    return accounts.list_users(context(), principal, limit=limit, offset=offset,
                               search=search)


def set_role(principal: Principal, user_id: str, role: str) -> UserInfo:
    return accounts.set_role(context(), principal, user_id, role)


def disable_user(principal: Principal, user_id: str) -> UserInfo:
    return accounts.set_disabled(context(), principal, user_id, True)


def enable_user(principal: Principal, user_id: str) -> UserInfo:
    return accounts.set_disabled(context(), principal, user_id, False)


def reset_2fa(principal: Principal, user_id: str) -> UserInfo:
    return accounts.reset_2fa(context(), principal, user_id)


# -- two-factor ---------------------------------------------------------------------------
def start_totp_enrolment(principal: Principal) -> TotpEnrolment:
    """A new TOTP secret for the caller: ``otpauth_uri`` and ``qr_svg`` to scan."""
    return totp.start(context(), _self_user(principal))


def confirm_totp(principal: Principal, code: str) -> list[str]:
    """Turns 2FA on with a first code; returns 10 recovery codes (shown once)."""
    return totp.confirm(context(), _self_user(principal), code)


def disable_totp(principal: Principal, code: str) -> None:
    """Turns the caller's 2FA off (a current code is required), unless their role
    requires 2FA."""
    ctx = context()
    user = _self_user(principal)
    if user.role in sessions.required_2fa_roles(ctx):
        raise PermissionDenied(f"The {user.role} role requires two-factor authentication; "
                               "it cannot be turned off.")
    totp.disable(ctx, user, code)


def regenerate_recovery_codes(principal: Principal, code: str) -> list[str]:
    """New recovery codes (old ones stop working), after a current TOTP code."""
    ctx = context()
    user = _self_user(principal)
    if not user.totp_enabled:
        raise ValidationError("Two-factor authentication is not on.")
    totp.verify(ctx, user, code, allow_recovery=False)
    codes = totp.new_recovery_codes(ctx, user.id)
    ctx.audit(principal, "user.recovery_codes_regenerated", "user", user.id)
    return codes


def required_2fa_roles() -> list[str]:
    return sessions.required_2fa_roles(context())


def set_required_2fa_roles(principal: Principal, roles: list[str]) -> list[str]:
    """Sets which roles must use 2FA (overrides ``AURA_REQUIRE_2FA_ROLES``)."""
    rbac.authorize(principal, "settings:update")
    clean = sorted({rbac.check_role(r) for r in roles}, key=rbac.rank)
    ctx = context()
    ctx.store.settings.set(sessions.SETTING_2FA_ROLES, clean)
    ctx.audit(principal, "settings.updated", "setting", sessions.SETTING_2FA_ROLES,
              {"value": clean})
    return clean


# -- API keys -----------------------------------------------------------------------------
def create_api_key(principal: Principal, name: str, scopes: list[str],
                   expires_in_days: int | None = None) -> tuple[ApiKeyInfo, str]:
    """A new API key; the plaintext key is returned once and never again."""
    return apikeys.create(context(), principal, name, scopes, expires_in_days)


def list_api_keys(principal: Principal, *, all_users: bool = False) -> list[ApiKeyInfo]:
    return apikeys.list_keys(context(), principal, all_users=all_users)


def revoke_api_key(principal: Principal, key_id: str) -> ApiKeyInfo:
    return apikeys.revoke(context(), principal, key_id)


# -- projects -----------------------------------------------------------------------------
def list_projects(principal: Principal) -> list[ProjectInfo]:
    return projects.list_projects(context(), principal)


def default_project(principal: Principal) -> str | None:
    """The caller's personal project: where their new workflows and credentials go."""
    return projects.default_project(context(), principal)


def create_project(principal: Principal, name: str) -> ProjectInfo:
    return projects.create_project(context(), principal, name)


def project_members(principal: Principal, project_id: str) -> dict[str, str]:
    return projects.members(context(), principal, project_id)


def set_project_member(principal: Principal, project_id: str, user_id: str, role: str
                       ) -> None:
    projects.set_member(context(), principal, project_id, user_id, role)


def remove_project_member(principal: Principal, project_id: str, user_id: str) -> None:
    projects.remove_member(context(), principal, project_id, user_id)


def share(principal: Principal, resource_type: str, resource_id: str, project_id: str, *,
          role: str = "editor") -> None:
    """Shares a workflow or credential with another project."""
    projects.share(context(), principal, resource_type, resource_id, project_id, role=role)


def unshare(principal: Principal, resource_type: str, resource_id: str, project_id: str
            ) -> None:
    projects.unshare(context(), principal, resource_type, resource_id, project_id)


def move_to_project(principal: Principal, resource_type: str, resource_id: str,
                    project_id: str) -> None:
    projects.move(context(), principal, resource_type, resource_id, project_id)


# -- audit, keys, limits ------------------------------------------------------------------
def record_audit(actor: Principal | str | None, action: str, target_type: str = "",
                 target_id: str | None = None, details: dict[str, Any] | None = None,
                 ip: str | None = None) -> None:
    """Records an audit event (workflow saves, activations... from the API)."""
    context().audit(actor, action, target_type, target_id, details, ip)


def audit_log(principal: Principal, *, limit: int = 100, offset: int = 0,
              **filters: Any) -> list[AuditEntry]:
    """Audit events, newest first; filters: actor_id, action ("user.*"), target_type,
    target_id, since, until, ip."""
    rbac.authorize(principal, "audit:read")
    return audit.list_events(context().store, limit=limit, offset=offset, **filters)


def export_audit(principal: Principal, fmt: str = "jsonl", **filters: Any) -> Iterator[str]:
    """The audit log as JSON lines or CSV text chunks (oldest first)."""
    rbac.authorize(principal, "audit:read")
    ctx = context()
    if fmt not in ("jsonl", "csv"):
        raise ValidationError("Export format must be 'jsonl' or 'csv'.")
    ctx.audit(principal, "audit.exported", "audit", None, {"format": fmt})
    fn = audit.export_jsonl if fmt == "jsonl" else audit.export_csv
    return fn(ctx.store, **filters)


def rotate_signing_key(principal: Principal | None = None) -> str:
    """A new JWT signing key (old tokens stay valid until they expire). ``None`` is the
    operator at the console (CLI)."""
    if principal is not None:
        rbac.authorize(principal, "settings:update")
    ctx = context()
    kid = ctx.keys.rotate(now=ctx.now())
    ctx.audit(principal, "auth.signing_key_rotated", "key", kid)
    return kid


def jwks() -> dict[str, Any]:
    """The public JWT keys (a JWK Set) for other verifiers."""
    return context().keys.jwks()


def rate_limiter(name: str, limit: int | None = None, window_s: float | None = None
                 ) -> RateLimiter:
    """A named limiter (login, 2fa, password_reset, api_key, webhook...) on the
    configured Redis, or in process."""
    if limit is None and window_s is None:
        return context().limiter(name)
    from engine.auth.ratelimit import limiter

    return limiter(name, limit, window_s)
