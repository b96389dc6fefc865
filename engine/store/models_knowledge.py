"""The tables of knowledge bases: a base per project, its documents and their chunks.

They live on the store's one :data:`~engine.store.models.metadata` (``models.py`` imports
this module); Alembic's migrations ``0006`` and ``0007`` (the full-text column) create them.

A chunk keeps its embedding in ``embedding``: a pgvector ``vector`` on PostgreSQL (searched
through an HNSW index per dimension, see :mod:`engine.knowledge.vectors`), float32 bytes
on SQLite (the source from which the sqlite-vec index beside the database is filled).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Dialect, Index, LargeBinary, Text, text
from sqlalchemy.types import TypeDecorator, TypeEngine
from sqlmodel import Field

from engine.store.models import StoreModel, _created, _id
from engine.store.types import JSONValue

__all__ = ["Embedding", "KnowledgeBase", "KnowledgeChunk", "KnowledgeDocument"]


class Embedding(TypeDecorator[bytes]):
    """A vector column: ``vector`` (pgvector) on PostgreSQL, bytes elsewhere. Python
    values are float32 bytes on both (``numpy.frombuffer`` reads them)."""

    impl = LargeBinary
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            from pgvector.sqlalchemy import Vector

            return dialect.type_descriptor(Vector())
        return dialect.type_descriptor(LargeBinary())

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None or dialect.name != "postgresql":
            return value
        import numpy as np

        return np.frombuffer(value, dtype=np.float32)

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if value is None or dialect.name != "postgresql":
            return value
        import numpy as np

        return np.asarray(value, dtype=np.float32).tobytes()


class TextSearchVector(TypeDecorator[str]):
    """A full-text column: ``tsvector`` on PostgreSQL (filled from the chunk's text when it
    is written); unused text elsewhere (SQLite indexes text with FTS5 beside the DB)."""

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import TSVECTOR

            return dialect.type_descriptor(TSVECTOR())
        return dialect.type_descriptor(Text())


class KnowledgeBase(StoreModel, table=True):
    """A knowledge base of a project, with its embedding model and chunking policy."""

    __tablename__ = "knowledge_base"

    id: str = _id()
    project_id: str | None = Field(default=None, max_length=32, index=True)
    name: str = Field(max_length=200)
    description: str = Field(default="", max_length=2000)
    model: str = Field(max_length=200)
    dims: int
    chunking: dict[str, Any] = Field(default_factory=dict, sa_type=JSONValue)
    created_at: datetime = _created()
    updated_at: datetime = _created()


class KnowledgeDocument(StoreModel, table=True):
    """A document added to a knowledge base (its text is in its chunks)."""

    __tablename__ = "knowledge_document"

    id: str = _id()
    kb_id: str = Field(
        foreign_key="knowledge_base.id", ondelete="CASCADE", index=True, max_length=32
    )
    name: str = Field(max_length=500)
    content_type: str = Field(max_length=100)
    content_hash: str = Field(max_length=64)
    chars: int = 0
    chunk_count: int = 0
    meta: dict[str, Any] = Field(default_factory=dict, sa_type=JSONValue)
    created_at: datetime = _created()
    updated_at: datetime = _created()


class KnowledgeChunk(StoreModel, table=True):
    """A piece of a document, where it sits in the document, and its embedding."""

    __tablename__ = "knowledge_chunk"
    __table_args__ = (
        # PostgreSQL only: the HNSW cosine index of the default model's 256 dimensions
        Index(
            "ix_knowledge_chunk_hnsw_256",
            text("(embedding::vector(256)) vector_cosine_ops"),
            postgresql_using="hnsw",
            postgresql_where=text("dims = 256"),
        ).ddl_if(dialect="postgresql"),
        # full-text search over the chunks' tsvector (GIN; on SQLite the column stays empty)
        Index("ix_knowledge_chunk_fts", "fts", postgresql_using="gin"),
    )

    id: str = _id()
    kb_id: str = Field(
        foreign_key="knowledge_base.id", ondelete="CASCADE", index=True, max_length=32
    )
    document_id: str = Field(
        foreign_key="knowledge_document.id", ondelete="CASCADE", index=True, max_length=32
    )
    position: int
    start: int
    end: int
    tokens: int
    text: str = Field(sa_type=Text)
    content_hash: str = Field(max_length=64)
    meta: dict[str, Any] = Field(default_factory=dict, sa_type=JSONValue)
    dims: int
    embedding: bytes | None = Field(default=None, sa_type=Embedding)
    fts: str | None = Field(default=None, sa_type=TextSearchVector)
