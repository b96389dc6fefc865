"""The store's change stamp: caches of rows that rarely change (workflows, their
versions, webhooks, variables, projects) that still see a change made by any process
on their next read.

Every transaction that writes one of the :data:`STAMPED` tables also writes a new
random value under the setting :data:`STAMP_KEY`, in the same transaction, just before
it commits (:class:`engine.store._db.Database` does it for every write of every process
through the store). A :class:`StampedCache` entry remembers the stamp read *before* its
rows were loaded and is used while the stamp is unchanged: one primary-key read (one
statement, no transaction) replaces the reads it saves. Inside :func:`pinned` (a
webhook request) the stamp is read once for every cached read of the block; a write of
this process to a stamped table inside the block makes the next read look again.

On a SQLite file the stamp is read through a connection of its own
(:class:`SqliteStampReader`: a plain ``sqlite3`` query, about 10 µs) rather than a pooled
SQLAlchemy connection (about 250 µs: checkout, events, reset on return); it reads the
last committed value all the same, so a change by any process is seen as promptly.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import os
import sqlite3
import threading
import uuid
from collections.abc import Callable, Hashable, Iterator
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from sqlalchemy import bindparam, text

from engine.store.types import JSONValue, UTCDateTime, utcnow

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from engine.store._db import Database

__all__ = [
    "STAMPED",
    "STAMP_KEY",
    "UNREAD",
    "SqliteStampReader",
    "StampedCache",
    "bump",
    "current",
    "pinned",
]

STAMPED = frozenset({"workflow", "workflow_version", "webhook", "variable", "project"})
"""Tables whose every write changes the stamp."""
STAMP_KEY = "aura.store.stamp"
"""The ``setting`` row holding the stamp."""
SINGLE_STATEMENT = "aura_single_statement"
"""Execution option: one statement on its own, atomic by itself (SQLite: no ``BEGIN``)."""

_BUMP = text(
    "INSERT INTO setting (key, value, updated_at) VALUES (:key, :value, :at) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at"
).bindparams(bindparam("value", type_=JSONValue), bindparam("at", type_=UTCDateTime()))
_READ = text("SELECT value FROM setting WHERE key = :key")
_RAW_READ = "SELECT value FROM setting WHERE key = ?"

_pinned: contextvars.ContextVar[tuple[Database, Any] | None] = contextvars.ContextVar(
    "aura_store_stamp", default=None
)


def bump(conn: Connection) -> None:
    """Writes a new stamp in ``conn``'s transaction (called as it commits)."""
    conn.execute(_BUMP, {"key": STAMP_KEY, "value": uuid.uuid4().hex, "at": utcnow()})
    _pinned.set(None)  # this context's next cached read looks again


def current(db: Database) -> Any:
    """The stamp now (the pinned one inside :func:`pinned`); None before any write."""
    pin = _pinned.get()
    if pin is not None and pin[0] is db:
        return pin[1]
    if db.stamp_reader is not None:
        return db.stamp_reader.read()
    with db.engine.connect().execution_options(**{SINGLE_STATEMENT: True}) as conn:
        return conn.execute(_READ, {"key": STAMP_KEY}).scalar()


class SqliteStampReader:
    """Reads the stamp of a SQLite database file through one ``sqlite3`` connection of
    its own, opened at first use (again in a forked child) and shared by the threads of
    the process under a lock. Outside a transaction each read sees the last commit."""

    def __init__(self, path: str, timeout_s: float) -> None:
        self._path = path
        self._timeout_s = timeout_s
        self._conn: sqlite3.Connection | None = None
        self._pid = 0
        self._lock = threading.Lock()

    def read(self) -> Any:
        with self._lock:
            if self._conn is None or self._pid != os.getpid():
                self._conn = sqlite3.connect(
                    self._path,
                    timeout=self._timeout_s,
                    isolation_level=None,  # no transaction left open between reads
                    check_same_thread=False,
                )
                self._pid = os.getpid()
            row = self._conn.execute(_RAW_READ, (STAMP_KEY,)).fetchone()
        # JSON text, as the column type decodes it on the pooled connections
        return None if row is None or row[0] is None else json.loads(row[0])

    def close(self) -> None:
        with self._lock:
            if self._conn is not None and self._pid == os.getpid():
                self._conn.close()
            self._conn = None


UNREAD: Any = object()
"""``pinned(db, stamp=UNREAD)``: read it now."""


@contextlib.contextmanager
def pinned(db: Database, stamp: Any = UNREAD) -> Iterator[Any]:
    """Reads the stamp once (or uses ``stamp``, read earlier for the same piece of work)
    for the cached reads of the block, and yields it (see the module)."""
    if stamp is UNREAD:
        stamp = current(db)
    token = _pinned.set((db, stamp))
    try:
        yield stamp
    finally:
        _pinned.reset(token)


K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class StampedCache(Generic[K, V]):
    """Values loaded from stamped tables, reused while the stamp is unchanged. Values
    are shared: callers must not change them."""

    def __init__(self, db: Database, size: int = 256) -> None:
        self._db = db
        self._size = size
        self._entries: dict[K, tuple[Any, V]] = {}
        self._lock = threading.Lock()

    def get(self, key: K, load: Callable[[], V]) -> V:
        """The value of ``key``, ``load()``-ed again when the stamp changed."""
        stamp = current(self._db)  # before loading: a change meanwhile is seen next time
        hit = self._entries.get(key)
        if hit is not None and hit[0] == stamp:
            return hit[1]
        value = load()
        with self._lock:
            if len(self._entries) >= self._size:
                self._entries.clear()
            self._entries[key] = (stamp, value)
        return value
