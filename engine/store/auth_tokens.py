"""Tokens (``store.tokens``): refresh tokens, API keys, invitations and password resets.

Only sha256 digests of tokens are stored. The single-use operations (rotating a refresh
token, consuming a reset token, accepting an invitation) each run in one write
transaction, so two concurrent requests with the same token cannot both succeed.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import or_, update
from sqlmodel import col, delete, select

from engine.errors import NotFoundError
from engine.store._repo import Repository
from engine.store.models_auth import ApiKey, Invitation, PasswordReset, RefreshToken
from engine.store.types import new_id

__all__ = ["RefreshOutcome", "TokenRepository"]

RefreshStatus = Literal["ok", "unknown", "expired", "revoked", "reused"]
_LEEWAY = timedelta(seconds=10)


@dataclass(frozen=True)
class RefreshOutcome:
    """What happened to a presented refresh token; ``new`` is its replacement when ok."""

    status: RefreshStatus
    old: RefreshToken | None = None
    new: RefreshToken | None = None


class TokenRepository(Repository):
    """Refresh tokens, API keys, invitations, password resets."""

    # -- refresh tokens ---------------------------------------------------------------------
    def add_refresh(
        self,
        user_id: str,
        token_hash: str,
        *,
        expires_at: datetime,
        now: datetime,
        scopes: builtins.list[str] | None = None,
        family_id: str | None = None,
    ) -> RefreshToken:
        """Stores a refresh token (a new family unless ``family_id``)."""
        row = RefreshToken(
            user_id=user_id,
            family_id=family_id or new_id(),
            token_hash=token_hash,
            scopes=list(scopes or []),
            created_at=now,
            expires_at=expires_at,
        )
        with self._db.write() as s:
            s.add(row)
        return row

    def rotate_refresh(
        self, token_hash: str, new_hash: str, *, now: datetime, ttl: timedelta
    ) -> RefreshOutcome:
        """Replaces a refresh token by a new one of its family, once.

        A token that was already replaced is a stolen copy (or a replay): the whole family
        is revoked and the outcome is ``reused``. A token older than ``ttl`` (the refresh
        lifetime now configured), or stored to live longer than that, is ``expired``.
        """
        with self._db.write() as s:
            row = s.exec(
                select(RefreshToken).where(col(RefreshToken.token_hash) == token_hash)
            ).first()
            if row is None:
                return RefreshOutcome("unknown")
            if row.revoked_at is not None:
                return RefreshOutcome("revoked", row)
            if row.used_at is not None:
                s.exec(
                    update(RefreshToken)
                    .where(
                        col(RefreshToken.family_id) == row.family_id,
                        col(RefreshToken.revoked_at).is_(None),
                    )
                    .values(revoked_at=now)
                )
                return RefreshOutcome("reused", row)
            if (
                row.expires_at <= now
                or row.expires_at - row.created_at > ttl + _LEEWAY
                or now - row.created_at > ttl + _LEEWAY
            ):
                # past its life, or living longer than refresh tokens now may
                return RefreshOutcome("expired", row)
            row.used_at = now
            s.add(row)
            new = RefreshToken(
                user_id=row.user_id,
                family_id=row.family_id,
                token_hash=new_hash,
                scopes=list(row.scopes),
                created_at=now,
                expires_at=now + ttl,
            )
            s.add(new)
            return RefreshOutcome("ok", row, new)

    def find_refresh(self, token_hash: str) -> RefreshToken | None:
        with self._db.read() as s:
            return s.exec(
                select(RefreshToken).where(col(RefreshToken.token_hash) == token_hash)
            ).first()

    def revoke_family(self, family_id: str, now: datetime) -> int:
        """Revokes every token of a session (logout)."""
        with self._db.write() as s:
            return int(
                s.exec(
                    update(RefreshToken)
                    .where(
                        col(RefreshToken.family_id) == family_id,
                        col(RefreshToken.revoked_at).is_(None),
                    )
                    .values(revoked_at=now)
                ).rowcount
            )

    def revoke_user_sessions(self, user_id: str, now: datetime) -> int:
        """Revokes every refresh token of a user (password change, disable, 2FA reset)."""
        with self._db.write() as s:
            return int(
                s.exec(
                    update(RefreshToken)
                    .where(
                        col(RefreshToken.user_id) == user_id, col(RefreshToken.revoked_at).is_(None)
                    )
                    .values(revoked_at=now)
                ).rowcount
            )

    def session_active(self, family_id: str, now: datetime) -> bool:
        """True while a session has an unrevoked, unexpired refresh token."""
        with self._db.read() as s:
            return (
                s.exec(
                    select(RefreshToken.id)
                    .where(
                        col(RefreshToken.family_id) == family_id,
                        col(RefreshToken.revoked_at).is_(None),
                        col(RefreshToken.expires_at) > now,
                    )
                    .limit(1)
                ).first()
                is not None
            )

    # -- API keys -----------------------------------------------------------------------
    def add_api_key(self, row: ApiKey) -> ApiKey:
        with self._db.write() as s:
            s.add(row)
        return row

    def api_key_by_prefix(self, prefix: str) -> ApiKey | None:
        with self._db.read() as s:
            return s.exec(select(ApiKey).where(col(ApiKey.prefix) == prefix)).first()

    def get_api_key(self, id: str) -> ApiKey:
        with self._db.read() as s:
            return self._require(s, ApiKey, id, "API key")

    def list_api_keys(self, user_id: str | None = None) -> builtins.list[ApiKey]:
        """API keys (of one user), newest first."""
        stmt = select(ApiKey)
        if user_id is not None:
            stmt = stmt.where(col(ApiKey.user_id) == user_id)
        with self._db.read() as s:
            return builtins.list(s.exec(stmt.order_by(col(ApiKey.created_at).desc())).all())

    def revoke_api_key(self, id: str, now: datetime) -> ApiKey:
        with self._db.write() as s:
            row = self._require(s, ApiKey, id, "API key")
            if row.revoked_at is None:
                row.revoked_at = now
                s.add(row)
            return row

    def touch_api_key(self, id: str, now: datetime, min_interval: timedelta) -> bool:
        """Sets ``last_used_at`` unless it was set less than ``min_interval`` ago.
        True when it was updated (callers audit at that rate, not on every request)."""
        stmt = (
            update(ApiKey)
            .where(col(ApiKey.id) == id)
            .where(
                or_(
                    col(ApiKey.last_used_at).is_(None),
                    col(ApiKey.last_used_at) < now - min_interval,
                )
            )
            .values(last_used_at=now)
        )
        with self._db.write() as s:
            return bool(s.exec(stmt).rowcount)

    # -- invitations ----------------------------------------------------------------------
    def add_invitation(self, row: Invitation) -> Invitation:
        with self._db.write() as s:
            s.add(row)
        return row

    def invitation_by_hash(self, token_hash: str) -> Invitation | None:
        with self._db.read() as s:
            return s.exec(
                select(Invitation).where(col(Invitation.token_hash) == token_hash)
            ).first()

    def list_invitations(
        self, *, pending_only: bool = True, now: datetime
    ) -> builtins.list[Invitation]:
        stmt = select(Invitation)
        if pending_only:
            stmt = stmt.where(
                col(Invitation.accepted_at).is_(None),
                col(Invitation.revoked_at).is_(None),
                col(Invitation.expires_at) > now,
            )
        with self._db.read() as s:
            return builtins.list(s.exec(stmt.order_by(col(Invitation.created_at).desc())).all())

    def claim_invitation(self, id: str, now: datetime) -> bool:
        """Marks a pending invitation accepted; False if it was used, revoked or expired."""
        stmt = (
            update(Invitation)
            .where(
                col(Invitation.id) == id,
                col(Invitation.accepted_at).is_(None),
                col(Invitation.revoked_at).is_(None),
                col(Invitation.expires_at) > now,
            )
            .values(accepted_at=now)
        )
        with self._db.write() as s:
            return bool(s.exec(stmt).rowcount)

    def update_invitation(self, id: str, **fields: object) -> Invitation:
        with self._db.write() as s:
            row = self._require(s, Invitation, id, "invitation")
            for k, v in fields.items():
                setattr(row, k, v)
            s.add(row)
            return row

    # -- password resets ------------------------------------------------------------------
    def add_reset(
        self, user_id: str, token_hash: str, *, now: datetime, expires_at: datetime
    ) -> PasswordReset:
        """Stores a reset token; earlier unused ones of the user stop working."""
        row = PasswordReset(
            user_id=user_id, token_hash=token_hash, created_at=now, expires_at=expires_at
        )
        with self._db.write() as s:
            s.exec(
                delete(PasswordReset).where(
                    col(PasswordReset.user_id) == user_id, col(PasswordReset.used_at).is_(None)
                )
            )
            s.add(row)
        return row

    def peek_reset(self, token_hash: str, now: datetime) -> str | None:
        """The user id of a usable reset token (not consuming it), else None."""
        with self._db.read() as s:
            row = s.exec(
                select(PasswordReset).where(col(PasswordReset.token_hash) == token_hash)
            ).first()
        if row is None or row.used_at is not None or row.expires_at <= now:
            return None
        return row.user_id

    def consume_reset(self, token_hash: str, now: datetime) -> str:
        """Uses a reset token once; returns its user id. NotFoundError when the token is
        unknown, used or expired (one message: don't tell which)."""
        with self._db.write() as s:
            row = s.exec(
                select(PasswordReset).where(col(PasswordReset.token_hash) == token_hash)
            ).first()
            if row is None or row.used_at is not None or row.expires_at <= now:
                raise NotFoundError(
                    "This password reset link is invalid, used or expired. Request a new one."
                )
            row.used_at = now
            s.add(row)
            return row.user_id
