"""The tables of AI agents: an agent and its versions (like a workflow), the steps of
agent runs (each one a checkpoint), approvals (human in the loop) and the token and
cost ledger.

They live on the store's one :data:`~engine.store.models.metadata` (``models.py`` imports
this module); Alembic's migration ``0008`` creates them, and adds ``kind`` and
``agent_id`` to ``execution`` (an agent run is an execution of kind ``agent``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import UniqueConstraint
from sqlmodel import Field

from engine.store.models import StoreModel, _created, _id, _project, _when
from engine.store.types import JSONValue, UTCDateTime, utcnow

__all__ = ["AgentRecord", "AgentStep", "AgentVersion", "Approval", "UsageEntry"]


class AgentRecord(StoreModel, table=True):
    """A stored agent: identity and lifecycle state; its definition lives in versions.

    ``state`` is draft, active, paused or retired (:mod:`engine.agents.registry`).
    """

    __tablename__ = "agent"

    id: str = _id()
    name: str = Field(max_length=200, index=True)
    description: str = Field(default="")
    project_id: str | None = _project()
    state: str = Field(default="draft", max_length=16)
    current_version_id: str | None = Field(default=None, max_length=32)
    version_counter: int = Field(default=0)
    created_at: datetime = _created()
    updated_at: datetime = _created()


class AgentVersion(StoreModel, table=True):
    """One saved definition of an agent; ``number`` counts 1, 2, 3... per agent."""

    __tablename__ = "agent_version"
    __table_args__ = (UniqueConstraint("agent_id", "number"),)

    id: str = _id()
    agent_id: str = Field(foreign_key="agent.id", ondelete="CASCADE", index=True, max_length=32)
    number: int
    definition: dict[str, Any] = Field(sa_type=JSONValue)
    checksum: str = Field(max_length=64)
    message: str = Field(default="")
    author_id: str | None = Field(default=None, max_length=32)
    created_at: datetime = _created()


class AgentStep(StoreModel, table=True):
    """One finished (or failed) step of an agent run: a model call, a plan, a tool call,
    an approval, the final answer. A run resumes after its last recorded step."""

    __tablename__ = "agent_step"
    __table_args__ = (UniqueConstraint("execution_id", "position"),)

    id: str = _id()
    execution_id: str = Field(foreign_key="execution.id", ondelete="CASCADE", max_length=32)
    position: int
    kind: str = Field(max_length=16)
    name: str = Field(default="", max_length=200)
    status: str = Field(default="succeeded", max_length=16)
    started_at: datetime | None = _when()
    finished_at: datetime | None = _when()
    model: str = Field(default="", max_length=200)
    tokens_in: int = Field(default=0)
    tokens_out: int = Field(default=0)
    cost: float = Field(default=0.0)
    input: Any = Field(default=None, sa_type=JSONValue, nullable=True)
    output: Any = Field(default=None, sa_type=JSONValue, nullable=True)
    error: dict[str, Any] | None = Field(default=None, sa_type=JSONValue)


class Approval(StoreModel, table=True):
    """A request for a person's decision: a sensitive tool call of an agent run, or an
    Approval node of a workflow. ``status``: pending, approved, rejected, expired."""

    __tablename__ = "approval"

    id: str = _id()
    execution_id: str | None = Field(default=None, max_length=32, index=True)
    project_id: str | None = _project()
    kind: str = Field(default="tool", max_length=16)
    title: str = Field(default="", max_length=500)
    subject: Any = Field(default=None, sa_type=JSONValue, nullable=True)
    status: str = Field(default="pending", max_length=16, index=True)
    requested_by: str | None = Field(default=None, max_length=32)
    assignee_id: str | None = Field(default=None, max_length=32)
    decided_by: str | None = Field(default=None, max_length=32)
    comment: str = Field(default="")
    created_at: datetime = _created()
    decided_at: datetime | None = _when()
    expires_at: datetime | None = _when()


class UsageEntry(StoreModel, table=True):
    """Tokens and cost of one model call, attributed to its run, agent, workflow and
    project (the ledger that budgets and statistics read)."""

    __tablename__ = "usage_entry"

    id: str = _id()
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    execution_id: str | None = Field(default=None, max_length=32, index=True)
    step_position: int | None = Field(default=None)
    agent_id: str | None = Field(default=None, max_length=32, index=True)
    workflow_id: str | None = Field(default=None, max_length=32, index=True)
    project_id: str | None = _project()
    model: str = Field(default="", max_length=200)
    tokens_in: int = Field(default=0)
    tokens_out: int = Field(default=0)
    cost: float = Field(default=0.0)
