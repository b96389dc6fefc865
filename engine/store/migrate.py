"""Schema migrations from code: what ``aura db upgrade`` and :class:`Store` call.

There is no ``alembic.ini``: :func:`alembic_config` builds the configuration with
``script_location`` pointing into this package. Each function takes a database URL
(default: the configured one, see :func:`engine.config.Settings.database_url`) or an
existing engine.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, text
from sqlalchemy.exc import InterfaceError, OperationalError, ProgrammingError

from engine.config import settings
from engine.store._db import create_db_engine, database_url, sqlite_path, unavailable

__all__ = ["MIGRATIONS_DIR", "alembic_config", "current", "downgrade", "heads", "upgrade"]

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# Alembic (~10 MiB and a second of imports) is loaded only when the schema must change or
# be inspected: a process opening an up-to-date database compares one row with the
# newest revision named in the migration files (see _up_to_date).
_REVISION = re.compile(r"^(down_)?revision(?::[^=]*)?=\s*[\"']?([\w]+)?[\"']?", re.M)

# Alembic's command API works through module-level proxies (alembic.context), so only
# one migration may run per process at a time; across processes, env.py locks the db.
_LOCK = threading.RLock()


def alembic_config(url: str | None = None, engine: Engine | None = None) -> Config:
    """An Alembic :class:`Config` for the store's migrations (no ini file needed)."""
    from alembic.config import Config

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


def upgrade(
    url: str | None = None, revision: str = "head", *, engine: Engine | None = None
) -> None:
    """Brings the database schema up to ``revision`` (the newest by default)."""
    with _LOCK, _engine(url, engine) as eng:
        if revision == "head" and _up_to_date(eng):
            return
        from alembic import command

        command.upgrade(alembic_config(engine=eng), revision)


def _file_head() -> str | None:
    """The newest revision of the migration files (the one no other revises), or None
    when they cannot be read so simply (then Alembic decides)."""
    revisions, parents = set(), set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        found = dict((bool(down), rev) for down, rev in _REVISION.findall(path.read_text()))
        if False not in found:
            continue
        revisions.add(found[False])
        if found.get(True):
            parents.add(found[True])
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def _up_to_date(engine: Engine) -> bool:
    head = _file_head()
    if head is None:
        return False
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT version_num FROM alembic_version")).all()
    except (OperationalError, ProgrammingError):
        return False  # no table yet: an empty database
    return [r[0] for r in rows] == [head]


def downgrade(
    url: str | None = None, revision: str = "-1", *, engine: Engine | None = None
) -> None:
    """Takes the schema back to ``revision`` (``"base"`` drops every table)."""
    from alembic import command

    with _LOCK, _engine(url, engine) as eng:
        command.downgrade(alembic_config(engine=eng), revision)


def current(url: str | None = None, *, engine: Engine | None = None) -> str | None:
    """The revision the database is at (None for an empty database)."""
    from alembic.runtime.migration import MigrationContext

    with _engine(url, engine) as eng, eng.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def heads() -> list[str]:
    """The newest revision(s) of the migration scripts."""
    from alembic.script import ScriptDirectory

    return list(ScriptDirectory.from_config(alembic_config()).get_heads())
