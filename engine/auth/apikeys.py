"""API keys for machines and the console: ``aura_<prefix>_<secret>``.

The 8-hex-digit prefix is public (it names the key in lists and logs); the whole key has
256 bits of randomness, so a sha256 digest is a safe way to store it (no slow hash
needed). A key acts as its user, restricted to its scopes; it stops working when revoked,
expired, or when its user is disabled. ``last_used_at`` (and an ``apikey.used`` audit
event) is written at most once a minute per key.
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from engine.auth._util import digest, digest_matches
from engine.auth.context import AuthContext
from engine.auth.rbac import authorize, can, check_scopes
from engine.auth.sessions import principal_for_user
from engine.auth.types import ApiKeyInfo, Principal
from engine.errors import AuthenticationError, NotFoundError, PermissionDenied, ValidationError
from engine.store.models_auth import ApiKey

__all__ = ["KEY_PREFIX", "create", "list_keys", "principal_from_api_key", "revoke"]

KEY_PREFIX = "aura_"
_KEY_RE = re.compile(r"^aura_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$")
TOUCH_INTERVAL = timedelta(seconds=60)


def info(row: ApiKey) -> ApiKeyInfo:
    """The public view of a key (never the key or its digest)."""
    return ApiKeyInfo(id=row.id, name=row.name, prefix=f"{KEY_PREFIX}{row.prefix}",
                      scopes=tuple(row.scopes), created_at=row.created_at,
                      expires_at=row.expires_at, revoked_at=row.revoked_at,
                      last_used_at=row.last_used_at, user_id=row.user_id)


def create(ctx: AuthContext, principal: Principal, name: str, scopes: list[str],
           expires_in_days: int | None = None) -> tuple[ApiKeyInfo, str]:
    """A new key of the caller; returns its info and the plaintext key (shown once)."""
    authorize(principal, "apikey:manage")
    if principal.api_key_id or principal.user_id is None:
        raise PermissionDenied("API keys cannot create API keys; sign in as the user.")
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise ValidationError("Give the key a name (1-200 characters), e.g. 'CI deploy'.")
    clean = check_scopes(scopes)
    if expires_in_days is not None and not 1 <= expires_in_days <= 3650:
        raise ValidationError("expires_in_days must be between 1 and 3650 (or none).")
    now = ctx.now()
    prefix = secrets.token_hex(4)
    key = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    row = ctx.store.tokens.add_api_key(ApiKey(
        user_id=principal.user_id, name=name, prefix=prefix, key_hash=digest(key),
        scopes=clean, created_at=now,
        expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None))
    ctx.audit(principal, "apikey.created", "apikey", row.id,
              {"name": name, "scopes": clean, "prefix": f"{KEY_PREFIX}{prefix}",
               "expires_at": row.expires_at.isoformat() if row.expires_at else None})
    return info(row), key


def list_keys(ctx: AuthContext, principal: Principal, *, all_users: bool = False
              ) -> list[ApiKeyInfo]:
    """The caller's keys; every user's with ``all_users`` (needs ``user:manage``)."""
    authorize(principal, "apikey:manage")
    if all_users:
        authorize(principal, "user:manage")
        return [info(r) for r in ctx.store.tokens.list_api_keys()]
    return [info(r) for r in ctx.store.tokens.list_api_keys(principal.user_id)]


def revoke(ctx: AuthContext, principal: Principal, key_id: str) -> ApiKeyInfo:
    """Revokes a key of the caller (admins: anyone's). It stops working at once."""
    authorize(principal, "apikey:manage")
    row = ctx.store.tokens.get_api_key(key_id)
    if row.user_id != principal.user_id and not can(principal, "user:manage"):
        raise NotFoundError(f"No API key with id {key_id!r}.")
    row = ctx.store.tokens.revoke_api_key(key_id, ctx.now())
    ctx.audit(principal, "apikey.revoked", "apikey", key_id, {"owner": row.user_id})
    return info(row)


def principal_from_api_key(ctx: AuthContext, key: str, *, ip: str | None = None) -> Principal:
    """The principal of a presented API key.

    Raises:
        AuthenticationError: malformed, unknown, revoked or expired key, or disabled user.
    """
    m = _KEY_RE.match((key or "").strip())
    if m is None:
        raise AuthenticationError("Invalid API key: expected 'aura_<prefix>_<secret>' as "
                                  "given when the key was created.",
                                  details={"reason": "malformed"})
    row = ctx.store.tokens.api_key_by_prefix(m.group(1))
    if row is None or not digest_matches(key.strip(), row.key_hash):
        raise AuthenticationError("Invalid API key.", details={"reason": "unknown"})
    now = ctx.now()
    if row.revoked_at is not None:
        raise AuthenticationError(f"API key '{row.name}' was revoked; create a new one.",
                                  details={"reason": "revoked"})
    if row.expires_at is not None and row.expires_at <= now:
        raise AuthenticationError(f"API key '{row.name}' expired on "
                                  f"{row.expires_at:%Y-%m-%d}; create a new one.",
                                  details={"reason": "expired"})
    user = ctx.store.users.find(row.user_id)
    if user is None or user.disabled:
        raise AuthenticationError("The account of this API key is disabled.",
                                  details={"reason": "disabled"})
    principal = principal_for_user(ctx, user, scopes=list(row.scopes), api_key_id=row.id)
    if ctx.store.tokens.touch_api_key(row.id, now, TOUCH_INTERVAL):
        ctx.audit(principal, "apikey.used", "apikey", row.id, {"name": row.name}, ip)
    return principal
