"""The tables of accounts and access: users, sessions, API keys, 2FA recovery codes,
invitations, password resets, projects and their members, shares, and the audit log.

They live on the store's one :data:`~engine.store.models.metadata` (``models.py`` imports
this module), so Alembic's migration ``0002`` and these classes are checked together.

Secrets are never stored in the clear: passwords are argon2id hashes, tokens and keys are
sha256 digests (they are random and high-entropy), TOTP secrets are encrypted by the
vault's cipher (the same AES-256-GCM key as credentials, re-encrypted on key rotation).
Users are disabled, never deleted, so the audit log keeps pointing at someone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, LargeBinary, UniqueConstraint
from sqlmodel import Field

from engine.store.models import StoreModel, _created, _id, _when
from engine.store.types import JSONValue, UTCDateTime, utcnow

__all__ = ["ApiKey", "AuditEvent", "Invitation", "PasswordReset", "Project", "ProjectMember",
           "RecoveryCode", "RefreshToken", "ResourceShare", "User"]


def _user_fk(index: bool = True) -> Any:
    return Field(foreign_key="user_account.id", ondelete="CASCADE", index=index,
                 max_length=32)


def _hash() -> Any:
    return Field(max_length=64, unique=True)


class User(StoreModel, table=True):
    """An account. ``role`` is the instance role (owner, admin, editor, viewer)."""

    __tablename__ = "user_account"

    id: str = _id()
    email: str = Field(max_length=320, unique=True)
    name: str = Field(default="", max_length=200)
    password_hash: str | None = Field(default=None, max_length=255)
    role: str = Field(default="editor", max_length=16)
    disabled: bool = Field(default=False)
    totp_secret: bytes | None = Field(default=None, sa_type=LargeBinary)
    totp_enabled: bool = Field(default=False)
    totp_last_step: int | None = Field(default=None)
    totp_failures: int = Field(default=0)
    totp_locked_until: datetime | None = _when()
    tokens_valid_after: datetime | None = _when()
    password_changed_at: datetime | None = _when()
    last_login_at: datetime | None = _when()
    created_at: datetime = _created()
    updated_at: datetime = _created()


class RecoveryCode(StoreModel, table=True):
    """One single-use 2FA recovery code (sha256 of the normalized code)."""

    __tablename__ = "recovery_code"

    id: str = _id()
    user_id: str = _user_fk()
    code_hash: str = Field(max_length=64)
    used_at: datetime | None = _when()


class Invitation(StoreModel, table=True):
    """An invitation to join with ``role``; accepting it creates the user."""

    __tablename__ = "invitation"

    id: str = _id()
    email: str = Field(max_length=320, index=True)
    role: str = Field(max_length=16)
    token_hash: str = _hash()
    invited_by: str | None = Field(default=None, max_length=32)
    created_at: datetime = _created()
    expires_at: datetime = _created()
    accepted_at: datetime | None = _when()
    revoked_at: datetime | None = _when()
    user_id: str | None = Field(default=None, max_length=32)


class PasswordReset(StoreModel, table=True):
    """A single-use, expiring password reset token."""

    __tablename__ = "password_reset"

    id: str = _id()
    user_id: str = _user_fk()
    token_hash: str = _hash()
    created_at: datetime = _created()
    expires_at: datetime = _created()
    used_at: datetime | None = _when()


class RefreshToken(StoreModel, table=True):
    """A refresh token. Each refresh replaces it with a new one of the same ``family_id``;
    presenting a replaced one again revokes the whole family (it was stolen)."""

    __tablename__ = "refresh_token"

    id: str = _id()
    user_id: str = _user_fk()
    family_id: str = Field(max_length=32, index=True)
    token_hash: str = _hash()
    scopes: list[str] = Field(default_factory=list, sa_type=JSONValue)
    created_at: datetime = _created()
    expires_at: datetime = _created()
    used_at: datetime | None = _when()
    revoked_at: datetime | None = _when()


class ApiKey(StoreModel, table=True):
    """A machine key of a user: scoped, optionally expiring, revocable. ``prefix`` is the
    public part shown in lists (``aura_<prefix>_...``)."""

    __tablename__ = "api_key"

    id: str = _id()
    user_id: str = _user_fk()
    name: str = Field(max_length=200)
    prefix: str = Field(max_length=16, unique=True)
    key_hash: str = Field(max_length=64)
    scopes: list[str] = Field(default_factory=list, sa_type=JSONValue)
    created_at: datetime = _created()
    expires_at: datetime | None = _when()
    revoked_at: datetime | None = _when()
    last_used_at: datetime | None = _when()


class Project(StoreModel, table=True):
    """A project owns workflows and credentials. ``kind`` is ``personal`` (one per user,
    ``owner_id`` set) or ``team``."""

    __tablename__ = "project"

    id: str = _id()
    name: str = Field(max_length=200)
    kind: str = Field(default="team", max_length=16)
    owner_id: str | None = Field(default=None, max_length=32, index=True)
    created_at: datetime = _created()


class ProjectMember(StoreModel, table=True):
    """A user's role in a project: ``admin``, ``editor`` or ``viewer``."""

    __tablename__ = "project_member"
    __table_args__ = (UniqueConstraint("project_id", "user_id"),)

    id: str = _id()
    project_id: str = Field(foreign_key="project.id", ondelete="CASCADE", max_length=32)
    user_id: str = _user_fk()
    role: str = Field(max_length=16)
    created_at: datetime = _created()


class ResourceShare(StoreModel, table=True):
    """A workflow or credential of one project shared with another project; members of
    that project get at most ``role`` on it."""

    __tablename__ = "resource_share"
    __table_args__ = (UniqueConstraint("resource_type", "resource_id", "project_id"),)

    id: str = _id()
    resource_type: str = Field(max_length=16)
    resource_id: str = Field(max_length=32)
    project_id: str = Field(foreign_key="project.id", ondelete="CASCADE", index=True,
                            max_length=32)
    role: str = Field(default="editor", max_length=16)
    created_by: str | None = Field(default=None, max_length=32)
    created_at: datetime = _created()


class AuditEvent(StoreModel, table=True):
    """Who did what to which object, when and from where."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_target_type_target_id", "target_type",
                            "target_id"),)

    id: str = _id()
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    actor_id: str | None = Field(default=None, max_length=32, index=True)
    actor_email: str = Field(default="", max_length=320)
    api_key_id: str | None = Field(default=None, max_length=32)
    action: str = Field(max_length=64, index=True)
    target_type: str = Field(default="", max_length=32)
    target_id: str | None = Field(default=None, max_length=64)
    details: dict[str, Any] | None = Field(default=None, sa_type=JSONValue)
    ip: str | None = Field(default=None, max_length=64)
