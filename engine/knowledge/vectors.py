"""Chunk indexes, one interface on two stores: :class:`VectorIndex` (nearest vectors by
cosine, and full-text matches).

* :class:`PgVectorIndex` (PostgreSQL): the chunk's ``embedding`` column *is* the vector
  (pgvector); search orders by cosine distance through an HNSW index per dimension
  (``ix_knowledge_chunk_hnsw_<dims>``, a partial expression index ``WHERE dims = N``;
  migration 0006 makes the 256 one, :meth:`prepare` any other). Full text: ``tsvector``
  (English, the chunk's stored ``fts`` column, GIN-indexed) ranked by ``ts_rank_cd``.
* :class:`SqliteVecIndex` (SQLite): a ``vec0`` table (cosine) and an FTS5 table (porter
  stemming, bm25) per knowledge base in a file beside the database (``<db>.vectors``),
  opened with ``pysqlite3`` because the standard ``sqlite3`` module here cannot load
  extensions. Embeddings and texts stay in the main database too, so a lost index file
  is rebuilt from them (:func:`engine.knowledge.bases.reindex`).

Table names are built from knowledge base ids checked to be 32 hex digits, and
dimensions are integers: nothing a user typed reaches SQL text.
"""

from __future__ import annotations

import abc
import re
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import text

from engine.config import private_file
from engine.errors import AuraError

__all__ = [
    "PgVectorIndex",
    "SqliteVecIndex",
    "VectorIndex",
    "forget_index",
    "index_for",
    "query_terms",
]

_ID = re.compile(r"^[0-9a-f]{32}$")
_WORD = re.compile(r"\w+")
Row = tuple[str, bytes, str]
"""What is indexed per chunk: its id, its embedding (float32 bytes) and its text."""


def _suffix(kb_id: str) -> str:
    if not _ID.match(kb_id):
        raise ValueError(f"not a knowledge base id: {kb_id!r}")
    return kb_id


def query_terms(query: str) -> list[str]:
    """The words of a full-text query (punctuation and operators dropped)."""
    return list(dict.fromkeys(w.lower() for w in _WORD.findall(query)))[:64]


class VectorIndex(abc.ABC):
    """Search over a knowledge base's chunks: nearest vectors and full-text matches."""

    @abc.abstractmethod
    def prepare(self, kb_id: str, dims: int) -> None:
        """Makes the index ready for a base of ``dims`` dimensions."""

    @abc.abstractmethod
    def add(self, kb_id: str, dims: int, rows: Sequence[Row]) -> None:
        """Indexes chunks (already stored in the database)."""

    @abc.abstractmethod
    def remove(self, kb_id: str, chunk_ids: Iterable[str]) -> None:
        """Forgets these chunks."""

    @abc.abstractmethod
    def drop(self, kb_id: str) -> None:
        """Forgets every chunk of the base (it is being deleted)."""

    @abc.abstractmethod
    def search(self, kb_id: str, dims: int, vector: bytes, k: int) -> list[tuple[str, float]]:
        """The ``k`` nearest chunks: ``(chunk_id, cosine similarity)``, best first."""

    @abc.abstractmethod
    def text_search(self, kb_id: str, query: str, k: int) -> list[tuple[str, float]]:
        """The ``k`` best full-text matches of any of the query's words:
        ``(chunk_id, relevance)`` (higher is better; scale depends on the store)."""

    @abc.abstractmethod
    def count(self, kb_id: str) -> int:
        """How many vectors the base holds in this index."""


def _literal(vector: bytes) -> str:
    import numpy as np

    return "[" + ",".join(f"{x:.7g}" for x in np.frombuffer(vector, dtype=np.float32)) + "]"


class PgVectorIndex(VectorIndex):
    """pgvector and tsvector on the store's PostgreSQL (see the module docstring)."""

    def __init__(self, db: Any) -> None:
        self._db = db

    def prepare(self, kb_id: str, dims: int) -> None:
        dims = int(dims)
        with self._db.engine.begin() as conn:
            conn.execute(
                text(
                    f"CREATE INDEX IF NOT EXISTS ix_knowledge_chunk_hnsw_{dims} ON knowledge_chunk "
                    f"USING hnsw ((embedding::vector({dims})) vector_cosine_ops) "
                    f"WHERE dims = {dims}"
                )
            )

    def add(self, kb_id: str, dims: int, rows: Sequence[Row]) -> None:
        return None  # the chunk row's embedding column is the vector

    def remove(self, kb_id: str, chunk_ids: Iterable[str]) -> None:
        return None  # deleting the chunk rows removes their vectors

    def drop(self, kb_id: str) -> None:
        return None  # deleting the base deletes its chunk rows (cascade)

    def search(self, kb_id: str, dims: int, vector: bytes, k: int) -> list[tuple[str, float]]:
        dims = int(dims)
        expr = f"(embedding::vector({dims}))"
        sql = text(
            f"SELECT id, 1 - ({expr} <=> CAST(:q AS vector({dims}))) AS score "  # noqa: S608
            f"FROM knowledge_chunk WHERE kb_id = :kb AND dims = {dims} "
            f"ORDER BY {expr} <=> CAST(:q AS vector({dims})) LIMIT :k"
        )
        with self._db.engine.connect() as conn:
            rows = conn.execute(sql, {"q": _literal(vector), "kb": kb_id, "k": k}).all()
        return [(r[0], float(r[1])) for r in rows]

    def rank_among(self, ids: Sequence[str], vector: bytes, k: int) -> list[tuple[str, float]]:
        """The ``k`` chunks among ``ids`` nearest to ``vector``, exactly (cosine computed
        in the database over those rows only: the plain column, not the HNSW index's
        expression, so no index scan drops a match)."""
        sql = text(
            "SELECT id, 1 - (embedding <=> CAST(:q AS vector)) AS score "
            "FROM knowledge_chunk WHERE id = ANY(:ids) AND embedding IS NOT NULL "
            "ORDER BY embedding <=> CAST(:q AS vector), id LIMIT :k"
        )
        with self._db.engine.connect() as conn:
            rows = conn.execute(sql, {"q": _literal(vector), "ids": list(ids), "k": k}).all()
        return [(r[0], float(r[1])) for r in rows]

    def text_search(self, kb_id: str, query: str, k: int) -> list[tuple[str, float]]:
        terms = query_terms(query)
        if not terms:
            return []
        sql = text(
            "SELECT id, ts_rank_cd(fts, q) AS score "
            "FROM knowledge_chunk, to_tsquery('english', :q) AS q "
            "WHERE kb_id = :kb AND fts @@ q "
            "ORDER BY score DESC, id LIMIT :k"
        )
        with self._db.engine.connect() as conn:
            rows = conn.execute(sql, {"q": " | ".join(terms), "kb": kb_id, "k": k}).all()
        return [(r[0], float(r[1])) for r in rows]

    def count(self, kb_id: str) -> int:
        with self._db.engine.connect() as conn:
            return int(
                conn.execute(
                    text(
                        "SELECT count(*) FROM knowledge_chunk WHERE kb_id = :kb "
                        "AND embedding IS NOT NULL"
                    ),
                    {"kb": kb_id},
                ).scalar_one()
            )


class SqliteVecIndex(VectorIndex):
    """sqlite-vec and FTS5 in a file beside the SQLite database (see the module)."""

    def __init__(self, path: Path | None) -> None:
        try:
            import pysqlite3.dbapi2 as sqlite3
            import sqlite_vec
        except ImportError:  # pragma: no cover - both are dependencies on Linux
            raise AuraError(
                "Knowledge bases on SQLite need the 'sqlite-vec' and 'pysqlite3-binary' "
                "packages: pip install sqlite-vec pysqlite3-binary."
            ) from None
        self.path = path
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(
            str(path) if path else ":memory:",
            check_same_thread=False,
            isolation_level=None,
            timeout=30,
        )
        self._conn.enable_load_extension(True)
        sqlite_vec.load(self._conn)
        self._conn.enable_load_extension(False)
        if path is not None:
            self._conn.execute("PRAGMA journal_mode = WAL")
            private_file(path)
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def _exists(self, kb_id: str) -> bool:
        row = self._conn.execute(
            "SELECT 1 FROM sqlite_master WHERE name = ?", (f"vec_{_suffix(kb_id)}",)
        ).fetchone()
        return row is not None

    def prepare(self, kb_id: str, dims: int) -> None:
        s = _suffix(kb_id)
        with self._lock:
            self._conn.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS vec_{s} USING vec0("
                f"chunk_id text primary key, embedding float[{int(dims)}] "
                "distance_metric=cosine)"
            )
            self._conn.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS fts_{s} USING fts5("
                "chunk_id UNINDEXED, text, tokenize='porter unicode61')"
            )

    def add(self, kb_id: str, dims: int, rows: Sequence[Row]) -> None:
        if not rows:
            return
        self.prepare(kb_id, dims)
        s = _suffix(kb_id)
        with self._lock:
            self._conn.execute("BEGIN")
            try:
                # a chunk indexed before (a rebuild) is replaced: only those are looked for
                # in the FTS table, whose chunk_id is not indexed (each lookup a scan)
                present = [
                    c
                    for c, _, _ in rows
                    if self._conn.execute(
                        f"SELECT 1 FROM vec_{s} WHERE chunk_id = ?",  # noqa: S608
                        (c,),
                    ).fetchone()
                ]
                self._conn.executemany(
                    f"DELETE FROM vec_{s} WHERE chunk_id = ?",  # noqa: S608
                    [(c,) for c in present],
                )
                self._delete_text(s, present)
                self._conn.executemany(
                    f"INSERT INTO vec_{s}(chunk_id, embedding) VALUES (?, ?)",  # noqa: S608
                    [(c, v) for c, v, _ in rows],
                )
                self._conn.executemany(
                    f"INSERT INTO fts_{s}(chunk_id, text) VALUES (?, ?)",  # noqa: S608
                    [(c, t) for c, _, t in rows],
                )
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise

    def remove(self, kb_id: str, chunk_ids: Iterable[str]) -> None:
        ids = [(c,) for c in chunk_ids]
        s = _suffix(kb_id)
        with self._lock:
            if ids and self._exists(kb_id):
                self._conn.executemany(f"DELETE FROM vec_{s} WHERE chunk_id = ?", ids)  # noqa: S608
                self._delete_text(s, [c for (c,) in ids])

    def _delete_text(self, s: str, ids: Sequence[str]) -> None:
        """Deletes the FTS rows of ``ids``: a batch per statement, as each statement
        scans the table (its chunk_id column is not indexed)."""
        for at in range(0, len(ids), 500):
            part = list(ids[at : at + 500])
            marks = ",".join("?" * len(part))
            self._conn.execute(f"DELETE FROM fts_{s} WHERE chunk_id IN ({marks})", part)  # noqa: S608

    def drop(self, kb_id: str) -> None:
        s = _suffix(kb_id)
        with self._lock:
            self._conn.execute(f"DROP TABLE IF EXISTS vec_{s}")
            self._conn.execute(f"DROP TABLE IF EXISTS fts_{s}")

    def search(self, kb_id: str, dims: int, vector: bytes, k: int) -> list[tuple[str, float]]:
        with self._lock:
            if not self._exists(kb_id):
                return []
            rows = self._conn.execute(
                f"SELECT chunk_id, distance FROM vec_{_suffix(kb_id)} "  # noqa: S608
                "WHERE embedding MATCH ? AND k = ? ORDER BY distance",
                (vector, int(k)),
            ).fetchall()
        return [(r[0], 1.0 - float(r[1])) for r in rows]

    def text_search(self, kb_id: str, query: str, k: int) -> list[tuple[str, float]]:
        terms = query_terms(query)
        if not terms:
            return []
        match = " OR ".join(f'"{t}"' for t in terms)
        s = _suffix(kb_id)
        with self._lock:
            if not self._exists(kb_id):
                return []
            rows = self._conn.execute(
                f"SELECT chunk_id, bm25(fts_{s}) AS rank FROM fts_{s} "  # noqa: S608
                f"WHERE fts_{s} MATCH ? ORDER BY rank LIMIT ?",
                (match, int(k)),
            ).fetchall()
        return [(r[0], -float(r[1])) for r in rows]

    def count(self, kb_id: str) -> int:
        with self._lock:
            if not self._exists(kb_id):
                return 0
            return int(
                self._conn.execute(f"SELECT count(*) FROM vec_{_suffix(kb_id)}").fetchone()[0]  # noqa: S608
            )  # noqa: RUF100, S608


_INDEXES: dict[str, VectorIndex] = {}
_LOCK = threading.Lock()


def index_for(store: Any) -> VectorIndex:
    """The chunk index of ``store``'s database (one per database and process)."""
    from engine.store._db import database_url, sqlite_path

    key = f"{id(store.engine)}:{store.url}"
    with _LOCK:
        found = _INDEXES.get(key)
        if found is None:
            if store.db.dialect == "postgresql":
                found = PgVectorIndex(store.db)
            else:
                path = sqlite_path(database_url(store.url))
                found = SqliteVecIndex(path.with_name(path.name + ".vectors") if path else None)
            _INDEXES[key] = found
        return found


def forget_index(store: Any) -> None:
    """Closes ``store``'s index (its file stays) and forgets it in this process."""
    key = f"{id(store.engine)}:{store.url}"
    with _LOCK:
        found = _INDEXES.pop(key, None)
    if isinstance(found, SqliteVecIndex):
        found.close()
