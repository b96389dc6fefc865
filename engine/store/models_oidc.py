"""The tables of single sign-on: configured identity providers, the identities linking
a provider's subject to a user, and pending logins (state, nonce, PKCE verifier).

They live on the store's one :data:`~engine.store.models.metadata` (``models.py`` imports
this module); Alembic's migration ``0004`` creates them.

A provider's client secret is encrypted by the vault's cipher (AES-256-GCM, the provider
name as associated data); a pending login keeps only the sha256 digests of its state and
of the browser binding, and is deleted when used or after ten minutes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary, UniqueConstraint
from sqlmodel import Field

from engine.store.models import StoreModel, _created, _id, _when
from engine.store.types import JSONValue, UTCDateTime, utcnow

__all__ = ["OidcIdentity", "OidcLogin", "OidcProvider", "provider_secret_aad"]


def provider_secret_aad(name: str) -> bytes:
    """Associated data of a provider's encrypted client secret (the one format: the
    vault's key rotation re-encrypts with it too)."""
    return f"aura/oidc/{name}".encode()


class OidcProvider(StoreModel, table=True):
    """A login provider (OpenID Connect or GitHub OAuth2) configured by an admin."""

    __tablename__ = "oidc_provider"

    name: str = Field(primary_key=True, max_length=64)
    preset: str = Field(max_length=16)
    label: str = Field(default="", max_length=200)
    client_id: str = Field(max_length=500)
    client_secret: bytes | None = Field(default=None, sa_type=LargeBinary)
    issuer: str | None = Field(default=None, max_length=500)
    base_url: str | None = Field(default=None, max_length=500)
    tenant: str | None = Field(default=None, max_length=200)
    scopes: list[str] = Field(default_factory=list, sa_type=JSONValue)
    auto_create: bool = Field(default=False)
    default_role: str = Field(default="viewer", max_length=16)
    enabled: bool = Field(default=True)
    created_at: datetime = _created()
    updated_at: datetime = _created()


class OidcIdentity(StoreModel, table=True):
    """A provider's account (``provider`` + ``subject``) linked to an AURA user."""

    __tablename__ = "oidc_identity"
    __table_args__ = (UniqueConstraint("provider", "subject"),)

    id: str = _id()
    provider: str = Field(max_length=64)
    subject: str = Field(max_length=255)
    user_id: str = Field(foreign_key="user_account.id", ondelete="CASCADE", index=True,
                         max_length=32)
    email: str = Field(default="", max_length=320)
    created_at: datetime = _created()
    last_login_at: datetime | None = _when()


class OidcLogin(StoreModel, table=True):
    """A login started in a browser and not yet come back from the provider."""

    __tablename__ = "oidc_login"

    id: str = _id()
    state_hash: str = Field(max_length=64, unique=True)
    browser_hash: str = Field(max_length=64)
    provider: str = Field(max_length=64)
    nonce: str = Field(max_length=128)
    code_verifier: str = Field(max_length=128)
    next_url: str = Field(default="/", max_length=2000)
    redirect_uri: str = Field(max_length=2000)
    created_at: datetime = _created()
    expires_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
