"""The :class:`Store`: one database, its repositories and retention, opened from a URL."""

from __future__ import annotations

from datetime import datetime, timedelta
from types import TracebackType

from sqlalchemy import Engine, text
from sqlalchemy.exc import InterfaceError, OperationalError

from engine.config import settings
from engine.store import migrate, retention
from engine.store._db import (
    Database,
    create_db_engine,
    database_url,
    sqlite_path,
    unavailable,
)
from engine.store.auth_audit import AuditRepository
from engine.store.auth_oidc import OidcRepository
from engine.store.auth_projects import ProjectRepository
from engine.store.auth_tokens import TokenRepository
from engine.store.auth_users import UserRepository
from engine.store.credentials import CredentialRepository
from engine.store.executions import ExecutionRepository
from engine.store.node_runs import NodeRunRepository
from engine.store.settings import SettingRepository
from engine.store.variables import VariableRepository
from engine.store.webhooks import WebhookRepository
from engine.store.workflows import WorkflowRepository

__all__ = ["Store", "open_store"]


class Store:
    """AURA's persistence: ``store.workflows``, ``.executions``, ``.node_runs``,
    ``.credentials``, ``.variables``, ``.settings``, ``.webhooks``; accounts and access:
    ``.users``, ``.tokens``, ``.projects``, ``.audit``; single sign-on: ``.oidc``.

    Safe to share between threads: each repository method uses its own short session
    and returns detached rows (plain objects that stay readable).

    Args:
        url: SQLAlchemy URL; default ``AURA_DB_URL``, else ``<AURA_DATA_DIR>/aura.db``.
            ``sqlite://`` (in memory, one shared connection) suits single-threaded tests.
        migrate: run ``alembic upgrade head`` on open (the only way tables are created).
        echo: log SQL statements (default ``AURA_DB_ECHO``).

    Raises:
        ValidationError: ``url`` is not a SQLite or PostgreSQL URL.
        DatabaseUnavailable: the database cannot be reached (with ``migrate``).
    """

    def __init__(self, url: str | None = None, *, migrate: bool = True,
                 echo: bool | None = None) -> None:
        cfg = settings()
        if url is None or url == cfg.database_url():
            cfg.ensure_data_dir()  # 0700, also when an older version left it open
            url = cfg.database_url()
        path = sqlite_path(database_url(url))
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self.url = url
        self.engine: Engine = create_db_engine(
            url, echo=cfg.db.echo if echo is None else echo, pool_size=cfg.db.pool_size)
        self.db = Database(self.engine)
        if migrate:
            try:
                self.upgrade()
            except (OperationalError, InterfaceError) as exc:
                self.engine.dispose()
                raise unavailable(url, exc) from None
        self.node_runs = NodeRunRepository(self.db)
        self.workflows = WorkflowRepository(self.db)
        self.executions = ExecutionRepository(self.db, self.node_runs)
        self.credentials = CredentialRepository(self.db)
        self.variables = VariableRepository(self.db)
        self.settings = SettingRepository(self.db)
        self.webhooks = WebhookRepository(self.db)
        self.users = UserRepository(self.db)
        self.tokens = TokenRepository(self.db)
        self.projects = ProjectRepository(self.db)
        self.audit = AuditRepository(self.db)
        self.oidc = OidcRepository(self.db)

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.db.dialect

    # -- schema ---------------------------------------------------------------------------
    def upgrade(self, revision: str = "head") -> None:
        """Migrates the schema to ``revision`` (newest by default)."""
        migrate.upgrade(revision=revision, engine=self.engine)

    def revision(self) -> str | None:
        """The schema revision of the database."""
        return migrate.current(engine=self.engine)

    def ping(self) -> bool:
        """True when the database answers (health checks)."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    # -- retention ------------------------------------------------------------------------
    def prune_executions(self, max_age: timedelta | None = None,
                         max_count: int | None = None, *, now: datetime | None = None,
                         reclaim: bool = True) -> int:
        """Deletes finished executions older than ``max_age`` or beyond the newest
        ``max_count``; see :func:`engine.store.retention.prune_executions`."""
        return retention.prune_executions(self.db, max_age, max_count, now=now,
                                          reclaim=reclaim)

    def prune_execution_data(self, max_age: timedelta | None = None,
                             max_count: int | None = None, *, now: datetime | None = None,
                             reclaim: bool = True) -> int:
        """Drops the item data of finished executions but keeps the executions; see
        :func:`engine.store.retention.prune_execution_data`."""
        return retention.prune_execution_data(self.db, max_age, max_count, now=now,
                                              reclaim=reclaim)

    def reclaim_space(self) -> None:
        """Gives free SQLite pages back to the file system (no-op on PostgreSQL)."""
        retention.reclaim_space(self.db)

    # -- life -----------------------------------------------------------------------------
    def close(self) -> None:
        """Closes every pooled connection."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.engine.url.render_as_string(hide_password=True)!r})"


def open_store(url: str | None = None, *, migrate: bool = True) -> Store:
    """Opens the store at ``url`` (default: the configured database), migrating it."""
    return Store(url, migrate=migrate)
