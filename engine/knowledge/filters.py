"""Metadata filters for knowledge searches: which chunks a search may return.

A filter is ``{field: value}`` (the chunk's metadata equals ``value``) or
``{field: [v1, v2]}`` (equals any of them); several fields must all match. Chunk metadata
holds the document's metadata given when it was added, the chunk's ``heading``, and for
CSV/JSON documents the record's fields and ``record`` number; ``document`` filters by
document name. Numbers match numbers written as text too (``"3"`` matches ``3``), as CSV
fields are text.

Searching with a filter is exact, not "the best k, then filtered": the matching chunks
are found first, and the vector search ranks their stored embeddings directly when there
are at most :data:`EXACT_LIMIT` of them (beyond that, the index is asked for many more
hits than ``k`` and the matching ones kept).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlmodel import select

from engine.errors import ValidationError
from engine.store.models_knowledge import KnowledgeChunk, KnowledgeDocument

if TYPE_CHECKING:
    import numpy as np

__all__ = ["EXACT_LIMIT", "matching_chunks", "normalise", "rank_exact"]

EXACT_LIMIT = 50_000
MAX_FIELDS = 20


def normalise(filters: dict[str, Any] | None) -> dict[str, list[Any]]:
    """The filter as ``{field: [accepted values]}``.

    Raises:
        ValidationError: not an object of scalar values or lists of them.
    """
    if not filters:
        return {}
    if not isinstance(filters, dict) or len(filters) > MAX_FIELDS:
        raise ValidationError(
            f"A filter is an object of at most {MAX_FIELDS} fields, for example "
            '{"category": "billing"} or {"year": [2025, 2026]}.',
            details={"filters": filters},
        )
    out: dict[str, list[Any]] = {}
    for key, value in filters.items():
        values = value if isinstance(value, list) else [value]
        if not values or not all(isinstance(v, str | int | float | bool) for v in values):
            raise ValidationError(
                f"Filter field {key!r}: give a text, number or true/false, or a list of them.",
                details={"field": key, "value": value},
            )
        out[str(key)] = values
    return out


def _same(have: Any, want: Any) -> bool:
    if isinstance(have, bool) or isinstance(want, bool):
        return have is want or str(have).lower() == str(want).lower()
    if have == want:
        return True
    try:
        return float(have) == float(want)
    except (TypeError, ValueError):
        return False


def _matches(meta: dict[str, Any], document: str, wanted: dict[str, list[Any]]) -> bool:
    for key, values in wanted.items():
        have = document if key == "document" else meta.get(key)
        if have is None or not any(_same(have, v) for v in values):
            return False
    return True


def matching_chunks(store: Any, kb_id: str, wanted: dict[str, list[Any]]) -> set[str]:
    """The ids of ``kb_id``'s chunks whose metadata matches ``wanted``."""
    with store.db.read() as s:
        names = dict(
            s.exec(
                select(KnowledgeDocument.id, KnowledgeDocument.name).where(
                    KnowledgeDocument.kb_id == kb_id
                )
            ).all()
        )
        rows = s.exec(
            select(KnowledgeChunk.id, KnowledgeChunk.document_id, KnowledgeChunk.meta).where(
                KnowledgeChunk.kb_id == kb_id
            )
        ).all()
    return {cid for cid, did, meta in rows if _matches(meta or {}, names.get(did, ""), wanted)}


def rank_exact(
    store: Any, kb_id: str, ids: set[str], vector: np.ndarray, k: int
) -> list[tuple[str, float]]:
    """The ``k`` chunks among ``ids`` (of ``kb_id``) nearest to ``vector`` by cosine
    similarity, from the embeddings stored with them."""
    import numpy as np  # here: a process that never ranks vectors never loads numpy

    if not ids:
        return []
    with store.db.read() as s:
        rows = s.exec(
            select(KnowledgeChunk.id, KnowledgeChunk.embedding).where(KnowledgeChunk.kb_id == kb_id)
        ).all()
    rows = [(cid, emb) for cid, emb in rows if emb and cid in ids]
    if not rows:
        return []
    matrix = np.stack([np.frombuffer(emb, dtype=np.float32) for _, emb in rows])
    norms = np.linalg.norm(matrix, axis=1) * (float(np.linalg.norm(vector)) or 1.0)
    sims = matrix @ vector.astype(np.float32) / np.where(norms == 0, 1.0, norms)
    best = np.argsort(-sims)[:k]
    return [(rows[i][0], float(sims[i])) for i in best]
