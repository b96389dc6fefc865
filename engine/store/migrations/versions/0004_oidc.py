"""Single sign-on: login providers (``oidc_provider``), identities linking a provider's
subject to a user (``oidc_identity``) and pending logins (``oidc_login``).

Written with plain SQLAlchemy types (no application imports), like 0001.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _str(name: str, length: int, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.String(length), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "oidc_provider",
        _str("name", 64), _str("preset", 16), _str("label", 200), _str("client_id", 500),
        sa.Column("client_secret", sa.LargeBinary(), nullable=True),
        _str("issuer", 500, True), _str("base_url", 500, True), _str("tenant", 200, True),
        sa.Column("scopes", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("auto_create", sa.Boolean(), nullable=False),
        _str("default_role", 16), sa.Column("enabled", sa.Boolean(), nullable=False),
        _ts("created_at"), _ts("updated_at"),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_oidc_provider")),
    )
    op.create_table(
        "oidc_identity",
        _str("id", 32), _str("provider", 64), _str("subject", 255), _str("user_id", 32),
        _str("email", 320), _ts("created_at"), _ts("last_login_at", True),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE",
                                name=op.f("fk_oidc_identity_user_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oidc_identity")),
        sa.UniqueConstraint("provider", "subject",
                            name=op.f("uq_oidc_identity_provider_subject")),
    )
    op.create_index(op.f("ix_oidc_identity_user_id"), "oidc_identity", ["user_id"])
    op.create_table(
        "oidc_login",
        _str("id", 32), _str("state_hash", 64), _str("browser_hash", 64),
        _str("provider", 64), _str("nonce", 128), _str("code_verifier", 128),
        _str("next_url", 2000), _str("redirect_uri", 2000), _ts("created_at"),
        _ts("expires_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oidc_login")),
        sa.UniqueConstraint("state_hash", name=op.f("uq_oidc_login_state_hash")),
    )
    op.create_index(op.f("ix_oidc_login_expires_at"), "oidc_login", ["expires_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_oidc_login_expires_at"), table_name="oidc_login")
    op.drop_table("oidc_login")
    op.drop_index(op.f("ix_oidc_identity_user_id"), table_name="oidc_identity")
    op.drop_table("oidc_identity")
    op.drop_table("oidc_provider")
