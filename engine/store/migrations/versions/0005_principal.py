"""Run-time authorization: who each execution acts as (``principal_kind``, and the user
or API key ids), so a worker rebuilds the principal from the row alone.

Existing executions become ``project`` runs (what triggers use: the workflow's project),
and those of stored workflows get their workflow's ``project_id`` where it was missing.

Written with plain SQLAlchemy types (no application imports), like 0001.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("execution") as batch:
        batch.add_column(sa.Column("principal_kind", sa.String(16), nullable=True))
        batch.add_column(sa.Column("principal_user_id", sa.String(32), nullable=True))
        batch.add_column(sa.Column("principal_api_key_id", sa.String(32), nullable=True))
    op.execute("UPDATE execution SET principal_kind = 'project'")
    op.execute(
        "UPDATE execution SET project_id = (SELECT workflow.project_id FROM workflow "
        "WHERE workflow.id = execution.workflow_id) "
        "WHERE project_id IS NULL AND workflow_id IS NOT NULL"
    )
    with op.batch_alter_table("execution") as batch:
        batch.alter_column("principal_kind", existing_type=sa.String(16), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("execution") as batch:
        batch.drop_column("principal_api_key_id")
        batch.drop_column("principal_user_id")
        batch.drop_column("principal_kind")
