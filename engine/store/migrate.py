"""Schema migrations from code: what ``aura db upgrade`` and :class:`Store` call.

There is no ``alembic.ini``: :func:`alembic_config` builds the configuration with
``script_location`` pointing into this package. Each function takes a database URL
(default: the configured one, see :func:`engine.config.Settings.database_url`) or an
existing engine.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.exc import InterfaceError, OperationalError

from engine.config import settings
from engine.store._db import create_db_engine, database_url, sqlite_path, unavailable

__all__ = ["MIGRATIONS_DIR", "alembic_config", "current", "downgrade", "heads", "upgrade"]

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

# Alembic's command API works through module-level proxies (alembic.context), so only
# one migration may run per process at a time; across processes, env.py locks the db.
_LOCK = threading.RLock()


def alembic_config(url: str | None = None, engine: Engine | None = None) -> Config:
    """An Alembic :class:`Config` for the store's migrations (no ini file needed)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.attributes["engine"] = engine
    return cfg


@contextmanager
def _engine(url: str | None, engine: Engine | None) -> Iterator[Engine]:
    if engine is not None:
        yield engine
        return
    url = url or settings().database_url()
    path = sqlite_path(database_url(url))
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    own = create_db_engine(url)
    try:
        yield own
    except (OperationalError, InterfaceError) as exc:
        raise unavailable(url, exc) from None  # 'aura db ...': what to check, not a bug
    finally:
        own.dispose()


def upgrade(url: str | None = None, revision: str = "head", *,
            engine: Engine | None = None) -> None:
    """Brings the database schema up to ``revision`` (the newest by default)."""
    with _LOCK, _engine(url, engine) as eng:
        command.upgrade(alembic_config(engine=eng), revision)


def downgrade(url: str | None = None, revision: str = "-1", *,
              engine: Engine | None = None) -> None:
    """Takes the schema back to ``revision`` (``"base"`` drops every table)."""
    with _LOCK, _engine(url, engine) as eng:
        command.downgrade(alembic_config(engine=eng), revision)


def current(url: str | None = None, *, engine: Engine | None = None) -> str | None:
    """The revision the database is at (None for an empty database)."""
    with _engine(url, engine) as eng, eng.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def heads() -> list[str]:
    """The newest revision(s) of the migration scripts."""
    return list(ScriptDirectory.from_config(alembic_config()).get_heads())
