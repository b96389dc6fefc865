"""Alembic is the only schema path: migrations and models agree, on both backends."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from engine.config import reset_settings
from engine.store import Store, metadata, migrate, open_store

pytestmark = pytest.mark.real_migrations  # every database here migrates for real

ROOT = Path(__file__).resolve().parents[2]
TABLES = {"workflow", "workflow_version", "execution", "node_run", "credential", "variable",
          "setting", "webhook",
          # 0002: accounts and access
          "user_account", "recovery_code", "invitation", "password_reset", "refresh_token",
          "api_key", "project", "project_member", "resource_share", "audit_event",
          # 0004: single sign-on
          "oidc_provider", "oidc_identity", "oidc_login",
          # 0006: knowledge bases
          "knowledge_base", "knowledge_document", "knowledge_chunk",
          # 0008: agents
          "agent", "agent_version", "agent_step", "approval", "usage_entry"}


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_models_and_migrations_agree(fresh_url: str) -> None:
    migrate.upgrade(fresh_url)
    assert migrate.current(fresh_url) == migrate.heads()[0]
    engine = create_engine(fresh_url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True,
                                                         "compare_server_default": True})
            assert compare_metadata(ctx, metadata) == []
    finally:
        engine.dispose()
    assert _tables(fresh_url) == TABLES


def test_downgrade_to_base_and_back(fresh_url: str) -> None:
    migrate.upgrade(fresh_url)
    migrate.downgrade(fresh_url, "base")
    assert migrate.current(fresh_url) is None
    assert _tables(fresh_url) == set()
    migrate.upgrade(fresh_url)
    assert _tables(fresh_url) == TABLES


def test_opening_without_migrating_creates_no_tables(fresh_url: str) -> None:
    with Store(fresh_url, migrate=False) as store:
        assert store.revision() is None
        assert store.ping()
    assert _tables(fresh_url) == set()


def test_threads_opening_together_migrate_once(fresh_url: str) -> None:
    def open_and_close(_: int) -> str | None:
        with Store(fresh_url) as store:
            return store.revision()

    with ThreadPoolExecutor(4) as pool:
        revisions = list(pool.map(open_and_close, range(4)))
    assert revisions == [migrate.heads()[0]] * 4


def test_processes_opening_together_migrate_once(fresh_url: str) -> None:
    """Studio and workers start at once on a new database: one migrates, others wait."""
    code = ("import sys; from engine.store import open_store; "
            "s = open_store(sys.argv[1]); print(s.revision()); s.close()")
    procs = [subprocess.Popen([sys.executable, "-c", code, fresh_url], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(3)]
    results = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [err for _, err in results]
    assert [out.strip() for out, _ in results] == [migrate.heads()[0]] * 3


def test_sqlite_connections_are_tuned(sqlite_store: Store) -> None:
    with sqlite_store.engine.connect() as conn:
        def pragma(name: str) -> object:
            return conn.exec_driver_sql(f"PRAGMA {name}").scalar()

        assert pragma("journal_mode") == "wal"
        assert pragma("foreign_keys") == 1
        assert pragma("auto_vacuum") == 2  # incremental
        assert pragma("synchronous") == 1  # normal
        assert pragma("busy_timeout") == 30_000


def test_old_sqlite_files_without_auto_vacuum_still_shrink(tmp_path: Path) -> None:
    import sqlite3
    from datetime import timedelta

    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:  # made by something else, before AURA
        conn.execute("CREATE TABLE legacy (x)")
    with Store(f"sqlite:///{path}") as store:
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA auto_vacuum").scalar() == 0
        store.reclaim_space()
        empty = path.stat().st_size  # the schema alone (grows with every migration)
        for _ in range(40):
            ex = store.executions.create(status="running")
            store.executions.record_node_run(ex.id, "A", output={"main": [{"b": "x" * 20_000}]})
            store.executions.finish(ex.id, "succeeded")
        store.reclaim_space()
        big = path.stat().st_size
        assert store.prune_executions(max_age=timedelta(0)) == 40  # falls back to VACUUM
        assert path.stat().st_size - empty < (big - empty) / 3


@pytest.mark.postgres
def test_pgvector_is_available(pg_url: str) -> None:
    engine = create_engine(pg_url)
    try:
        with engine.connect() as conn:
            version = conn.execute(text(
                "SELECT extversion FROM pg_extension WHERE extname = 'vector'")).scalar()
            assert version is not None
            assert conn.execute(text("SELECT '[1,2,3]'::vector <-> '[1,2,4]'::vector")
                                ).scalar() == 1.0
    finally:
        engine.dispose()


def test_default_database_lives_in_the_data_dir(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    data_dir = tmp_path / "nested" / "aura-data"
    monkeypatch.setenv("AURA_DATA_DIR", str(data_dir))
    monkeypatch.delenv("AURA_DB_URL", raising=False)
    reset_settings()
    try:
        with open_store() as store:
            assert store.dialect == "sqlite"
            store.settings.set("hello", "world")
        assert (data_dir / "aura.db").is_file()
        assert migrate.current() == migrate.heads()[0]
    finally:
        reset_settings()


def test_sparse_execution_columns_index_only_their_values(store: Store) -> None:
    """Columns almost always NULL (resume token, retry, parent, wait, agent) are indexed
    only where they hold a value (0009: five index entries fewer per execution), and a
    resume token is still unique."""
    from sqlalchemy.exc import IntegrityError

    from engine.store.models import SPARSE_INDEXED

    where = f"{store.dialect}_where"
    indexes = {ix["name"]: ix for ix in inspect(store.engine).get_indexes("execution")}
    for column in SPARSE_INDEXED:
        ix = indexes[f"ix_execution_{column}"]
        assert ix["column_names"] == [column]
        predicate = str(ix.get("dialect_options", {}).get(where, ""))
        assert predicate.replace("(", "").replace(")", "") == f"{column} IS NOT NULL"
    assert indexes["ix_execution_resume_token"]["unique"]

    first, second = (store.executions.create(status="running") for _ in range(2))
    store.executions.set_status(first.id, "waiting", resume_token="same-token")
    with pytest.raises(IntegrityError):
        store.executions.set_status(second.id, "waiting", resume_token="same-token")
    assert store.executions.get(second.id).status == "running"
