"""Engines and short-lived sessions for the store (private).

SQLite gets WAL, ``foreign_keys=ON``, a busy timeout, ``synchronous=NORMAL`` and
incremental auto-vacuum on every connection. SQLite's driver is put in autocommit mode
and AURA emits ``BEGIN`` itself: writes use ``BEGIN IMMEDIATE`` so two threads that both
read-then-write queue up on the busy timeout instead of failing with "database is
locked" (a deferred transaction that tries to upgrade to a write lock gets SQLITE_BUSY
at once). A PostgreSQL connection taken from the pool is pinged first when it sat unused
for :data:`PING_AFTER_IDLE` seconds or more (a server restarted or a connection dropped
meanwhile is replaced, not handed out); one used moments ago is not (``pool_pre_ping``
pinged at every checkout: 3 round trips more per webhook). A value PostgreSQL refuses
because it holds a NUL character becomes a :class:`~engine.errors.ValidationError`
(a 4xx, not a 500).
A SQLite database file and its ``-wal``/``-shm`` files are readable by this user only
(0600): the file is created so before SQLite opens it (SQLite gives ``-wal`` and ``-shm``
the database file's mode), and older ones are tightened. A transaction that writes a
table of :data:`engine.store.stamps.STAMPED` also changes the store's stamp as it
commits (what caches of those rows, in any process, check).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError, DataError, DisconnectionError
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import StaticPool
from sqlmodel import Session

from engine.config import private_file
from engine.errors import AuraError, ValidationError
from engine.store.stamps import SINGLE_STATEMENT, STAMPED, SqliteStampReader, bump
from engine.store.types import dumps

__all__ = [
    "WRITE_OPTION",
    "Database",
    "DatabaseUnavailable",
    "create_db_engine",
    "database_url",
    "is_memory_sqlite",
    "sqlite_path",
    "unavailable",
]

BUSY_TIMEOUT_MS = 30_000
WRITE_OPTION = "aura_write"
_WRITE = WRITE_OPTION


def is_memory_sqlite(url: URL) -> bool:
    db = url.database or ""
    return url.get_backend_name() == "sqlite" and (db in ("", ":memory:") or "mode=memory" in db)


def sqlite_path(url: URL) -> Path | None:
    """The database file of a SQLite URL (None for in-memory and non-SQLite URLs)."""
    if url.get_backend_name() != "sqlite" or is_memory_sqlite(url):
        return None
    db = url.database or ""
    if db.startswith("file:"):
        db = db[5:].split("?", 1)[0]
    return Path(db)


def _private_database_files(path: Path) -> None:
    """The database file and its -wal/-shm for this user only (see the module docstring)."""
    if not path.exists() and path.parent.is_dir():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))  # an empty file is a DB
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        private_file(p)


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own transaction handling is off; _sqlite_on_begin emits BEGIN.
    dbapi_connection.isolation_level = None
    cur = dbapi_connection.cursor()
    try:
        # auto_vacuum only takes effect on a database without tables, so set it first
        cur.execute("PRAGMA auto_vacuum = INCREMENTAL")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    finally:
        cur.close()


def _sqlite_on_begin(conn: Connection) -> None:
    options = conn.get_execution_options()
    if options.get("isolation_level") == "AUTOCOMMIT":
        return
    if options.get(SINGLE_STATEMENT):  # atomic by itself: no transaction around it
        return
    write = options.get(_WRITE, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


class DatabaseUnavailable(AuraError):
    """The configured database cannot be reached, or refused AURA's login."""

    code = "database_unavailable"
    http_status = 503


_URL_HINT = (
    "Set AURA_DB_URL to 'postgresql://user:password@host:5432/database' (or "
    "leave it unset for SQLite in the data directory)."
)


def database_url(url: str | URL) -> URL:
    """``url`` as AURA uses it: ``postgres://`` and ``postgresql://`` (the forms hosting
    providers hand out) mean PostgreSQL through psycopg 3.

    Raises:
        ValidationError: not a SQLite or PostgreSQL URL.
    """
    try:
        u = make_url(url)
    except ArgumentError:
        raise ValidationError(f"The database URL is not a URL. {_URL_HINT}") from None
    if u.drivername in ("postgres", "postgresql"):
        u = u.set(drivername="postgresql+psycopg")
    if u.get_backend_name() not in ("sqlite", "postgresql"):
        raise ValidationError(
            f"AURA stores its data in SQLite or PostgreSQL, not {u.get_backend_name()!r}. "
            f"{_URL_HINT}",
            details={"url": u.render_as_string(hide_password=True)},
        )
    return u


def unavailable(url: str | URL, exc: BaseException) -> DatabaseUnavailable:
    """The error to raise when connecting to ``url`` failed with ``exc`` (the password
    is never part of the message)."""
    safe = make_url(url).render_as_string(hide_password=True)
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return DatabaseUnavailable(
        f"Cannot use the database {safe}: {reason[0] if reason else type(exc).__name__}. "
        "Check that the server is running and that AURA_DB_URL (host, port, database, "
        "user, password) is right.",
        details={"url": safe},
    )


def create_db_engine(url: str | URL, *, echo: bool = False, pool_size: int = 5) -> Engine:
    """A SQLAlchemy engine configured for AURA (see the module docstring).

    Raises:
        ValidationError: not a SQLite or PostgreSQL URL (see :func:`database_url`).
    """
    u = database_url(url)
    if u.get_backend_name() == "sqlite":
        kwargs: dict[str, Any] = {}
        if is_memory_sqlite(u):
            kwargs["poolclass"] = StaticPool
        path = sqlite_path(u)
        if path is not None:
            _private_database_files(path)
        engine = create_engine(
            u,
            echo=echo,
            json_serializer=dumps,
            connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
            **kwargs,
        )
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    engine = create_engine(u, echo=echo, json_serializer=dumps, pool_size=pool_size)
    event.listen(engine, "checkout", _ping_if_idle)
    event.listen(engine, "checkin", _note_idle)
    return engine


PING_AFTER_IDLE = 1.0
"""Seconds a pooled PostgreSQL connection may sit unused before it is pinged at checkout."""
_IDLE_SINCE = "aura_idle_since"


def _note_idle(_dbapi_connection: Any, record: Any) -> None:
    record.info[_IDLE_SINCE] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """Pings a connection that sat unused a while (see the module); a dead one makes the
    pool discard it and check out another (``DisconnectionError``)."""
    idle_since = record.info.get(_IDLE_SINCE)
    if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE:
        return  # new, or in use moments ago
    try:
        _ping(dbapi_connection)
    except Exception as exc:  # any failure: the connection is not usable
        raise DisconnectionError(f"stale connection: {exc}") from exc


def _ping(dbapi_connection: Any) -> None:
    """``SELECT 1`` outside any transaction (psycopg 3); raises when the connection is gone."""
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True
    try:
        dbapi_connection.execute("SELECT 1")
    finally:
        if not dbapi_connection.closed:
            dbapi_connection.autocommit = autocommit


class Database:
    """An engine plus the two kinds of short-lived session the repositories use.

    Sessions never expire their objects on commit, so rows returned by a repository stay
    readable after the session is closed (they are detached snapshots).
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect: str = engine.dialect.name
        self._read = sessionmaker(engine, class_=Session, expire_on_commit=False)
        self._write_engine = engine.execution_options(**{_WRITE: True})
        self._single_engine = engine.execution_options(**{_WRITE: True, SINGLE_STATEMENT: True})
        self._write = sessionmaker(self._write_engine, class_=Session, expire_on_commit=False)
        self._sqlite_lock = threading.RLock()
        event.listen(engine, "after_cursor_execute", self._mark_write)
        event.listen(engine, "commit", self._stamp_on_commit)
        event.listen(engine, "rollback", self._rolled_back)
        self.stamp_reader: SqliteStampReader | None = None
        path = sqlite_path(engine.url) if self.dialect == "sqlite" else None
        if path is not None:  # (see engine.store.stamps)
            reader = SqliteStampReader(str(path), BUSY_TIMEOUT_MS / 1000)
            event.listen(engine, "engine_disposed", lambda _engine: reader.close())
            self.stamp_reader = reader

    # -- the change stamp (engine.store.stamps) ------------------------------------------
    @staticmethod
    def _mark_write(
        conn: Connection,
        cursor: Any,
        statement: str,
        params: Any,
        context: Any,
        executemany: bool,
    ) -> None:
        if context is None or not (context.isinsert or context.isupdate or context.isdelete):
            return
        table = getattr(getattr(context.compiled, "statement", None), "table", None)
        if getattr(table, "name", None) in STAMPED:
            conn.info["aura_stamp"] = True

    @staticmethod
    def _stamp_on_commit(conn: Connection) -> None:
        if conn.info.pop("aura_stamp", False):  # other processes' caches: see stamps
            bump(conn)

    @staticmethod
    def _rolled_back(conn: Connection) -> None:
        if conn.invalidated:  # (its connection is gone, and its info with it)
            return
        conn.info.pop("aura_stamp", None)

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reads only (SQLite: a deferred transaction)."""
        with _refused_text(), self._read() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on error.

        On SQLite it holds the write lock from its first statement (``BEGIN IMMEDIATE``),
        so read-then-write logic inside it is serialized with other writers.
        """
        if self.is_sqlite:
            # one writer at a time inside this process: threads queue on a lock instead of
            # spinning on SQLite's busy timeout (measured: +20-25% webhook throughput)
            with self._sqlite_lock, self._write() as session, session.begin():
                yield session
            return
        with _refused_text(), self._write() as session, session.begin():
            yield session

    @contextmanager
    def write_connection(self, *, single: bool = False) -> Iterator[Connection]:
        """A connection in a write transaction, as :meth:`write`, for SQLAlchemy Core
        statements only (no ORM session: cheaper on the hot path of every execution).
        ``single``: the block writes with one statement, atomic by itself (SQLite: no
        ``BEGIN IMMEDIATE`` around it)."""
        if self.is_sqlite:
            engine = self._single_engine if single else self._write_engine
            with self._sqlite_lock, engine.begin() as conn:
                yield conn
            return
        with _refused_text(), self._write_engine.begin() as conn:
            yield conn


@contextmanager
def _refused_text() -> Iterator[None]:
    """PostgreSQL cannot hold a NUL character in text: a value with one (a name, a URL
    path, an id typed by someone) is the caller's mistake, not a server error."""
    try:
        yield
    except DataError as exc:
        if "NUL" not in str(exc.orig):
            raise
        raise ValidationError(
            "Text with a NUL character (\\u0000) cannot be stored or "
            "looked up; remove it and try again."
        ) from None
