"""Reading a document's chunks as they are stored: position, text, where the text sits in
the document, token count and metadata (what the studio's chunk view and the API list).
No authorization here: :mod:`engine.services.knowledge` checks who may read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import col, func, select

from engine.errors import NotFoundError
from engine.store.models_knowledge import KnowledgeChunk, KnowledgeDocument

__all__ = ["ChunkPage", "document", "document_chunks"]


@dataclass(frozen=True)
class ChunkPage:
    """Part of a document's chunks, in their order, and how many it has in all."""

    total: int
    items: list[dict[str, Any]]


def document(store: Any, kb_id: str, document_id: str) -> KnowledgeDocument:
    """The document ``document_id`` of base ``kb_id``; NotFoundError otherwise."""
    with store.db.read() as s:
        doc: KnowledgeDocument | None = s.get(KnowledgeDocument, document_id)
    if doc is None or doc.kb_id != kb_id:
        raise NotFoundError(
            f"No document {document_id!r} in this knowledge base; list its documents "
            "to find its id.",
            details={"document_id": document_id},
        )
    return doc


def document_chunks(
    store: Any, kb_id: str, document_id: str, *, offset: int = 0, limit: int = 50
) -> ChunkPage:
    """The chunks of a document from ``offset`` (at most ``limit``), by position."""
    document(store, kb_id, document_id)
    with store.db.read() as s:
        total = s.exec(select(func.count()).where(KnowledgeChunk.document_id == document_id)).one()
        rows = s.exec(
            select(KnowledgeChunk)
            .where(KnowledgeChunk.document_id == document_id)
            .order_by(col(KnowledgeChunk.position))
            .offset(max(0, offset))
            .limit(max(1, min(limit, 500)))
        ).all()
    items = [
        {
            "id": c.id,
            "position": c.position,
            "start": c.start,
            "end": c.end,
            "tokens": c.tokens,
            "text": c.text,
            "heading": (c.meta or {}).get("heading"),
            "meta": {k: v for k, v in (c.meta or {}).items() if k != "heading"},
        }
        for c in rows
    ]
    return ChunkPage(int(total), items)
