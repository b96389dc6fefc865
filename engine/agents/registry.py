"""The agent registry in the store: agents, their numbered versions and their lifecycle.

Like workflows, every save that changes the definition is a new version (1, 2, 3...);
an identical definition (same checksum) adds nothing. The newest version is the one
runs use. States (:data:`TRANSITIONS`): ``draft -> active -> paused -> active``, any
state ``-> retired``, and ``retired -> draft`` to reopen one. Authorization is the
services layer's (:mod:`engine.services.agents`); these functions only store.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from engine.agents.definition import STATES, load_definition
from engine.errors import ConflictError, NotFoundError, ValidationError
from engine.store.models_agents import AgentRecord, AgentVersion
from engine.store.types import checksum, new_id, utcnow

__all__ = [
    "TRANSITIONS",
    "create",
    "current",
    "get",
    "list_agents",
    "named",
    "save",
    "set_state",
    "update_info",
    "versions",
]

TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"active", "retired"}),
    "active": frozenset({"paused", "retired", "draft"}),
    "paused": frozenset({"active", "retired"}),
    "retired": frozenset({"draft"}),
}
"""state -> states it may move to."""
_HINT = "List agents with 'aura agent list'."


def _name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise ValidationError("An agent needs a name of 1-200 characters.")
    return name


def _missing(ref: str) -> NotFoundError:
    return NotFoundError(f"No agent {ref!r}. {_HINT}", details={"agent": ref})


def _add_version(
    s: Session, rec: AgentRecord, data: dict[str, Any], message: str, author: str | None
) -> AgentVersion:
    rec.version_counter += 1
    ver = AgentVersion(
        id=new_id(),
        agent_id=rec.id,
        number=rec.version_counter,
        definition=data,
        checksum=checksum(data),
        message=message,
        author_id=author,
    )
    s.add(ver)
    rec.current_version_id = ver.id
    rec.updated_at = utcnow()
    s.add(rec)
    s.flush()
    return ver


def create(
    store: Any,
    *,
    name: str,
    definition: Any,
    project_id: str | None,
    description: str = "",
    author_id: str | None = None,
    message: str = "Created",
) -> AgentRecord:
    """Stores a new agent (``draft``) with ``definition`` as version 1."""
    data = load_definition(definition, what=f"agent '{name}'").model_dump(mode="json")
    now = utcnow()
    rec = AgentRecord(
        id=new_id(),
        name=_name(name),
        description=description or "",
        project_id=project_id,
        created_at=now,
        updated_at=now,
    )
    with store.db.write() as s:
        s.add(rec)
        s.flush()
        _add_version(s, rec, data, message, author_id)
    return rec


def get(store: Any, agent_id: str) -> AgentRecord:
    with store.db.read() as s:
        rec: AgentRecord | None = s.get(AgentRecord, agent_id)
    if rec is None:
        raise _missing(agent_id)
    return rec


def named(store: Any, name: str) -> list[AgentRecord]:
    """Agents called ``name`` (any project), oldest first."""
    with store.db.read() as s:
        stmt = select(AgentRecord).where(col(AgentRecord.name) == name)
        return list(s.exec(stmt.order_by(col(AgentRecord.created_at))).all())


def list_agents(
    store: Any, project_ids: list[str] | None = None, *, states: list[str] | None = None
) -> list[AgentRecord]:
    """Agents (of ``project_ids`` when given), newest change first."""
    with store.db.read() as s:
        stmt = select(AgentRecord)
        if project_ids is not None:
            stmt = stmt.where(col(AgentRecord.project_id).in_(project_ids))
        if states:
            stmt = stmt.where(col(AgentRecord.state).in_(states))
        return list(s.exec(stmt.order_by(col(AgentRecord.updated_at).desc())).all())


def current(store: Any, agent_id: str) -> tuple[AgentRecord, AgentVersion]:
    """The agent and its newest version."""
    with store.db.read() as s:
        rec = s.get(AgentRecord, agent_id)
        ver = (
            s.get(AgentVersion, rec.current_version_id) if rec and rec.current_version_id else None
        )
    if rec is None or ver is None:
        raise _missing(agent_id)
    return rec, ver


def versions(store: Any, agent_id: str) -> list[AgentVersion]:
    """Every version of the agent, newest first."""
    with store.db.read() as s:
        stmt = select(AgentVersion).where(col(AgentVersion.agent_id) == agent_id)
        return list(s.exec(stmt.order_by(col(AgentVersion.number).desc())).all())


def version(store: Any, version_id: str) -> AgentVersion:
    with store.db.read() as s:
        ver: AgentVersion | None = s.get(AgentVersion, version_id)
    if ver is None:
        raise NotFoundError(f"Agent version {version_id} no longer exists.")
    return ver


def save(
    store: Any,
    agent_id: str,
    definition: Any,
    *,
    message: str = "",
    author_id: str | None = None,
    base_version: int | None = None,
) -> AgentVersion:
    """Saves a new definition; returns the new version, or the current one if unchanged.

    Raises:
        ConflictError: ``base_version`` (the version the editor loaded) is not the newest
            any more, or the agent is retired.
    """
    with store.db.write() as s:
        rec = s.get(AgentRecord, agent_id, with_for_update=True)
        if rec is None:
            raise _missing(agent_id)
        data = load_definition(definition, what=f"agent '{rec.name}'").model_dump(mode="json")
        if rec.state == "retired":
            raise ConflictError(
                f"Agent '{rec.name}' is retired; reopen it as a draft before editing it."
            )
        if base_version is not None and base_version != rec.version_counter:
            raise ConflictError(
                f"Agent '{rec.name}' was saved again (now version {rec.version_counter}) "
                f"after you opened version {base_version}; reload it and re-apply your "
                "changes.",
                details={"current_version": rec.version_counter},
            )
        cur: AgentVersion | None = (
            s.get(AgentVersion, rec.current_version_id) if rec.current_version_id else None
        )
        if cur is not None and cur.checksum == checksum(data):
            return cur
        return _add_version(s, rec, data, message or "Saved", author_id)


def update_info(
    store: Any, agent_id: str, *, name: str | None = None, description: str | None = None
) -> AgentRecord:
    with store.db.write() as s:
        rec: AgentRecord | None = s.get(AgentRecord, agent_id)
        if rec is None:
            raise _missing(agent_id)
        if name is not None:
            rec.name = _name(name)
        if description is not None:
            rec.description = description
        rec.updated_at = utcnow()
        s.add(rec)
    return rec


def set_state(store: Any, agent_id: str, state: str) -> AgentRecord:
    """Moves the agent to ``state``.

    Raises:
        ValidationError: not a state.
        ConflictError: the move is not allowed from its state.
    """
    if state not in STATES:
        raise ValidationError(f"Unknown agent state {state!r}; use one of {', '.join(STATES)}.")
    with store.db.write() as s:
        rec: AgentRecord | None = s.get(AgentRecord, agent_id, with_for_update=True)
        if rec is None:
            raise _missing(agent_id)
        if state != rec.state and state not in TRANSITIONS[rec.state]:
            allowed = ", ".join(sorted(TRANSITIONS[rec.state]))
            raise ConflictError(
                f"Agent '{rec.name}' is {rec.state}; it can become {allowed}, not {state}.",
                details={"state": rec.state},
            )
        rec.state = state
        rec.updated_at = utcnow()
        s.add(rec)
    return rec
