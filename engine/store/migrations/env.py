"""Alembic environment of the store, driven from code by :mod:`engine.store.migrate`.

The engine comes in through ``config.attributes["engine"]`` (so SQLite connections get
the same pragmas as the store's). The whole upgrade runs in one transaction that holds
the write lock (SQLite ``BEGIN IMMEDIATE``; a PostgreSQL advisory lock), so processes
starting together (studio, workers) migrate once and the others wait, then find the
schema at head. SQLite uses batch mode with foreign keys off during the migration, so
table rebuilds never cascade deletes.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from engine.store._db import WRITE_OPTION, create_db_engine
from engine.store.models import metadata

ADVISORY_LOCK_KEY = 0x41555241  # "AURA"

config = context.config


def run_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    engine = config.attributes.get("engine")
    own = engine is None
    if engine is None:
        engine = create_db_engine(config.get_main_option("sqlalchemy.url") or "")
    try:
        with engine.execution_options(**{WRITE_OPTION: True}).connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:
                connection.connection.driver_connection.execute(  # type: ignore[union-attr]
                    "PRAGMA foreign_keys = OFF")
            try:
                context.configure(connection=connection, target_metadata=metadata,
                                  render_as_batch=sqlite, compare_type=True,
                                  transactional_ddl=True)
                with context.begin_transaction():
                    if connection.dialect.name == "postgresql":
                        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                                           {"key": ADVISORY_LOCK_KEY})
                    context.run_migrations()
            finally:
                if sqlite:
                    connection.connection.driver_connection.execute(  # type: ignore[union-attr]
                        "PRAGMA foreign_keys = ON")
    finally:
        if own:
            engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
