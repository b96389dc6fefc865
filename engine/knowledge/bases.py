"""Knowledge bases on a store: create, list, rename, delete; add documents (load, chunk,
embed, store, index); rebuild a lost index. Searching is :mod:`engine.knowledge.search`.
No authorization here: :mod:`engine.services.knowledge` checks who may do what.

Adding a document under a name the base already holds replaces it when its content
changed (same content: nothing to do); chunks whose text did not change keep their
embeddings (found by the text's sha256), only new text is embedded. A document is
written in one transaction with its chunks and vectors; if indexing fails, its rows are
deleted again, so a failed document leaves no chunks.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from sqlmodel import col, func, select
from sqlmodel import delete as sql_delete

from engine.errors import ConflictError, NotFoundError, ValidationError
from engine.knowledge.chunking import Chunk, ChunkingPolicy, split
from engine.knowledge.embedders import DEFAULT_MODEL, get_embedder
from engine.knowledge.loaders import Loaded, load
from engine.knowledge.vectors import index_for
from engine.store.models_knowledge import KnowledgeBase, KnowledgeChunk, KnowledgeDocument
from engine.store.types import utcnow

__all__ = [
    "Ingested",
    "add_document",
    "check_width",
    "create",
    "delete",
    "delete_document",
    "documents",
    "get",
    "list_bases",
    "named",
    "reindex",
    "rename",
    "vector_count",
]

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
EMBED_BATCH = 64
"""Chunks embedded per call to the model (progress is reported after each batch)."""

ChunkProgress = Callable[[int, int], None]
"""Called with (chunks done, chunks of the document) while a document is embedded."""


@dataclass(frozen=True)
class Ingested:
    """What adding one document did: ``added``, ``replaced`` or ``unchanged``; its
    ``chunks``, and how many of them had to be ``embedded`` (a replaced document's
    unchanged chunks keep their embeddings)."""

    document_id: str
    name: str
    status: str
    chunks: int
    embedded: int = 0


def _name(name: str, what: str = "knowledge base") -> str:
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise ValidationError(f"A {what} needs a name of 1-200 characters.")
    return name


def _taken(store: Any, project_id: str | None, name: str, but: str | None = None) -> None:
    with store.db.read() as s:
        q = select(KnowledgeBase.id).where(
            KnowledgeBase.project_id == project_id, KnowledgeBase.name == name
        )
        found = s.exec(q).first()
    if found is not None and found != but:
        raise ConflictError(
            f"The project already has a knowledge base named {name!r}; choose another name.",
            details={"name": name},
        )


def create(
    store: Any,
    project_id: str | None,
    name: str,
    *,
    model: str = DEFAULT_MODEL,
    chunking: dict[str, Any] | None = None,
    description: str = "",
) -> KnowledgeBase:
    """A new, empty knowledge base of ``project_id``."""
    name = _name(name)
    policy = ChunkingPolicy.from_dict(chunking)
    embedder = get_embedder(model)
    _taken(store, project_id, name)
    kb = KnowledgeBase(
        project_id=project_id,
        name=name,
        description=description[:2000],
        model=embedder.name,
        dims=embedder.dims,
        chunking=policy.to_dict(),
    )
    with store.db.write() as s:
        s.add(kb)
    index_for(store).prepare(kb.id, kb.dims)
    return kb


def get(store: Any, kb_id: str) -> KnowledgeBase:
    """The base ``kb_id``; NotFoundError when there is none."""
    with store.db.read() as s:
        kb: KnowledgeBase | None = s.get(KnowledgeBase, kb_id)
    if kb is None:
        raise NotFoundError(
            f"No knowledge base with id {kb_id!r}. List them with 'aura kb list'.",
            details={"id": kb_id},
        )
    return kb


def named(store: Any, name: str) -> list[KnowledgeBase]:
    """The bases called ``name`` (in any project), oldest first."""
    with store.db.read() as s:
        q = select(KnowledgeBase).where(KnowledgeBase.name == name)
        return list(s.exec(q.order_by(col(KnowledgeBase.created_at))).all())


def list_bases(
    store: Any, project_ids: list[str | None] | None = None
) -> list[tuple[KnowledgeBase, int, int]]:
    """Bases (of ``project_ids``, default all) with their document and chunk counts."""
    with store.db.read() as s:
        q = select(KnowledgeBase).order_by(col(KnowledgeBase.name))
        if project_ids is not None:
            q = q.where(col(KnowledgeBase.project_id).in_(project_ids))
        bases = list(s.exec(q).all())
        docs = dict(
            s.exec(
                select(KnowledgeDocument.kb_id, func.count()).group_by(col(KnowledgeDocument.kb_id))
            ).all()
        )
        chunks = dict(
            s.exec(
                select(KnowledgeChunk.kb_id, func.count()).group_by(col(KnowledgeChunk.kb_id))
            ).all()
        )
    return [(b, int(docs.get(b.id, 0)), int(chunks.get(b.id, 0))) for b in bases]


def rename(store: Any, kb_id: str, name: str) -> KnowledgeBase:
    kb = get(store, kb_id)
    name = _name(name)
    _taken(store, kb.project_id, name, but=kb.id)
    with store.db.write() as s:
        row = s.get(KnowledgeBase, kb_id)
        if row is None:
            raise NotFoundError(f"No knowledge base with id {kb_id!r}.")
        row.name, row.updated_at = name, utcnow()
        s.add(row)
    return get(store, kb_id)


def delete(store: Any, kb_id: str) -> None:
    """Deletes the base, its documents, chunks and vectors."""
    get(store, kb_id)
    index_for(store).drop(kb_id)
    with store.db.write() as s:
        s.exec(sql_delete(KnowledgeChunk).where(col(KnowledgeChunk.kb_id) == kb_id))
        s.exec(sql_delete(KnowledgeDocument).where(col(KnowledgeDocument.kb_id) == kb_id))
        s.exec(sql_delete(KnowledgeBase).where(col(KnowledgeBase.id) == kb_id))


def documents(store: Any, kb_id: str) -> list[KnowledgeDocument]:
    with store.db.read() as s:
        return list(
            s.exec(
                select(KnowledgeDocument)
                .where(KnowledgeDocument.kb_id == kb_id)
                .order_by(col(KnowledgeDocument.name))
            ).all()
        )


def _chunk_ids(store: Any, document_id: str) -> list[str]:
    with store.db.read() as s:
        return list(
            s.exec(select(KnowledgeChunk.id).where(KnowledgeChunk.document_id == document_id)).all()
        )


def delete_document(store: Any, kb_id: str, document_id: str) -> None:
    with store.db.read() as s:
        doc = s.get(KnowledgeDocument, document_id)
    if doc is None or doc.kb_id != kb_id:
        raise NotFoundError(
            f"No document {document_id!r} in this knowledge base.",
            details={"document_id": document_id},
        )
    index_for(store).remove(kb_id, _chunk_ids(store, document_id))
    with store.db.write() as s:
        s.exec(sql_delete(KnowledgeChunk).where(col(KnowledgeChunk.document_id) == document_id))
        s.exec(sql_delete(KnowledgeDocument).where(col(KnowledgeDocument.id) == document_id))


def _old_embeddings(store: Any, document_id: str) -> dict[str, bytes]:
    """The stored embeddings of a document's chunks, by the chunk text's sha256."""
    with store.db.read() as s:
        rows = s.exec(
            select(KnowledgeChunk.content_hash, KnowledgeChunk.embedding).where(
                KnowledgeChunk.document_id == document_id,
                col(KnowledgeChunk.embedding).is_not(None),
            )
        ).all()
    return {h: e for h, e in rows if e is not None}


def _pieces(
    loaded: Loaded, policy: ChunkingPolicy, doc_meta: dict[str, Any]
) -> tuple[list[Chunk], list[dict[str, Any]]]:
    """The chunks of a loaded document and each one's metadata (what searches filter on):
    the document's metadata, the chunk's heading, and for CSV/JSON the record's fields and
    number; a record is chunked on its own, so no chunk mixes two rows."""
    base = {k: v for k, v in doc_meta.items() if isinstance(v, str | int | float | bool)}
    if loaded.records is None:
        pieces = split(loaded.text, policy)
        return pieces, [{**base, **({"heading": p.heading} if p.heading else {})} for p in pieces]
    out: list[Chunk] = []
    metas: list[dict[str, Any]] = []
    offset = 0
    for number, record in enumerate(loaded.records):
        for p in split(record.text, policy):
            out.append(replace(p, start=p.start + offset, end=p.end + offset))
            metas.append({**base, **record.meta, "record": number})
        offset += len(record.text) + 2  # the blank line between records in loaded.text
    return out, metas


def check_width(vectors: Any, kb: KnowledgeBase) -> None:
    """ValidationError unless ``vectors`` have the base's recorded dimension."""
    if vectors.shape[1] != kb.dims:
        raise ValidationError(
            f"The model {kb.model} now answers {vectors.shape[1]}-dimensional vectors, but "
            f"this knowledge base holds {kb.dims}-dimensional ones: choose its model again "
            "to re-embed it.",
            details={"model": kb.model, "dims": kb.dims, "answered": int(vectors.shape[1])},
        )


def _embed(
    kb: KnowledgeBase,
    pieces: list[Chunk],
    hashes: list[str],
    fresh: list[int],
    progress: ChunkProgress | None,
) -> dict[str, bytes]:
    """The embeddings of the ``fresh`` pieces by their hash, in batches (``progress``
    after each)."""
    embedder = get_embedder(kb.model)
    total, reused = len(pieces), len(pieces) - len(fresh)
    out: dict[str, bytes] = {}
    if progress is not None:
        progress(reused, total)
    for at in range(0, len(fresh), EMBED_BATCH):
        batch = fresh[at : at + EMBED_BATCH]
        embedded = embedder.embed([pieces[i].text for i in batch])
        check_width(embedded, kb)
        out.update({hashes[i]: embedded[j].tobytes() for j, i in enumerate(batch)})
        if progress is not None:
            progress(reused + at + len(batch), total)
    return out


def add_document(
    store: Any,
    kb: KnowledgeBase,
    name: str,
    data: bytes | str,
    *,
    content_type: str | None = None,
    meta: dict[str, Any] | None = None,
    progress: ChunkProgress | None = None,
) -> Ingested:
    """Loads, chunks, embeds, stores and indexes one document (see the module);
    ``progress`` hears how many of its chunks are done after each batch embedded."""
    name = _name(name, "document")
    raw = data.encode() if isinstance(data, str) else bytes(data)
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise ValidationError(
            f"{name!r} is larger than {MAX_DOCUMENT_BYTES // 2**20} MB; "
            "split it into smaller documents.",
            details={"document": name},
        )
    digest = hashlib.sha256(raw).hexdigest()
    with store.db.read() as s:
        old = s.exec(
            select(KnowledgeDocument).where(
                KnowledgeDocument.kb_id == kb.id, KnowledgeDocument.name == name
            )
        ).first()
    if old is not None and old.content_hash == digest:
        return Ingested(old.id, name, "unchanged", old.chunk_count, 0)
    loaded = load(name, data, content_type)
    pieces, metas = _pieces(loaded, ChunkingPolicy.from_dict(kb.chunking), meta or {})
    hashes = [hashlib.sha256(p.text.encode()).hexdigest() for p in pieces]
    known = _old_embeddings(store, old.id) if old is not None else {}
    fresh = [i for i, h in enumerate(hashes) if h not in known]
    vectors = dict(known)
    vectors.update(_embed(kb, pieces, hashes, fresh, progress))
    doc = KnowledgeDocument(
        kb_id=kb.id,
        name=name,
        content_type=loaded.content_type,
        content_hash=digest,
        chars=len(loaded.text),
        chunk_count=len(pieces),
        meta={**loaded.meta, **(meta or {})},
    )
    rows = [
        KnowledgeChunk(
            kb_id=kb.id,
            document_id=doc.id,
            position=i,
            start=p.start,
            end=p.end,
            tokens=p.tokens,
            text=p.text,
            content_hash=hashes[i],
            meta=metas[i],
            dims=kb.dims,
            embedding=vectors[hashes[i]],
        )
        for i, p in enumerate(pieces)
    ]
    if store.db.dialect == "postgresql":  # the stored tsvector full-text search reads
        for r in rows:
            r.fts = func.to_tsvector("english", r.text)  # type: ignore[assignment]
    index = index_for(store)
    old_chunks = _chunk_ids(store, old.id) if old is not None else []
    with store.db.write() as s:
        if old is not None:
            s.exec(sql_delete(KnowledgeChunk).where(col(KnowledgeChunk.document_id) == old.id))
            s.exec(sql_delete(KnowledgeDocument).where(col(KnowledgeDocument.id) == old.id))
        s.add(doc)
        s.flush()
        s.add_all(rows)
    try:
        index.remove(kb.id, old_chunks)
        index.add(kb.id, kb.dims, [(r.id, r.embedding or b"", r.text) for r in rows])
    except BaseException:
        index.remove(kb.id, [r.id for r in rows])
        with store.db.write() as s:
            s.exec(sql_delete(KnowledgeChunk).where(col(KnowledgeChunk.document_id) == doc.id))
            s.exec(sql_delete(KnowledgeDocument).where(col(KnowledgeDocument.id) == doc.id))
        raise
    status = "replaced" if old is not None else "added"
    return Ingested(doc.id, name, status, len(rows), len(fresh))


def reindex(store: Any, kb: KnowledgeBase, batch: int = 2000) -> int:
    """Fills the vector index of ``kb`` from the embeddings stored with its chunks (after
    the SQLite index file was lost or deleted); how many vectors it added."""
    index = index_for(store)
    index.prepare(kb.id, kb.dims)
    added, last = 0, ""
    while True:
        with store.db.read() as s:
            rows = s.exec(
                select(KnowledgeChunk.id, KnowledgeChunk.embedding, KnowledgeChunk.text)
                .where(
                    KnowledgeChunk.kb_id == kb.id,
                    col(KnowledgeChunk.id) > last,
                    col(KnowledgeChunk.embedding).is_not(None),
                )
                .order_by(col(KnowledgeChunk.id))
                .limit(batch)
            ).all()
        if not rows:
            return added
        index.add(kb.id, kb.dims, [(cid, emb, txt) for cid, emb, txt in rows])
        added += len(rows)
        last = rows[-1][0]


def vector_count(store: Any, kb_id: str) -> int:
    """How many vectors the store's index holds for ``kb_id`` (0 once it is deleted)."""
    return index_for(store).count(kb_id)
