"""Metadata filters for knowledge searches: which chunks a search may return.

A filter is ``{field: value}`` (the chunk's metadata equals ``value``),
``{field: [v1, v2]}`` (equals any of them), or a range ``{field: {"$gte": 2, "$lt": 5}}``
(operators ``$gt``, ``$gte``, ``$lt``, ``$lte``; bounds are numbers, or ISO dates such as
``"2026-03-01"`` or ``"2026-03-01T12:00:00Z"``, compared as instants, a date without a
zone read as UTC; a value that is not a number, or not a date, is outside every range);
several fields must all match. Chunk metadata
holds the document's metadata given when it was added, the chunk's ``heading``, and for
CSV/JSON documents the record's fields and ``record`` number; ``document`` filters by
document name. Numbers match numbers written as text too (``"3"`` and ``" 3 "`` match
``3``, and are in ``{"$gte": 3}``), as CSV fields are text; ``true`` matches true and the
texts ``"true"``, ``"TRUE"``, ...; true/false is in no number range. A chunk without the
field, or with null, a list or an object there, matches no value and no range.

Searching with a filter is exact, not "the best k, then filtered": the matching chunks
are found first, and the vector search ranks their stored embeddings directly when there
are at most :data:`EXACT_LIMIT` of them (beyond that, the index is asked for many more
hits than ``k`` and the matching ones kept).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlmodel import col, select

from engine.errors import ValidationError
from engine.knowledge._filter_sql import meta_condition
from engine.knowledge.vectors import PgVectorIndex, index_for
from engine.store.models_knowledge import KnowledgeChunk, KnowledgeDocument

if TYPE_CHECKING:
    import numpy as np

__all__ = ["EXACT_LIMIT", "RANGE_OPS", "Wanted", "matching_chunks", "normalise", "rank_exact"]

EXACT_LIMIT = 50_000
ID_BATCH = 5_000
MAX_FIELDS = 20


RANGE_OPS = ("$gt", "$gte", "$lt", "$lte")
Wanted = dict[str, "list[Any] | dict[str, float | datetime]"]
"""A normalised filter: per field, the accepted values, or a range's bounds."""


def _date(value: Any) -> datetime | None:
    """``value`` as an instant if it is an ISO date or date-time text (else None)."""
    if not isinstance(value, str) or not value[:4].isdigit() or len(value) < 10:
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _bounds(key: str, ops: dict[str, Any]) -> dict[str, float | datetime]:
    unknown = [op for op in ops if op not in RANGE_OPS]
    if not ops or unknown:
        raise ValidationError(
            f"Filter field {key!r}: give a text, number or true/false, a list of them, or "
            'a range such as {"$gte": 2020, "$lt": 2025} (operators: '
            f"{', '.join(RANGE_OPS)}).",
            details={"field": key, "value": ops},
        )
    out: dict[str, float | datetime] = {}
    for op, bound in ops.items():
        if isinstance(bound, int | float) and not isinstance(bound, bool):
            out[op] = float(bound)
        elif (when := _date(bound)) is not None:
            out[op] = when
        else:
            raise ValidationError(
                f"Filter field {key!r}: {op} needs a number or an ISO date such as "
                f'"2026-03-01", not {bound!r}.',
                details={"field": key, "operator": op, "value": bound},
            )
    if len({type(b) for b in out.values()}) > 1:
        raise ValidationError(
            f"Filter field {key!r}: a range's bounds are all numbers or all dates.",
            details={"field": key, "value": ops},
        )
    return out


def normalise(filters: dict[str, Any] | None) -> Wanted:
    """The filter as ``{field: [accepted values]}`` or ``{field: {op: bound}}``.

    Raises:
        ValidationError: not an object of scalar values, lists of them or ranges.
    """
    if not filters:
        return {}
    if not isinstance(filters, dict) or len(filters) > MAX_FIELDS:
        raise ValidationError(
            f"A filter is an object of at most {MAX_FIELDS} fields, for example "
            '{"category": "billing"}, {"year": [2025, 2026]} or {"price": {"$lt": 10}}.',
            details={"filters": filters},
        )
    out: Wanted = {}
    for key, value in filters.items():
        if isinstance(value, dict):
            out[str(key)] = _bounds(str(key), value)
            continue
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


def _within(have: Any, bounds: dict[str, float | datetime]) -> bool:
    value: float | datetime | None
    if isinstance(next(iter(bounds.values())), datetime):
        value = _date(have)
    elif isinstance(have, bool):
        value = None
    else:
        try:
            value = float(have)
        except (TypeError, ValueError):
            value = None
        if value is not None and value != value:  # NaN is in no range
            value = None
    if value is None:
        return False
    checks = {
        "$gt": lambda v, b: v > b,
        "$gte": lambda v, b: v >= b,
        "$lt": lambda v, b: v < b,
        "$lte": lambda v, b: v <= b,
    }
    return all(checks[op](value, bound) for op, bound in bounds.items())


def _matches(meta: dict[str, Any], document: str, wanted: Wanted) -> bool:
    for key, want in wanted.items():
        have = document if key == "document" else meta.get(key)
        if have is None:
            return False
        if isinstance(want, dict):
            if not _within(have, want):
                return False
        elif not any(_same(have, v) for v in want):
            return False
    return True


def matching_chunks(store: Any, kb_id: str, wanted: Wanted) -> set[str]:
    """The ids of ``kb_id``'s chunks whose metadata matches ``wanted``. A ``document``
    filter is decided per document first, so only the chunks of matching documents are
    read; values, true/false and ranges narrow the chunks read in SQL first
    (:mod:`._filter_sql`), and the rules here decide among those."""
    with store.db.read() as s:
        names = dict(
            s.exec(
                select(KnowledgeDocument.id, KnowledgeDocument.name).where(
                    KnowledgeDocument.kb_id == kb_id
                )
            ).all()
        )
        q = select(KnowledgeChunk.id, KnowledgeChunk.document_id, KnowledgeChunk.meta).where(
            KnowledgeChunk.kb_id == kb_id
        )
        if "document" in wanted:
            docs = [
                d
                for d, name in names.items()
                if _matches({}, name, {"document": wanted["document"]})
            ]
            if not docs:
                return set()
            q = q.where(col(KnowledgeChunk.document_id).in_(docs))
            if len(wanted) == 1:  # nothing else to check: every chunk of theirs matches
                return set(
                    s.exec(
                        select(KnowledgeChunk.id).where(
                            KnowledgeChunk.kb_id == kb_id, col(KnowledgeChunk.document_id).in_(docs)
                        )
                    ).all()
                )
        narrowed = meta_condition(store.db.dialect, wanted)
        if narrowed is not None:  # most chunks that cannot match are left out in SQL
            q = q.where(narrowed)
        rows = s.exec(q).all()
    return {cid for cid, did, meta in rows if _matches(meta or {}, names.get(did, ""), wanted)}


def rank_exact(
    store: Any, kb_id: str, ids: set[str], vector: np.ndarray, k: int
) -> list[tuple[str, float]]:
    """The ``k`` chunks among ``ids`` (of ``kb_id``) nearest to ``vector`` by cosine
    similarity, from the embeddings stored with them (on PostgreSQL computed by pgvector
    over those rows)."""
    import numpy as np  # here: a process that never ranks vectors never loads numpy

    if not ids:
        return []
    wanted = sorted(ids)
    index = index_for(store)
    if isinstance(index, PgVectorIndex):  # in the database, not row by row in Python
        return index.rank_among(wanted, vector.astype(np.float32).tobytes(), k)
    rows: list[tuple[str, bytes]] = []
    with store.db.read() as s:  # only the embeddings of ``ids``, a batch at a time
        for at in range(0, len(wanted), ID_BATCH):
            rows.extend(
                (cid, emb)
                for cid, kb, emb in s.exec(
                    # by primary key only: with kb_id too, SQLite scans the base's chunks
                    select(KnowledgeChunk.id, KnowledgeChunk.kb_id, KnowledgeChunk.embedding).where(
                        col(KnowledgeChunk.id).in_(wanted[at : at + ID_BATCH])
                    )
                ).all()
                if emb and kb == kb_id
            )
    if not rows:
        return []
    matrix = np.stack([np.frombuffer(emb, dtype=np.float32) for _, emb in rows])
    norms = np.linalg.norm(matrix, axis=1) * (float(np.linalg.norm(vector)) or 1.0)
    sims = matrix @ vector.astype(np.float32) / np.where(norms == 0, 1.0, norms)
    best = np.argsort(-sims)[:k]
    return [(rows[i][0], float(sims[i])) for i in best]
