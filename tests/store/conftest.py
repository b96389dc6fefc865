"""Fixtures of the store tests: every ``store`` test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from engine.store import Store, metadata
from tests.support.postgres import postgres_database, shared_postgres


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database (pgvector enabled) on the embedded server."""
    with postgres_database() as url:
        yield url


@pytest.fixture(scope="session")
def _pg_store(pg_url: str) -> Iterator[Store]:
    store = Store(pg_url)
    yield store
    store.close()


def _empty(store: Store) -> None:
    names = ", ".join(t.name for t in metadata.sorted_tables)
    with store.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE TABLE {names} CASCADE"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An empty, migrated store: a new SQLite file, or the PostgreSQL test database."""
    if request.param == "sqlite":
        s = Store(f"sqlite:///{tmp_path / 'data' / 'aura.db'}")
        yield s
        s.close()
    else:
        s = request.getfixturevalue("_pg_store")
        _empty(s)
        yield s


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    """A store on a new SQLite file (for SQLite-only behaviour)."""
    s = Store(f"sqlite:///{tmp_path / 'aura.db'}")
    yield s
    s.close()



@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database (nothing migrated yet), on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
    else:
        pg = shared_postgres()
        url = pg.create_database()
        yield url
        pg.drop_database(url)
