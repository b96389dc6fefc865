"""Searching a knowledge base: by meaning (vectors), by words (full text), or both
(hybrid: reciprocal-rank fusion of the two rankings).

Scores: ``vector`` — cosine similarity (-1 to 1); ``text`` — the store's full-text rank
(bm25 on SQLite, ``ts_rank_cd`` on PostgreSQL; higher is better, not comparable across
stores); ``hybrid`` — the fused RRF score ``sum(1 / (60 + rank))``. Every hit says which
searches found it (``matched``) and its cosine similarity when the vector search did.
``min_score`` leaves out chunks whose cosine similarity is below it (the vector search's
side; full-text matches have no similarity to compare).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import col, select

from engine.errors import ValidationError
from engine.knowledge.bases import check_width, reindex
from engine.knowledge.embedders import get_embedder
from engine.knowledge.filters import EXACT_LIMIT, matching_chunks, normalise, rank_exact
from engine.knowledge.rerank import get_reranker
from engine.knowledge.vectors import index_for
from engine.store.models_knowledge import KnowledgeBase, KnowledgeChunk, KnowledgeDocument

__all__ = ["MODES", "Hit", "search"]

MODES = ("vector", "text", "hybrid")
RRF_K = 60


@dataclass(frozen=True)
class Hit:
    """A search result: the chunk, its score, where it comes from, what matched it."""

    chunk_id: str
    document_id: str
    document: str
    score: float
    text: str
    start: int
    end: int
    position: int
    heading: str | None
    matched: list[str] = field(default_factory=list)
    similarity: float | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    rerank_score: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "chunk_id": self.chunk_id,
            "document_id": self.document_id,
            "document": self.document,
            "score": round(self.score, 6),
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "position": self.position,
            "heading": self.heading,
            "matched": list(self.matched),
            "similarity": None if self.similarity is None else round(self.similarity, 6),
            "meta": dict(self.meta),
            "rerank_score": self.rerank_score,
        }


def _vector(
    store: Any, kb: KnowledgeBase, query: str, k: int, allowed: set[str] | None = None
) -> list[tuple[str, float]]:
    vectors = get_embedder(kb.model).embed([query])
    check_width(vectors, kb)
    embedded = vectors[0]
    if allowed is not None and len(allowed) <= EXACT_LIMIT:
        return rank_exact(store, kb.id, allowed, embedded, k)
    vector = embedded.tobytes()
    index = index_for(store)
    want = k if allowed is None else min(max(20 * k, 200), 10_000)
    found = index.search(kb.id, kb.dims, vector, want)
    if not found and index.count(kb.id) == 0 and reindex(store, kb):
        found = index.search(kb.id, kb.dims, vector, want)
    return found if allowed is None else [h for h in found if h[0] in allowed][:k]


def _fuse(rankings: dict[str, list[tuple[str, float]]]) -> list[tuple[str, float]]:
    scores: dict[str, float] = {}
    for ranking in rankings.values():
        for rank, (cid, _) in enumerate(ranking, 1):
            scores[cid] = scores.get(cid, 0.0) + 1.0 / (RRF_K + rank)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


def search(
    store: Any,
    kb: KnowledgeBase,
    query: str,
    *,
    k: int = 5,
    min_score: float | None = None,
    mode: str = "vector",
    filters: dict[str, Any] | None = None,
    rerank: str | None = None,
) -> list[Hit]:
    """The ``k`` best chunks for ``query`` (see the module) among those whose metadata
    matches ``filters`` (see :mod:`engine.knowledge.filters`), best first; with
    ``rerank``, the search's ``4 * k`` best reordered by that re-ranker
    (:mod:`engine.knowledge.rerank`)."""
    query = (query or "").strip()
    if not query:
        raise ValidationError("Type a question or some words to search for.")
    if not 1 <= k <= 100:
        raise ValidationError("Ask for 1 to 100 results (k).", details={"k": k})
    if mode not in MODES:
        raise ValidationError(
            f"Unknown search mode {mode!r}; use one of {', '.join(MODES)}.", details={"mode": mode}
        )
    reranker = get_reranker(rerank) if rerank else None
    want_k, k = k, (min(max(4 * k, 20), 100) if rerank else k)
    wanted = normalise(filters)
    allowed = matching_chunks(store, kb.id, wanted) if wanted else None
    if allowed is not None and not allowed:
        return []
    pool = k if mode == "vector" else max(4 * k, 20)
    rankings: dict[str, list[tuple[str, float]]] = {}
    if mode in ("vector", "hybrid"):
        rankings["vector"] = _vector(store, kb, query, pool, allowed)
        if min_score is not None:
            rankings["vector"] = [(c, s) for c, s in rankings["vector"] if s >= min_score]
    if mode in ("text", "hybrid"):
        if allowed is None:
            rankings["text"] = index_for(store).text_search(kb.id, query, pool)
        else:  # the index ranks the whole base: ask for more, keep the matching ones
            more = index_for(store).text_search(kb.id, query, min(max(20 * pool, 200), 10_000))
            rankings["text"] = [h for h in more if h[0] in allowed][:pool]
    found = rankings[mode] if mode != "hybrid" else _fuse(rankings)
    found = found[:k]
    if not found:
        return []
    similarity = dict(rankings.get("vector", []))
    with store.db.read() as s:
        rows = {
            c.id: c
            for c in s.exec(
                select(KnowledgeChunk).where(col(KnowledgeChunk.id).in_([c for c, _ in found]))
            ).all()
        }
        names = dict(
            s.exec(
                select(KnowledgeDocument.id, KnowledgeDocument.name).where(
                    col(KnowledgeDocument.id).in_({r.document_id for r in rows.values()})
                )
            ).all()
        )
    out = []
    for cid, score in found:
        r = rows.get(cid)
        if r is None:
            continue
        matched = [m for m in ("vector", "text") if cid in dict(rankings.get(m, []))]
        out.append(
            Hit(
                cid,
                r.document_id,
                names.get(r.document_id, ""),
                score,
                r.text,
                r.start,
                r.end,
                r.position,
                r.meta.get("heading"),
                matched,
                similarity.get(cid),
                {k: v for k, v in (r.meta or {}).items() if k != "heading"},
            )
        )
    return reranker(query, out)[:want_k] if reranker is not None else out
