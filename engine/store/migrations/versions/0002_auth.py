"""Accounts and access: users, recovery codes, invitations, password resets, refresh
tokens, API keys, projects and members, resource shares, audit events.

Written with plain SQLAlchemy types (no application imports), like 0001.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("audit_event", "resource_share", "project_member", "project", "api_key",
          "refresh_token", "password_reset", "invitation", "recovery_code", "user_account")


def _id(name: str = "id", nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.String(32), nullable=nullable)


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _json(name: str, nullable: bool) -> sa.Column:
    return sa.Column(name, sa.JSON(none_as_null=True), nullable=nullable)


def _str(name: str, length: int | None = None, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.String(length), nullable=nullable)


def _bool(name: str) -> sa.Column:
    return sa.Column(name, sa.Boolean(), nullable=False)


def _user_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE",
                                   name=op.f(f"fk_{table}_user_id_user_account"))


def _pk(table: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}"))


def _uq(table: str, *cols: str) -> sa.UniqueConstraint:
    return sa.UniqueConstraint(*cols, name=op.f(f"uq_{table}_{'_'.join(cols)}"))


def _ix(table: str, *cols: str) -> None:
    op.create_index(op.f(f"ix_{table}_{'_'.join(cols)}"), table, list(cols))


def upgrade() -> None:
    op.create_table(
        "user_account",
        _id(), _str("email", 320), _str("name", 200), _str("password_hash", 255, True),
        _str("role", 16), _bool("disabled"),
        sa.Column("totp_secret", sa.LargeBinary(), nullable=True),
        _bool("totp_enabled"),
        sa.Column("totp_last_step", sa.Integer(), nullable=True),
        sa.Column("totp_failures", sa.Integer(), nullable=False),
        _ts("totp_locked_until", True), _ts("tokens_valid_after", True),
        _ts("password_changed_at", True), _ts("last_login_at", True),
        _ts("created_at"), _ts("updated_at"),
        _pk("user_account"), _uq("user_account", "email"),
    )
    op.create_table(
        "recovery_code",
        _id(), _id("user_id"), _str("code_hash", 64), _ts("used_at", True),
        _user_fk("recovery_code"), _pk("recovery_code"),
    )
    _ix("recovery_code", "user_id")
    op.create_table(
        "invitation",
        _id(), _str("email", 320), _str("role", 16), _str("token_hash", 64),
        _id("invited_by", True), _ts("created_at"), _ts("expires_at"),
        _ts("accepted_at", True), _ts("revoked_at", True), _id("user_id", True),
        _pk("invitation"), _uq("invitation", "token_hash"),
    )
    _ix("invitation", "email")
    op.create_table(
        "password_reset",
        _id(), _id("user_id"), _str("token_hash", 64), _ts("created_at"), _ts("expires_at"),
        _ts("used_at", True),
        _user_fk("password_reset"), _pk("password_reset"),
        _uq("password_reset", "token_hash"),
    )
    _ix("password_reset", "user_id")
    op.create_table(
        "refresh_token",
        _id(), _id("user_id"), _id("family_id"), _str("token_hash", 64),
        _json("scopes", nullable=False), _ts("created_at"), _ts("expires_at"),
        _ts("used_at", True), _ts("revoked_at", True),
        _user_fk("refresh_token"), _pk("refresh_token"), _uq("refresh_token", "token_hash"),
    )
    _ix("refresh_token", "family_id")
    _ix("refresh_token", "user_id")
    op.create_table(
        "api_key",
        _id(), _id("user_id"), _str("name", 200), _str("prefix", 16), _str("key_hash", 64),
        _json("scopes", nullable=False), _ts("created_at"), _ts("expires_at", True),
        _ts("revoked_at", True), _ts("last_used_at", True),
        _user_fk("api_key"), _pk("api_key"), _uq("api_key", "prefix"),
    )
    _ix("api_key", "user_id")
    op.create_table(
        "project",
        _id(), _str("name", 200), _str("kind", 16), _id("owner_id", True),
        _ts("created_at"), _pk("project"),
    )
    _ix("project", "owner_id")
    op.create_table(
        "project_member",
        _id(), _id("project_id"), _id("user_id"), _str("role", 16), _ts("created_at"),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], ondelete="CASCADE",
                                name=op.f("fk_project_member_project_id_project")),
        _user_fk("project_member"), _pk("project_member"),
        _uq("project_member", "project_id", "user_id"),
    )
    _ix("project_member", "user_id")
    op.create_table(
        "resource_share",
        _id(), _str("resource_type", 16), _id("resource_id"), _id("project_id"),
        _str("role", 16), _id("created_by", True), _ts("created_at"),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], ondelete="CASCADE",
                                name=op.f("fk_resource_share_project_id_project")),
        _pk("resource_share"),
        _uq("resource_share", "resource_type", "resource_id", "project_id"),
    )
    _ix("resource_share", "project_id")
    op.create_table(
        "audit_event",
        _id(), _ts("at"), _id("actor_id", True), _str("actor_email", 320),
        _id("api_key_id", True), _str("action", 64), _str("target_type", 32),
        _str("target_id", 64, True), _json("details", nullable=True), _str("ip", 64, True),
        _pk("audit_event"),
    )
    _ix("audit_event", "at")
    _ix("audit_event", "actor_id")
    _ix("audit_event", "action")
    op.create_index("ix_audit_event_target_type_target_id", "audit_event",
                    ["target_type", "target_id"])


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table)
