"""The values the auth API hands out: principals, token pairs, login results, and the
public views of users, invitations, API keys and audit events (never a secret hash)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = ["ApiKeyInfo", "AuditEntry", "InvitationInfo", "LoginResult", "Principal",
           "ProjectInfo", "TokenPair", "TotpEnrolment", "UserInfo"]


@dataclass(frozen=True)
class Principal:
    """Who is calling: a user (by access token) or a user's API key.

    ``role`` is the instance role; ``projects`` maps project id to the caller's role in
    it (``admin``, ``editor``, ``viewer``). A non-empty ``scopes`` restricts the caller to
    those actions (API keys; sessions that must first enrol in 2FA get ``{"self:2fa"}``).
    """

    user_id: str | None
    email: str | None
    role: str
    api_key_id: str | None = None
    scopes: frozenset[str] = frozenset()
    projects: dict[str, str] = field(default_factory=dict, hash=False, compare=False)

    @property
    def restricted(self) -> bool:
        """True when only ``scopes`` are allowed (API key or 2FA-enrolment session)."""
        return bool(self.scopes)


@dataclass(frozen=True)
class TokenPair:
    """What a successful login or refresh returns."""

    access_token: str
    refresh_token: str
    expires_in: int
    token_type: str = "Bearer"  # noqa: S105 (not a secret)
    refresh_expires_in: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"access_token": self.access_token, "refresh_token": self.refresh_token,
                "token_type": self.token_type, "expires_in": self.expires_in,
                "refresh_expires_in": self.refresh_expires_in}


@dataclass(frozen=True)
class LoginResult:
    """Either ``tokens``, or ``needs_2fa`` with a ``challenge_token`` to pass to
    ``verify_2fa`` together with a TOTP or recovery code.

    ``must_enrol_2fa`` is set when the user's role requires 2FA and they have none yet:
    the tokens then only allow enrolling (``start_totp_enrolment``/``confirm_totp``).
    """

    tokens: TokenPair | None
    needs_2fa: bool = False
    challenge_token: str | None = None
    must_enrol_2fa: bool = False


@dataclass(frozen=True)
class UserInfo:
    """A user as shown to admins and to themselves."""

    id: str
    email: str
    name: str
    role: str
    disabled: bool
    totp_enabled: bool
    created_at: datetime
    last_login_at: datetime | None = None
    personal_project_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: (v.isoformat() if isinstance(v, datetime) else v)
                for k, v in self.__dict__.items()}


@dataclass(frozen=True)
class InvitationInfo:
    """An invitation. ``token`` (and ``link``) only when it was just created."""

    id: str
    email: str
    role: str
    expires_at: datetime
    invited_by: str | None
    accepted_at: datetime | None = None
    revoked_at: datetime | None = None
    token: str | None = None
    link: str | None = None


@dataclass(frozen=True)
class ApiKeyInfo:
    """An API key as listed: ``prefix`` identifies it; the key itself is shown once."""

    id: str
    name: str
    prefix: str
    scopes: tuple[str, ...]
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None
    user_id: str

    @property
    def active(self) -> bool:
        from engine.store.types import utcnow

        return self.revoked_at is None and (self.expires_at is None or
                                            self.expires_at > utcnow())


@dataclass(frozen=True)
class TotpEnrolment:
    """What starting 2FA enrolment returns: show ``qr_svg`` (or ``otpauth_uri``)."""

    secret: str
    otpauth_uri: str
    qr_svg: str | None = None


@dataclass(frozen=True)
class ProjectInfo:
    """A project and the caller's role in it (None for instance admins not members)."""

    id: str
    name: str
    kind: str
    owner_id: str | None
    role: str | None = None


@dataclass(frozen=True)
class AuditEntry:
    """One audit log event."""

    id: str
    at: datetime
    actor_id: str | None
    actor_email: str
    api_key_id: str | None
    action: str
    target_type: str
    target_id: str | None
    details: dict[str, Any] | None
    ip: str | None

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "at": self.at.isoformat()}
