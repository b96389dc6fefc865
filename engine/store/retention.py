"""Execution-data retention: delete old executions, or only their bulky data, and give
the space back to the file system on SQLite.

Only finished executions are ever pruned (never queued, running or waiting ones). Work
is done in batches of short write transactions so that workers recording executions on
SQLite are never blocked for long. On SQLite, freed pages are returned with
``PRAGMA incremental_vacuum`` (databases created by AURA use incremental auto-vacuum;
older files fall back to ``VACUUM``) followed by a WAL checkpoint that truncates the
files; PostgreSQL's autovacuum needs no help.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, update
from sqlmodel import col, delete, select

from engine.store._db import Database
from engine.store.enums import FINISHED
from engine.store.models import Execution, NodeRun
from engine.store.types import check_aware, utcnow

__all__ = ["count_prunable", "prune_execution_data", "prune_executions", "reclaim_space"]

BATCH = 500


def _chunks(ids: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for i in range(0, len(ids), size):
        yield ids[i:i + size]


def _victims(db: Database, max_age: timedelta | None, max_count: int | None,
             now: datetime | None, *extra: Any) -> list[str]:
    check_aware(now=now)
    E = Execution
    expired: list[Any] = []
    if max_age is not None:
        cutoff = (now or utcnow()) - max_age
        expired.append(func.coalesce(col(E.finished_at), col(E.created_at)) < cutoff)
    if max_count is not None:
        newest = select(E.id).order_by(col(E.created_at).desc(), col(E.id).desc()).limit(
            max(0, max_count))
        expired.append(col(E.id).not_in(newest))
    if not expired:
        return []
    with db.read() as s:
        return list(s.exec(select(E.id).where(
            col(E.status).in_([x.value for x in FINISHED]), or_(*expired), *extra)).all())


def count_prunable(db: Database, max_age: timedelta | None = None,
                   max_count: int | None = None, *, now: datetime | None = None) -> int:
    """How many executions :func:`prune_executions` would delete now (a dry run)."""
    return len(_victims(db, max_age, max_count, now))


def prune_executions(db: Database, max_age: timedelta | None = None,
                     max_count: int | None = None, *, now: datetime | None = None,
                     reclaim: bool = True,
                     progress: Callable[[int, int], None] | None = None) -> int:
    """Deletes finished executions (and their node runs) that are older than
    ``max_age`` or beyond the newest ``max_count`` executions. Returns how many.

    ``None`` switches that limit off. Age counts from when an execution finished.
    ``progress(done, total)`` is called before the first batch and after each one.
    """
    finished = [x.value for x in FINISHED]
    deleted = done = 0
    victims = _victims(db, max_age, max_count, now)
    if progress is not None:
        progress(0, len(victims))
    for chunk in _chunks(victims, BATCH):
        with db.write() as s:
            s.exec(delete(NodeRun).where(col(NodeRun.execution_id).in_(chunk)))
            result = s.exec(delete(Execution).where(col(Execution.id).in_(chunk),
                                                    col(Execution.status).in_(finished)))
            deleted += int(result.rowcount)
        done += len(chunk)
        if progress is not None:
            progress(done, len(victims))
    if deleted and reclaim:
        reclaim_space(db)
    return deleted


def prune_execution_data(db: Database, max_age: timedelta | None = None,
                         max_count: int | None = None, *, now: datetime | None = None,
                         reclaim: bool = True) -> int:
    """Keeps the executions selected as in :func:`prune_executions` but drops their item
    data (node inputs and outputs, the execution's input) and marks them
    ``data_pruned``. Statuses, timings, counts, errors and logs stay. Returns how many."""
    pruned = 0
    victims = _victims(db, max_age, max_count, now, col(Execution.data_pruned).is_(False))
    for chunk in _chunks(victims, BATCH):
        with db.write() as s:
            s.exec(update(NodeRun).where(col(NodeRun.execution_id).in_(chunk)).values(
                input=None, output=None))
            result = s.exec(update(Execution).where(col(Execution.id).in_(chunk)).values(
                data_pruned=True, input=None))
            pruned += int(result.rowcount)
    if pruned and reclaim:
        reclaim_space(db)
    return pruned


def reclaim_space(db: Database, min_free_ratio: float = 0.0) -> bool:
    """Returns free pages of a SQLite database to the file system (no-op elsewhere).

    A file without incremental auto-vacuum needs a full ``VACUUM`` (it rewrites the
    file): that runs only when at least ``min_free_ratio`` of its pages are free.
    Returns whether pages were given back."""
    if not db.is_sqlite:
        return False
    raw = db.engine.raw_connection()
    try:
        conn: Any = raw.driver_connection  # sqlite3.Connection, in autocommit mode
        mode = conn.execute("PRAGMA auto_vacuum").fetchone()[0]
        free = conn.execute("PRAGMA freelist_count").fetchone()[0]
        pages = conn.execute("PRAGMA page_count").fetchone()[0] or 1
        done = False
        if mode == 2:  # INCREMENTAL. execute() steps the pragma once, freeing one page;
            # executescript() runs it to completion
            conn.executescript("PRAGMA incremental_vacuum;")
            done = free > 0
        elif free and free / pages >= min_free_ratio:
            conn.execute("VACUUM")
            done = True
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        return done
    finally:
        raw.close()
