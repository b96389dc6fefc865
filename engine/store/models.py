"""The tables of AURA's store (SQLModel, ``table=True``), all on one :data:`metadata`.

Alembic (``engine/store/migrations``) is the only way these tables reach a database;
``tests/store/test_migrations.py`` proves the migrations and these classes agree.

Conventions: ids are 32-hex-digit strings; every timestamp is an aware UTC datetime
(:class:`~engine.store.types.UTCDateTime`); JSON columns keep key order (``json``, not
``jsonb``, on PostgreSQL); statuses and modes are plain strings (see :mod:`engine.store.enums`).
Nullable ``project_id`` columns are there for projects and roles, which come next.

Deliberately without foreign keys: ``execution.workflow_id`` and
``execution.workflow_version_id`` (executions outlive their workflow and keep its name),
and ``workflow.current_version_id``/``published_version_id`` (no circular keys).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, LargeBinary, MetaData, UniqueConstraint, text
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from engine.store.types import JSONValue, UTCDateTime, new_id, utcnow

__all__ = [
    "Credential",
    "Execution",
    "NodeRun",
    "Setting",
    "StoreModel",
    "Variable",
    "Webhook",
    "WorkflowRecord",
    "WorkflowVersion",
    "metadata",
]

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)
"""The metadata of every store table (Alembic's ``target_metadata``)."""


class StoreModel(SQLModel, registry=registry(metadata=metadata)):
    """Base of the store's tables: its own registry, so other SQLModel users don't mix in."""


def _id() -> Any:
    return Field(default_factory=new_id, primary_key=True, max_length=32)


def _created() -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime)


def _when() -> Any:
    return Field(default=None, sa_type=UTCDateTime)


def _project() -> Any:
    return Field(default=None, max_length=32, index=True)


class WorkflowRecord(StoreModel, table=True):
    """A stored workflow: its identity and state; the definition lives in its versions."""

    __tablename__ = "workflow"

    id: str = _id()
    name: str = Field(max_length=200, index=True)
    description: str = Field(default="")
    project_id: str | None = _project()
    folder: str = Field(default="", max_length=500)
    tags: list[str] = Field(default_factory=list, sa_type=JSONValue)
    active: bool = Field(default=False)
    current_version_id: str | None = Field(default=None, max_length=32)
    published_version_id: str | None = Field(default=None, max_length=32)
    version_counter: int = Field(default=0)
    static_data: dict[str, Any] = Field(default_factory=dict, sa_type=JSONValue)
    created_at: datetime = _created()
    updated_at: datetime = _created()
    archived_at: datetime | None = _when()


class WorkflowVersion(StoreModel, table=True):
    """One saved definition of a workflow; ``number`` counts 1, 2, 3... per workflow."""

    __tablename__ = "workflow_version"
    __table_args__ = (UniqueConstraint("workflow_id", "number"),)

    id: str = _id()
    workflow_id: str = Field(
        foreign_key="workflow.id", ondelete="CASCADE", index=True, max_length=32
    )
    number: int
    definition: dict[str, Any] = Field(sa_type=JSONValue)
    checksum: str = Field(max_length=64)
    message: str = Field(default="")
    author_id: str | None = Field(default=None, max_length=32)
    created_at: datetime = _created()


SPARSE_INDEXED = ("resume_token", "retry_of", "parent_execution_id", "wait_until", "agent_id")
"""Execution columns almost always NULL, indexed only where they hold a value."""


class Execution(StoreModel, table=True):
    """One run of a workflow (stored, or an ad-hoc file run with a definition snapshot)."""

    __tablename__ = "execution"
    __table_args__ = (
        Index("ix_execution_workflow_id_created_at", "workflow_id", "created_at"),
        # columns almost always NULL: only the rows with a value are indexed (0009)
        *(
            Index(
                f"ix_execution_{column}",
                column,
                unique=column == "resume_token",
                sqlite_where=text(f"{column} IS NOT NULL"),
                postgresql_where=text(f"{column} IS NOT NULL"),
            )
            for column in SPARSE_INDEXED
        ),
    )

    id: str = _id()
    workflow_id: str | None = Field(default=None, max_length=32)
    workflow_version_id: str | None = Field(default=None, max_length=32)
    workflow_name: str = Field(default="", max_length=200)
    definition: dict[str, Any] | None = Field(default=None, sa_type=JSONValue)
    mode: str = Field(default="manual", max_length=16)
    status: str = Field(default="queued", max_length=16, index=True)
    trigger: dict[str, Any] | None = Field(default=None, sa_type=JSONValue)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    started_at: datetime | None = _when()
    finished_at: datetime | None = _when()
    error: dict[str, Any] | None = Field(default=None, sa_type=JSONValue)
    input: Any = Field(default=None, sa_type=JSONValue, nullable=True)
    output_summary: dict[str, Any] | None = Field(default=None, sa_type=JSONValue)
    retry_of: str | None = Field(default=None, max_length=32)
    attempt: int = Field(default=1)
    parent_execution_id: str | None = Field(default=None, max_length=32)
    worker_id: str | None = Field(default=None, max_length=200)
    heartbeat_at: datetime | None = _when()
    wait_until: datetime | None = _when()
    resume_token: str | None = Field(default=None, max_length=200)
    project_id: str | None = _project()
    principal_kind: str = Field(default="project", max_length=16)
    """Who the execution acts as: user, api_key, project (triggers) or system (see
    engine.services.principals); workers rebuild it from these columns alone."""
    principal_user_id: str | None = Field(default=None, max_length=32)
    principal_api_key_id: str | None = Field(default=None, max_length=32)
    data_pruned: bool = Field(default=False)
    checkpoint: dict[str, Any] | None = Field(default=None, sa_type=JSONValue)
    """A parked execution's resume state (see engine.executor.result.Checkpoint)."""
    kind: str = Field(
        default="workflow", max_length=16, sa_column_kwargs={"server_default": "workflow"}
    )
    """``workflow``, or ``agent`` for an agent run (engine.agents.runs)."""
    agent_id: str | None = Field(default=None, max_length=32)


class NodeRun(StoreModel, table=True):
    """One run of one node in an execution (a node inside a loop runs several times)."""

    __tablename__ = "node_run"
    __table_args__ = (Index("ix_node_run_execution_id_position", "execution_id", "position"),)

    id: str = _id()
    execution_id: str = Field(foreign_key="execution.id", ondelete="CASCADE", max_length=32)
    node_name: str = Field(max_length=200)
    node_type: str = Field(default="", max_length=200)
    type_version: int = Field(default=1)
    run_index: int = Field(default=0)
    position: int = Field(default=0)
    status: str = Field(default="running", max_length=16)
    started_at: datetime | None = _when()
    finished_at: datetime | None = _when()
    attempts: int = Field(default=1)
    input_counts: dict[str, int] = Field(default_factory=dict, sa_type=JSONValue)
    output_counts: dict[str, int] = Field(default_factory=dict, sa_type=JSONValue)
    input: dict[str, Any] | None = Field(default=None, sa_type=JSONValue)
    output: dict[str, Any] | None = Field(default=None, sa_type=JSONValue)
    error: dict[str, Any] | None = Field(default=None, sa_type=JSONValue)
    logs: list[str] = Field(default_factory=list, sa_type=JSONValue)


class Credential(StoreModel, table=True):
    """A credential: its secret fields live only in ``data``, encrypted by a cipher."""

    __tablename__ = "credential"

    id: str = _id()
    name: str = Field(max_length=200, index=True)
    kind: str = Field(max_length=200, index=True)
    project_id: str | None = _project()
    data: bytes = Field(sa_type=LargeBinary)
    key_id: str = Field(max_length=64)
    created_at: datetime = _created()
    updated_at: datetime = _created()


class Variable(StoreModel, table=True):
    """A ``$vars`` entry: global (``project_id`` NULL) or per project; keys unique in each."""

    __tablename__ = "variable"
    __table_args__ = (
        UniqueConstraint("project_id", "key"),
        Index(
            "uq_variable_global_key",
            "key",
            unique=True,
            sqlite_where=text("project_id IS NULL"),
            postgresql_where=text("project_id IS NULL"),
        ),
    )

    id: str = _id()
    key: str = Field(max_length=128)
    value: str = Field(default="")
    project_id: str | None = Field(default=None, max_length=32)


class Setting(StoreModel, table=True):
    """An instance-wide setting changed at run time (not an ``AURA_*`` environment one)."""

    __tablename__ = "setting"

    key: str = Field(primary_key=True, max_length=200)
    value: Any = Field(default=None, sa_type=JSONValue, nullable=True)
    updated_at: datetime = _created()


class Webhook(StoreModel, table=True):
    """A registered webhook: ``method`` + ``path`` routes to a node of a workflow."""

    __tablename__ = "webhook"
    __table_args__ = (UniqueConstraint("method", "path"),)

    id: str = _id()
    workflow_id: str = Field(
        foreign_key="workflow.id", ondelete="CASCADE", index=True, max_length=32
    )
    node_name: str = Field(max_length=200)
    method: str = Field(max_length=10)
    path: str = Field(max_length=500)
    created_at: datetime = _created()


# The agent tables (agents, versions, run steps, approvals, usage ledger) share this
# metadata.
from engine.store import models_agents as _models_agents  # noqa: E402,F401

# The auth tables (users, sessions, projects, audit...) too.
from engine.store import models_auth as _models_auth  # noqa: E402,F401

# The knowledge base tables (bases, documents, chunks with their embeddings) too.
from engine.store import models_knowledge as _models_knowledge  # noqa: E402,F401

# The single sign-on tables (providers, identities, pending logins) too.
from engine.store import models_oidc as _models_oidc  # noqa: E402,F401
