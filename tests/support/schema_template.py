"""A migrated SQLite schema copied into each new test database instead of migrating it.

Most tests open a store on a new SQLite file (a private data directory per test), and
running the Alembic migrations on it costs about half a second, every time. This module
runs the real migrations once per test process into a template file and, when a
:class:`~engine.store.Store` in this process opens an *empty* SQLite database at head,
copies the template's pages into it with SQLite's backup API (a file or ``sqlite://`` in
memory). The store's own upgrade then runs as usual and finds the schema at head.

What stays real: the template is made by the product's migrations, per head revision
(a migration added during the session makes a new one); processes a test starts (workers,
the API, the CLI) migrate as they always do; a database that already has tables, an
upgrade to another revision, a PostgreSQL database and every test marked
``real_migrations`` (the migration tests themselves) take the real path.

Installed for the session by the suite's conftest (:func:`install`).
"""

from __future__ import annotations

import sqlite3
import tempfile
import threading
from contextlib import closing
from pathlib import Path
from typing import Any

__all__ = ["disabled", "install"]

_templates: dict[str, Path] = {}
_lock = threading.Lock()
_dir: Path | None = None
disabled = threading.Event()
"""Set while a test marked ``real_migrations`` runs (see the suite's conftest)."""


def _template(head: str, real_upgrade: Any) -> Path:
    """The template database file for migration ``head``, made on first use."""
    global _dir
    with _lock:
        path = _templates.get(head)
        if path is not None:
            return path
        from engine.store._db import create_db_engine

        if _dir is None:
            _dir = Path(tempfile.mkdtemp(prefix="aura-schema-"))
        path = _dir / f"{head}.db"
        engine = create_db_engine(f"sqlite:///{path}")
        try:
            real_upgrade(revision="head", engine=engine)
            with engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            engine.dispose()
        _templates[head] = path
        return path


def _empty_sqlite(dbapi: sqlite3.Connection) -> bool:
    return dbapi.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0


def install() -> None:
    """Wraps :func:`engine.store.migrate.upgrade` in this process (see the module doc)."""
    from engine.store import migrate

    real_upgrade = migrate.upgrade
    if getattr(real_upgrade, "_aura_schema_template", False):
        return

    def upgrade(url: str | None = None, revision: str = "head", *, engine: Any = None) -> None:
        if (
            engine is not None
            and revision == "head"
            and not disabled.is_set()
            and engine.dialect.name == "sqlite"
        ):
            head = migrate._file_head()
            if head is not None:
                source = _template(head, real_upgrade)
                raw = engine.raw_connection()
                try:
                    dbapi = raw.driver_connection
                    if _empty_sqlite(dbapi):
                        with closing(sqlite3.connect(source)) as src:
                            src.backup(dbapi)
                finally:
                    raw.close()
        real_upgrade(url, revision, engine=engine)

    upgrade._aura_schema_template = True  # type: ignore[attr-defined]
    migrate.upgrade = upgrade  # type: ignore[assignment]
