"""Users (``store.users``): accounts, their personal projects, 2FA state and recovery codes.

Decisions about *whether* something is allowed live in :mod:`engine.auth`; this module
only reads and writes rows, atomically where races matter (first owner, the TOTP
time-step that may be used once, single-use recovery codes, failure counters).
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, func, select

from engine.errors import ConflictError
from engine.store._repo import Repository, page
from engine.store.models_auth import Project, ProjectMember, RecoveryCode, User
from engine.store.types import utcnow

__all__ = ["UserRepository"]

_HINT = "List users with 'aura user list'."


def normalize_email(email: str) -> str:
    """E-mail addresses compare case-insensitively and without surrounding space."""
    return email.strip().lower()


class UserRepository(Repository):
    """Create, find, list and update users."""

    def create(self, email: str, *, password_hash: str | None, role: str, name: str = "",
               only_if_no_owner: bool = False) -> User:
        """Creates a user and their personal project (they are its admin), atomically.

        Args:
            only_if_no_owner: refuse (ConflictError) when an owner exists already; checked
                inside the same write transaction, so two first-run set-ups cannot both win.
        """
        email = normalize_email(email)
        now = utcnow()
        user = User(email=email, name=name, password_hash=password_hash, role=role,
                    created_at=now, updated_at=now, password_changed_at=now)
        try:
            with self._db.write() as s:
                if only_if_no_owner and s.exec(select(User.id).where(
                        col(User.role) == "owner").limit(1)).first():
                    raise ConflictError("This instance already has an owner; sign in, or "
                                        "ask the owner for an invitation.")
                if s.exec(select(User.id).where(col(User.email) == email)).first():
                    raise ConflictError(f"A user with e-mail {email} exists already.")
                s.add(user)
                s.flush()
                label = f"{name or email} (personal)"
                project = Project(name=label[:200], kind="personal", owner_id=user.id,
                                  created_at=now)
                s.add(project)
                s.flush()
                s.add(ProjectMember(project_id=project.id, user_id=user.id, role="admin",
                                    created_at=now))
        except IntegrityError:
            raise ConflictError(f"A user with e-mail {email} exists already.") from None
        return user

    def get(self, id: str) -> User:
        """The user with ``id``; NotFoundError otherwise."""
        with self._db.read() as s:
            return self._require(s, User, id, "user", _HINT)

    def find(self, id: str) -> User | None:
        with self._db.read() as s:
            return s.get(User, id)

    def by_email(self, email: str) -> User | None:
        """The user with this e-mail address (any case), or None."""
        with self._db.read() as s:
            return s.exec(select(User).where(col(User.email) == normalize_email(email))
                          ).first()

    def has_role(self, role: str) -> bool:
        """True when some enabled user has ``role`` (e.g. an owner exists)."""
        with self._db.read() as s:
            return s.exec(select(User.id).where(col(User.role) == role).limit(1)
                          ).first() is not None

    def count(self) -> int:
        with self._db.read() as s:
            return int(s.exec(select(func.count()).select_from(User)).one())

    def list(self, *, limit: int = 100, offset: int = 0, search: str | None = None,
             include_disabled: bool = True) -> builtins.list[User]:
        """Users by e-mail."""
        limit, offset = page(limit, offset)
        stmt = select(User)
        if search:
            like = f"%{search.strip().lower()}%"
            stmt = stmt.where(or_(col(User.email).like(like), func.lower(User.name).like(like)))
        if not include_disabled:
            stmt = stmt.where(col(User.disabled).is_(False))
        with self._db.read() as s:
            return builtins.list(s.exec(stmt.order_by(col(User.email)).limit(limit)
                                        .offset(offset)).all())

    def update(self, id: str, **fields: Any) -> User:
        """Sets columns of a user (``updated_at`` too); returns the new row."""
        with self._db.write() as s:
            user = self._require(s, User, id, "user", _HINT)
            for k, v in fields.items():
                if not hasattr(User, k):
                    raise AttributeError(k)
                setattr(user, k, v)
            user.updated_at = utcnow()
            s.add(user)
            return user

    def personal_project_id(self, user_id: str) -> str | None:
        with self._db.read() as s:
            return s.exec(select(Project.id).where(col(Project.owner_id) == user_id,
                                                   col(Project.kind) == "personal")).first()

    # -- two-factor -----------------------------------------------------------------------
    def claim_totp_step(self, user_id: str, step: int) -> bool:
        """Records ``step`` as used; False when it (or a later one) was used already, so a
        code cannot be replayed, even by two requests at once."""
        stmt = (update(User).where(col(User.id) == user_id)
                .where(or_(col(User.totp_last_step).is_(None), col(User.totp_last_step) < step))
                .values(totp_last_step=step, totp_failures=0, totp_locked_until=None))
        with self._db.write() as s:
            return bool(s.exec(stmt).rowcount)

    def totp_failed(self, user_id: str, max_failures: int, lock_until: datetime) -> int:
        """Counts one wrong 2FA code; locks 2FA until ``lock_until`` at ``max_failures``.
        Returns the failure count."""
        with self._db.write() as s:
            user = self._require(s, User, user_id, "user")
            user.totp_failures += 1
            if user.totp_failures >= max_failures:
                user.totp_locked_until = lock_until
                user.totp_failures = 0
                count = max_failures
            else:
                count = user.totp_failures
            s.add(user)
            return count

    def replace_recovery_codes(self, user_id: str, hashes: Iterable[str]) -> None:
        """Deletes a user's recovery codes and stores new ones (sha256 hex digests)."""
        from sqlmodel import delete

        with self._db.write() as s:
            s.exec(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user_id))
            for h in hashes:
                s.add(RecoveryCode(user_id=user_id, code_hash=h))

    def use_recovery_code(self, user_id: str, code_hash: str) -> bool:
        """Marks a matching unused code as used; False when there is none."""
        stmt = (update(RecoveryCode).where(col(RecoveryCode.user_id) == user_id,
                                           col(RecoveryCode.code_hash) == code_hash,
                                           col(RecoveryCode.used_at).is_(None))
                .values(used_at=utcnow()))
        with self._db.write() as s:
            return bool(s.exec(stmt).rowcount)

    def recovery_codes_left(self, user_id: str) -> int:
        with self._db.read() as s:
            return int(s.exec(select(func.count()).select_from(RecoveryCode).where(
                col(RecoveryCode.user_id) == user_id, col(RecoveryCode.used_at).is_(None))
            ).one())

