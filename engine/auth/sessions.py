"""Signing in and staying signed in: login (with 2FA), refresh, logout, and turning an
access token into a :class:`Principal`.

A session is a *family* of refresh tokens. Each refresh replaces the presented token by
a new one; presenting a replaced token again means it was copied, so the whole family is
revoked (the thief and the user are both signed out). Access tokens carry their family
as ``sid``: logging out ends them at once, not only when they expire. Role, disabled
state and project roles are read from the database on every request, so changes apply
immediately.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta

from engine.auth import totp
from engine.auth._util import digest, new_token
from engine.auth.context import AuthContext
from engine.auth.rbac import SELF_2FA_SCOPE
from engine.auth.types import LoginResult, Principal, TokenPair
from engine.errors import AuthenticationError, RateLimited
from engine.store.auth_users import normalize_email
from engine.store.models_auth import User

__all__ = [
    "issue_tokens",
    "login",
    "logout",
    "principal_for_user",
    "principal_from_access_token",
    "refresh",
    "required_2fa_roles",
    "verify_2fa",
]

SETTING_2FA_ROLES = "security.require_2fa_roles"
_BAD_LOGIN = "Wrong e-mail or password."


def required_2fa_roles(ctx: AuthContext) -> list[str]:
    """Roles that must use 2FA: the run-time setting if an admin set one, else
    ``AURA_REQUIRE_2FA_ROLES``."""
    value = ctx.store.settings.get(SETTING_2FA_ROLES)
    if isinstance(value, list):
        return [str(v) for v in value]
    return list(ctx.security.require_2fa_roles)


def _scopes_for(ctx: AuthContext, user: User) -> list[str]:
    if not user.totp_enabled and user.role in required_2fa_roles(ctx):
        return [SELF_2FA_SCOPE]
    return []


def principal_for_user(
    ctx: AuthContext,
    user: User,
    *,
    scopes: list[str] | tuple[str, ...] = (),
    api_key_id: str | None = None,
) -> Principal:
    """The principal of ``user`` with their current role and project roles."""
    return Principal(
        user_id=user.id,
        email=user.email,
        role=user.role,
        api_key_id=api_key_id,
        scopes=frozenset(scopes),
        projects=ctx.store.projects.memberships(user.id),
    )


def issue_tokens(ctx: AuthContext, user: User, *, family_id: str | None = None) -> TokenPair:
    """A new session (or a new refresh of ``family_id``) for ``user``."""
    now = ctx.now()
    ttl = ctx.security.refresh_token_ttl_s
    refresh_token = new_token("rt_")
    scopes = _scopes_for(ctx, user)
    row = ctx.store.tokens.add_refresh(
        user.id,
        digest(refresh_token),
        now=now,
        expires_at=now + timedelta(seconds=ttl),
        scopes=scopes,
        family_id=family_id,
    )
    access = ctx.codec.access_token(user.id, session_id=row.family_id, scopes=scopes, now=now)
    return TokenPair(
        access_token=access,
        refresh_token=refresh_token,
        expires_in=ctx.security.access_token_ttl_s,
        refresh_expires_in=ttl,
    )


def _complete(ctx: AuthContext, user: User, method: str, ip: str | None) -> LoginResult:
    tokens = issue_tokens(ctx, user)
    ctx.store.users.update(user.id, last_login_at=ctx.now())
    ctx.limiter("login_account").reset(user.email)
    ctx.audit(
        user.id, "user.login", "user", user.id, {"method": method}, ip, actor_email=user.email
    )
    return LoginResult(tokens=tokens, must_enrol_2fa=bool(_scopes_for(ctx, user)))


def _count_address(ctx: AuthContext, ip: str | None, address: str) -> str | None:
    """Counts a login attempt from ``ip`` (whatever the e-mail) and returns its token, or
    refuses once too many failed. Counted before the password is checked, atomically, so
    parallel guesses cannot all pass; :func:`login` takes a successful one back (which
    does not clear earlier failures: one known account must not unlock guessing)."""
    if not ip:
        return None
    try:
        return ctx.limiter("login").acquire(ip)
    except RateLimited as exc:
        retry = int(exc.details.get("retry_after", 1))
        ctx.audit(
            None, "user.login_throttled", "user", None, {"email": address}, ip, actor_email=address
        )
        raise RateLimited(
            f"Too many failed sign-ins from your address. Try again in {retry} s.",
            details={**exc.details, "scope": "address"},
        ) from None


def login(
    ctx: AuthContext,
    email: str,
    password: str,
    totp_code: str | None = None,
    *,
    ip: str | None = None,
) -> LoginResult:
    """Checks e-mail and password (and a 2FA code when given).

    Returns tokens, or ``needs_2fa`` with a challenge token for :func:`verify_2fa`.

    Raises:
        AuthenticationError: wrong e-mail or password (one message for both), disabled.
        RateLimited: too many failed logins from the address ``ip``, whatever the
            e-mails (``login_ip_max_failures`` in ``login_ip_window_s``), or for this
            account (``login_max_failures`` in ``login_lock_minutes``), or 2FA locked.
    """
    address = normalize_email(email or "")
    attempt = _count_address(ctx, ip, address)
    result = _password_login(ctx, address, password, totp_code, ip)
    if ip and attempt:
        ctx.limiter("login").release(ip, attempt)  # the password was right
    return result


def _password_login(
    ctx: AuthContext, address: str, password: str, totp_code: str | None, ip: str | None
) -> LoginResult:
    account_limit = ctx.limiter("login_account")
    try:
        account_limit.check(address)
    except RateLimited:
        ctx.audit(
            None, "user.login_locked", "user", None, {"email": address}, ip, actor_email=address
        )
        raise
    user = ctx.store.users.by_email(address) if address else None
    ok = ctx.hasher.verify(user.password_hash if user else None, password or "")
    if user is None or not ok or user.disabled:
        with contextlib.suppress(RateLimited):
            account_limit.hit(address)
        reason = "unknown_email" if user is None else ("disabled" if ok else "bad_password")
        ctx.audit(
            user.id if user else None,
            "user.login_failed",
            "user",
            user.id if user else None,
            {"email": address, "reason": reason},
            ip,
            actor_email=address,
        )
        if user is not None and ok and user.disabled:
            raise AuthenticationError(
                "This account is disabled; ask an admin to enable it.",
                details={"reason": "disabled"},
            )
        raise AuthenticationError(_BAD_LOGIN, details={"reason": "bad_credentials"})
    if user.password_hash and ctx.hasher.needs_rehash(user.password_hash):
        user = ctx.store.users.update(user.id, password_hash=ctx.hasher.hash(password))
    if user.totp_enabled:
        if not totp_code:
            return LoginResult(
                tokens=None,
                needs_2fa=True,
                challenge_token=ctx.codec.challenge_token(user.id, now=ctx.now()),
            )
        method = totp.verify(ctx, user, totp_code)
        return _complete(ctx, user, f"password+{method}", ip)
    return _complete(ctx, user, "password", ip)


def verify_2fa(
    ctx: AuthContext, challenge_token: str, code: str, *, ip: str | None = None
) -> TokenPair:
    """Second step of a login: the challenge from :func:`login` plus a TOTP or recovery
    code. Raises AuthenticationError (wrong code, expired challenge) or RateLimited."""
    claims = ctx.codec.decode(challenge_token, "2fa")
    user = ctx.store.users.find(claims.sub)
    if user is None or user.disabled or not user.totp_enabled:
        raise AuthenticationError("This sign-in can no longer be completed; sign in again.")
    method = totp.verify(ctx, user, code)
    result = _complete(ctx, user, f"password+{method}", ip)
    assert result.tokens is not None
    return result.tokens


def refresh(ctx: AuthContext, refresh_token: str) -> TokenPair:
    """A new token pair for a valid refresh token, which stops working.

    Raises:
        AuthenticationError: unknown, expired, revoked or reused token (reuse ends the
            whole session), or the user was disabled.
    """
    now = ctx.now()
    new_refresh = new_token("rt_")
    ttl = timedelta(seconds=ctx.security.refresh_token_ttl_s)
    out = ctx.store.tokens.rotate_refresh(
        digest(refresh_token or ""), digest(new_refresh), now=now, ttl=ttl
    )
    if out.status == "reused":
        assert out.old is not None
        ctx.audit(
            out.old.user_id,
            "session.reuse_detected",
            "session",
            out.old.family_id,
            {"family_id": out.old.family_id},
        )
        raise AuthenticationError(
            "This refresh token was already used, so the session was "
            "ended for safety. Sign in again.",
            details={"reason": "reused"},
        )
    if out.status != "ok":
        messages = {
            "unknown": "Unknown refresh token; sign in again.",
            "expired": "Your session expired; sign in again.",
            "revoked": "This session was ended (signed out, password changed, or "
            "revoked); sign in again.",
        }
        raise AuthenticationError(messages[out.status], details={"reason": out.status})
    assert out.new is not None
    user = ctx.store.users.find(out.new.user_id)
    if user is None or user.disabled:
        ctx.store.tokens.revoke_family(out.new.family_id, now)
        raise AuthenticationError(
            "This account is disabled; ask an admin to enable it.", details={"reason": "disabled"}
        )
    scopes = _scopes_for(ctx, user)
    access = ctx.codec.access_token(user.id, session_id=out.new.family_id, scopes=scopes, now=now)
    return TokenPair(
        access_token=access,
        refresh_token=new_refresh,
        expires_in=ctx.security.access_token_ttl_s,
        refresh_expires_in=int(ttl.total_seconds()),
    )


def logout(ctx: AuthContext, refresh_token: str) -> None:
    """Ends the session of ``refresh_token`` (its access tokens stop working too).
    Unknown tokens are ignored: logging out twice is fine."""
    row = ctx.store.tokens.find_refresh(digest(refresh_token or ""))
    if row is None:
        return
    if ctx.store.tokens.revoke_family(row.family_id, ctx.now()):
        ctx.audit(row.user_id, "user.logout", "session", row.family_id)


def principal_from_access_token(ctx: AuthContext, token: str) -> Principal:
    """The caller behind an access token.

    Raises:
        AuthenticationError: the token is malformed, forged, expired, for another
            audience, signed by an unknown key, its session ended, or its user is gone or
            disabled. The message says which.
    """
    claims = ctx.codec.decode(token)
    user = ctx.store.users.find(claims.sub)
    if user is None:
        raise AuthenticationError(
            "The account of this token no longer exists.", details={"reason": "no_user"}
        )
    if user.disabled:
        raise AuthenticationError(
            "This account is disabled; ask an admin to enable it.", details={"reason": "disabled"}
        )
    valid_after = user.tokens_valid_after
    if valid_after is not None and claims.iat < int(valid_after.timestamp()):
        raise AuthenticationError(
            "This token was issued before your password or 2FA changed; sign in again.",
            details={"reason": "stale"},
        )
    if claims.sid and not ctx.store.tokens.session_active(claims.sid, ctx.now()):
        raise AuthenticationError(
            "This session has ended (signed out or revoked); sign in again.",
            details={"reason": "session_ended"},
        )
    scopes = list(claims.scopes)
    if SELF_2FA_SCOPE in scopes and user.totp_enabled:
        scopes = []  # enrolled since the token was issued
    return principal_for_user(ctx, user, scopes=scopes)
