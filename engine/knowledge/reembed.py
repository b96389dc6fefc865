"""Re-embedding a knowledge base with another model: every chunk's text is embedded
again, then chunks, the base's model and dimension, and the index change together.

Searches keep using the old model while the new embeddings are computed (they are held
in memory, ``dims * 4`` bytes per chunk); the switch is one transaction, after which
the vector index is rebuilt for the new dimension (sqlite-vec: the base's tables anew;
pgvector: the HNSW index of that dimension). Chunks added while it ran are embedded too
before the switch, so none is left with the old model's vectors.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlmodel import col, func, select, update

from engine.knowledge.bases import EMBED_BATCH, get
from engine.knowledge.embedders import get_embedder
from engine.knowledge.vectors import index_for
from engine.store.models_knowledge import KnowledgeBase, KnowledgeChunk
from engine.store.types import utcnow

__all__ = ["reembed"]

Progress = Callable[[int, int], None]
"""Called with (chunks embedded, chunks in all) after each batch."""


def reembed(store: Any, kb_id: str, model: str, progress: Progress | None = None) -> KnowledgeBase:
    """Re-embeds base ``kb_id`` with ``model`` (see the module); the base as it is then."""
    embedder = get_embedder(model)
    dims = embedder.dims
    with store.db.read() as s:
        total = int(s.exec(select(func.count()).where(KnowledgeChunk.kb_id == kb_id)).one())
    done: dict[str, bytes] = {}

    def sweep() -> None:
        last = ""
        while True:
            with store.db.read() as s:
                ids = s.exec(
                    select(KnowledgeChunk.id, KnowledgeChunk.text)
                    .where(KnowledgeChunk.kb_id == kb_id, col(KnowledgeChunk.id) > last)
                    .order_by(col(KnowledgeChunk.id))
                    .limit(EMBED_BATCH)
                ).all()
            if not ids:
                return
            last = ids[-1][0]
            todo = [(cid, text) for cid, text in ids if cid not in done]
            if todo:
                vectors = embedder.embed([t for _, t in todo])
                done.update({cid: vectors[i].tobytes() for i, (cid, _) in enumerate(todo)})
                if progress is not None:
                    progress(len(done), max(total, len(done)))

    sweep()  # the long part: searches still use the old model meanwhile
    sweep()  # chunks added meanwhile
    get(store, kb_id)  # still there?
    with store.db.write() as s:
        rows = s.exec(
            select(KnowledgeChunk.id, KnowledgeChunk.text).where(KnowledgeChunk.kb_id == kb_id)
        ).all()
        late = [(cid, text) for cid, text in rows if cid not in done]  # added this instant
        if late:
            vectors = embedder.embed([t for _, t in late])
            done.update({cid: vectors[i].tobytes() for i, (cid, _) in enumerate(late)})
        for cid, _ in rows:
            s.exec(
                update(KnowledgeChunk)
                .where(col(KnowledgeChunk.id) == cid)
                .values(embedding=done[cid], dims=dims)
            )
        s.exec(
            update(KnowledgeBase)
            .where(col(KnowledgeBase.id) == kb_id)
            .values(model=embedder.name, dims=dims, updated_at=utcnow())
        )
    from engine.knowledge.bases import reindex

    index = index_for(store)
    index.drop(kb_id)
    kb = get(store, kb_id)
    reindex(store, kb)
    return kb
