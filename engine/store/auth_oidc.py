"""Single sign-on rows (``store.oidc``): providers, linked identities, pending logins.

Decisions (who may log in, what links to whom) live in :mod:`engine.auth.oidc`; this
module only reads and writes rows. :meth:`OidcRepository.take_login` is atomic: a pending
login is deleted by the one request that uses it, so a state cannot be used twice.
"""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, delete, select

from engine.errors import ConflictError
from engine.store._repo import Repository
from engine.store.models_oidc import OidcIdentity, OidcLogin, OidcProvider
from engine.store.types import utcnow

__all__ = ["OidcRepository"]


class OidcRepository(Repository):
    """Providers, identities and pending logins of single sign-on."""

    # -- providers --------------------------------------------------------------------------
    def get_provider(self, name: str) -> OidcProvider | None:
        with self._db.read() as s:
            return s.get(OidcProvider, name)

    def list_providers(self) -> builtins.list[OidcProvider]:
        with self._db.read() as s:
            return builtins.list(s.exec(select(OidcProvider).order_by(
                col(OidcProvider.name))).all())

    def save_provider(self, name: str, **fields: Any) -> OidcProvider:
        """Inserts or updates the provider ``name`` with ``fields``."""
        now = utcnow()
        with self._db.write() as s:
            row = s.get(OidcProvider, name)
            if row is None:
                row = OidcProvider(name=name, created_at=now, **fields)
            else:
                for k, v in fields.items():
                    setattr(row, k, v)
            row.updated_at = now
            s.add(row)
            return row

    def delete_provider(self, name: str) -> bool:
        with self._db.write() as s:
            return bool(s.exec(delete(OidcProvider).where(
                col(OidcProvider.name) == name)).rowcount)

    # -- identities -------------------------------------------------------------------------
    def find_identity(self, provider: str, subject: str) -> OidcIdentity | None:
        with self._db.read() as s:
            return s.exec(select(OidcIdentity).where(
                col(OidcIdentity.provider) == provider,
                col(OidcIdentity.subject) == subject)).first()

    def add_identity(self, provider: str, subject: str, user_id: str, email: str,
                     now: datetime) -> OidcIdentity:
        """Links ``provider``/``subject`` to ``user_id``; ConflictError if it is linked."""
        row = OidcIdentity(provider=provider, subject=subject, user_id=user_id,
                           email=email, created_at=now, last_login_at=now)
        try:
            with self._db.write() as s:
                s.add(row)
        except IntegrityError:
            raise ConflictError("This account of the provider is already linked to a "
                                "user.") from None
        return row

    def touch_identity(self, id: str, now: datetime, email: str) -> None:
        with self._db.write() as s:
            row = s.get(OidcIdentity, id)
            if row is not None:
                row.last_login_at = now
                row.email = email or row.email
                s.add(row)

    def identities_of(self, user_id: str) -> builtins.list[OidcIdentity]:
        with self._db.read() as s:
            return builtins.list(s.exec(select(OidcIdentity).where(
                col(OidcIdentity.user_id) == user_id).order_by(
                col(OidcIdentity.created_at))).all())

    def delete_identity(self, id: str, user_id: str) -> OidcIdentity | None:
        """Removes the identity ``id`` of ``user_id``; the removed row, or None."""
        with self._db.write() as s:
            row = s.get(OidcIdentity, id)
            if row is None or row.user_id != user_id:
                return None
            s.delete(row)
            return row

    # -- pending logins ---------------------------------------------------------------------
    def add_login(self, row: OidcLogin) -> OidcLogin:
        """Stores a pending login (and forgets expired ones)."""
        with self._db.write() as s:
            s.exec(delete(OidcLogin).where(col(OidcLogin.expires_at) <= row.created_at))
            s.add(row)
        return row

    def take_login(self, state_hash: str) -> OidcLogin | None:
        """The pending login with this state digest, deleted in the same transaction;
        None when there is none (unknown, or already used)."""
        with self._db.write() as s:
            row = s.exec(select(OidcLogin).where(
                col(OidcLogin.state_hash) == state_hash)).first()
            if row is None:
                return None
            gone = s.exec(delete(OidcLogin).where(col(OidcLogin.id) == row.id)).rowcount
            return row if gone else None
