"""Knowledge chunks get ``fts``: a stored ``tsvector`` on PostgreSQL (GIN-indexed, filled
from existing chunks here), so full-text ranking reads it instead of parsing every
matching chunk's text; plain text (unused, always empty) on SQLite, which indexes
chunks with FTS5 beside the database.

Written with plain SQLAlchemy types (no application imports), like 0001.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import TSVECTOR

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    with op.batch_alter_table("knowledge_chunk") as batch:
        batch.add_column(sa.Column("fts", TSVECTOR() if pg else sa.Text(), nullable=True))
    if pg:
        op.execute("UPDATE knowledge_chunk SET fts = to_tsvector('english', text)")
        op.execute("DROP INDEX IF EXISTS ix_knowledge_chunk_fts")  # an older expression index
    op.create_index("ix_knowledge_chunk_fts", "knowledge_chunk", ["fts"], postgresql_using="gin")


def downgrade() -> None:
    op.drop_index("ix_knowledge_chunk_fts", "knowledge_chunk")
    with op.batch_alter_table("knowledge_chunk") as batch:
        batch.drop_column("fts")
