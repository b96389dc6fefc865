"""PostgreSQL connections kept in the pool: one that sat unused is checked before it is
handed out, so a server restart or a dropped session costs nobody an error
(engine.store._db: a ping after PING_AFTER_IDLE seconds unused, none at every checkout)."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from engine.store import Store, _db

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_store(pg_url: str) -> Iterator[Store]:
    store = Store(pg_url)
    yield store
    store.close()


def _drop_session(store: Store, pg_url: str) -> None:
    """Ends the server session behind the store's (only) pooled connection, as a server
    restart or an idle-session timeout would."""
    with store.engine.connect() as conn:
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
    libpq = pg_url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(libpq, autocommit=True) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone() == (True,)


def test_a_connection_dropped_while_unused_is_replaced(
    pg_store: Store, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_db, "PING_AFTER_IDLE", 0.0)  # every pooled connection counts as idle
    pg_store.executions.create(workflow_name="before")
    _drop_session(pg_store, pg_url)
    pg_store.executions.create(workflow_name="after")  # no error: a new session
    names = {e.workflow_name for e in pg_store.executions.list()[0]}
    assert names >= {"before", "after"}


def test_a_connection_used_moments_ago_is_not_pinged(
    pg_store: Store, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under load connections come back within milliseconds: no round trip is spent on
    them; if the server went away meanwhile, one statement fails and the pool is
    renewed for the next."""
    monkeypatch.setattr(_db, "PING_AFTER_IDLE", 3600.0)
    pg_store.executions.create(workflow_name="before")
    _drop_session(pg_store, pg_url)
    with pytest.raises(OperationalError):
        pg_store.executions.list()
    assert pg_store.executions.list()[1] >= 1
