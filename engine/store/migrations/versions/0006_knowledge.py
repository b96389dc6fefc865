"""Knowledge bases: ``knowledge_base``, ``knowledge_document``, ``knowledge_chunk``.

On PostgreSQL the chunk's ``embedding`` is a pgvector ``vector`` (the extension is
created if missing) with an HNSW cosine index for 256 dimensions (the default offline
model's); indexes for other dimensions are created when a knowledge base needs them
(:mod:`engine.knowledge.vectors`). On SQLite it holds float32 bytes.

Written with plain SQLAlchemy types (no application imports), like 0001.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = sa.DateTime(timezone=True)


def _embedding_type() -> sa.types.TypeEngine:  # type: ignore[type-arg]
    if op.get_bind().dialect.name == "postgresql":
        from pgvector.sqlalchemy import Vector

        return Vector()
    return sa.LargeBinary()


def upgrade() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    if pg:
        op.execute("CREATE EXTENSION IF NOT EXISTS vector")
    op.create_table(
        "knowledge_base",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("project_id", sa.String(32), nullable=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.String(2000), nullable=False),
        sa.Column("model", sa.String(200), nullable=False),
        sa.Column("dims", sa.Integer(), nullable=False),
        sa.Column("chunking", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_knowledge_base"),
    )
    op.create_index("ix_knowledge_base_project_id", "knowledge_base", ["project_id"])
    op.create_table(
        "knowledge_document",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("kb_id", sa.String(32), nullable=False),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("chars", sa.Integer(), nullable=False),
        sa.Column("chunk_count", sa.Integer(), nullable=False),
        sa.Column("meta", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["kb_id"],
            ["knowledge_base.id"],
            ondelete="CASCADE",
            name="fk_knowledge_document_kb_id_knowledge_base",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_knowledge_document"),
    )
    op.create_index("ix_knowledge_document_kb_id", "knowledge_document", ["kb_id"])
    op.create_table(
        "knowledge_chunk",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("kb_id", sa.String(32), nullable=False),
        sa.Column("document_id", sa.String(32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("tokens", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("meta", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("dims", sa.Integer(), nullable=False),
        sa.Column("embedding", _embedding_type(), nullable=True),
        sa.ForeignKeyConstraint(
            ["kb_id"],
            ["knowledge_base.id"],
            ondelete="CASCADE",
            name="fk_knowledge_chunk_kb_id_knowledge_base",
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["knowledge_document.id"],
            ondelete="CASCADE",
            name="fk_knowledge_chunk_document_id_knowledge_document",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_knowledge_chunk"),
    )
    op.create_index("ix_knowledge_chunk_kb_id", "knowledge_chunk", ["kb_id"])
    op.create_index("ix_knowledge_chunk_document_id", "knowledge_chunk", ["document_id"])
    if pg:
        op.execute(
            "CREATE INDEX ix_knowledge_chunk_hnsw_256 ON knowledge_chunk USING hnsw "
            "((embedding::vector(256)) vector_cosine_ops) WHERE dims = 256"
        )


def downgrade() -> None:
    op.drop_table("knowledge_chunk")
    op.drop_table("knowledge_document")
    op.drop_table("knowledge_base")
