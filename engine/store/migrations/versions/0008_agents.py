"""Agents: ``agent`` and its ``agent_version``s (like workflows), ``agent_step`` (every
step of an agent run, its checkpoint), ``approval`` (human-in-the-loop requests),
``usage_entry`` (the token and cost ledger); ``execution.kind`` (``workflow`` or
``agent``) and ``execution.agent_id``.

Written with plain SQLAlchemy types (no application imports), like 0001.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = sa.DateTime(timezone=True)


def _json() -> sa.JSON:
    return sa.JSON(none_as_null=True)


def upgrade() -> None:
    with op.batch_alter_table("execution") as batch:
        batch.add_column(
            sa.Column("kind", sa.String(16), nullable=False, server_default="workflow")
        )
        batch.add_column(sa.Column("agent_id", sa.String(32), nullable=True))
    op.create_index("ix_execution_agent_id", "execution", ["agent_id"])
    op.create_table(
        "agent",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.String(), nullable=False),
        sa.Column("project_id", sa.String(32), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("current_version_id", sa.String(32), nullable=True),
        sa.Column("version_counter", sa.Integer(), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_agent"),
    )
    op.create_index("ix_agent_name", "agent", ["name"])
    op.create_index("ix_agent_project_id", "agent", ["project_id"])
    op.create_table(
        "agent_version",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("agent_id", sa.String(32), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("definition", _json(), nullable=False),
        sa.Column("checksum", sa.String(64), nullable=False),
        sa.Column("message", sa.String(), nullable=False),
        sa.Column("author_id", sa.String(32), nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agent.id"], ondelete="CASCADE", name="fk_agent_version_agent_id_agent"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_agent_version"),
        sa.UniqueConstraint("agent_id", "number", name="uq_agent_version_agent_id_number"),
    )
    op.create_index("ix_agent_version_agent_id", "agent_version", ["agent_id"])
    op.create_table(
        "agent_step",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("execution_id", sa.String(32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("started_at", _TS, nullable=True),
        sa.Column("finished_at", _TS, nullable=True),
        sa.Column("model", sa.String(200), nullable=False),
        sa.Column("tokens_in", sa.Integer(), nullable=False),
        sa.Column("tokens_out", sa.Integer(), nullable=False),
        sa.Column("cost", sa.Float(), nullable=False),
        sa.Column("input", _json(), nullable=True),
        sa.Column("output", _json(), nullable=True),
        sa.Column("error", _json(), nullable=True),
        sa.ForeignKeyConstraint(
            ["execution_id"],
            ["execution.id"],
            ondelete="CASCADE",
            name="fk_agent_step_execution_id_execution",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_agent_step"),
        sa.UniqueConstraint("execution_id", "position", name="uq_agent_step_execution_id_position"),
    )
    op.create_table(
        "approval",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("execution_id", sa.String(32), nullable=True),
        sa.Column("project_id", sa.String(32), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("subject", _json(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("requested_by", sa.String(32), nullable=True),
        sa.Column("assignee_id", sa.String(32), nullable=True),
        sa.Column("decided_by", sa.String(32), nullable=True),
        sa.Column("comment", sa.String(), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("decided_at", _TS, nullable=True),
        sa.Column("expires_at", _TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_approval"),
    )
    op.create_index("ix_approval_execution_id", "approval", ["execution_id"])
    op.create_index("ix_approval_project_id", "approval", ["project_id"])
    op.create_index("ix_approval_status", "approval", ["status"])
    op.create_table(
        "usage_entry",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("execution_id", sa.String(32), nullable=True),
        sa.Column("step_position", sa.Integer(), nullable=True),
        sa.Column("agent_id", sa.String(32), nullable=True),
        sa.Column("workflow_id", sa.String(32), nullable=True),
        sa.Column("project_id", sa.String(32), nullable=True),
        sa.Column("model", sa.String(200), nullable=False),
        sa.Column("tokens_in", sa.Integer(), nullable=False),
        sa.Column("tokens_out", sa.Integer(), nullable=False),
        sa.Column("cost", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_usage_entry"),
    )
    for column in ("created_at", "execution_id", "agent_id", "workflow_id", "project_id"):
        op.create_index(f"ix_usage_entry_{column}", "usage_entry", [column])


def downgrade() -> None:
    op.drop_table("usage_entry")
    op.drop_table("approval")
    op.drop_table("agent_step")
    op.drop_table("agent_version")
    op.drop_table("agent")
    op.drop_index("ix_execution_agent_id", "execution")
    with op.batch_alter_table("execution") as batch:
        batch.drop_column("agent_id")
        batch.drop_column("kind")
