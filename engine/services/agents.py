"""Agent services: the one door the API, the CLI, the studio and the console use for
agents — the registry (create, edit, version, duplicate, export/import, lifecycle), runs
and chat (:mod:`engine.services.agent_runs`), approvals (:mod:`engine.services.approvals`)
and the token and cost ledger (:mod:`engine.services.ledger`), all re-exported here.

Every call is authorized in the agent's project (``agent:*`` actions of
:mod:`engine.auth.rbac`). An agent the caller may not read does not exist for them
(:class:`~engine.errors.NotFoundError`, worded as for a missing one). An agent's
references are checked when it is saved: its model credential must be one the caller
may use, its workflow tools workflows the caller may run (run time checks again, as the
run's principal).

Example::

    from engine.services import agents

    view = agents.create_agent(me, "Helper", {"instructions": "Be brief.",
                               "model": {"credential_id": cid}})
    agents.set_state(me, view.id, "active")
    handle = agents.start_run(me, view.id, "What is 2+2?")
    row = handle.result(timeout=60)          # an execution of kind 'agent'
    agents.run_steps(me, handle.id)          # its steps, with timings and tokens
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.agents import registry
from engine.agents.definition import EXPORT_FORMAT, AgentDefinition, Budget, load_definition
from engine.auth import projects
from engine.auth.rbac import authorize, can
from engine.auth.types import Principal
from engine.errors import NotFoundError, ValidationError
from engine.services import access
from engine.services.agent_memory import StoredMemory, memory_for_execution, memory_key
from engine.services.auth import context
from engine.store.models_agents import AgentRecord

__all__ = [
    "AgentView",
    "Budget",
    "StoredMemory",
    "agent_versions",
    "budget_status",
    "chat",
    "create_agent",
    "decide",
    "duplicate_agent",
    "expire_due",
    "export_agent",
    "find_agent",
    "get_agent",
    "get_approval",
    "get_run",
    "import_agent",
    "inbox",
    "list_agents",
    "list_runs",
    "memory_for_execution",
    "memory_key",
    "price_table",
    "resume",
    "run_steps",
    "save_agent",
    "set_prices",
    "set_project_budget",
    "set_state",
    "start_run",
    "update_agent",
    "usage",
    "wait_for_run",
]


@dataclass(frozen=True)
class AgentView:
    """An agent as the API shows it: identity, state, its newest version's definition."""

    id: str
    name: str
    description: str
    project_id: str | None
    state: str
    version: int
    version_id: str | None
    definition: dict[str, Any]
    created_at: datetime
    updated_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "project_id": self.project_id,
            "state": self.state,
            "version": self.version,
            "version_id": self.version_id,
            "definition": self.definition,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }


def _view(rec: AgentRecord) -> AgentView:
    _, ver = registry.current(context().store, rec.id)
    return AgentView(
        rec.id,
        rec.name,
        rec.description,
        rec.project_id,
        rec.state,
        rec.version_counter,
        rec.current_version_id,
        dict(ver.definition),
        rec.created_at,
        rec.updated_at,
    )


def _missing(ref: str) -> NotFoundError:
    return NotFoundError(
        f"No agent {ref!r}. List them with 'aura agent list'.", details={"agent": ref}
    )


def find_agent(principal: Principal, ref: str, action: str = "agent:read") -> AgentRecord:
    """The agent ``ref`` (its id, or its name in the caller's projects) if the caller may
    ``action`` on it. Raises NotFoundError when they may not even read it,
    PermissionDenied when they may read but not ``action``."""
    store = context().store
    return access.in_projects(
        principal,
        ref,
        by_id=lambda r: registry.get(store, r),
        by_name=lambda r: registry.named(store, r),
        read="agent:read",
        action=action,
        missing=_missing,
    )


def check_references(
    principal: Principal, definition: AgentDefinition, project_id: str | None
) -> None:
    """Refuses (422) a model credential the caller may not use, workflow tools they may
    not run, and node tools whose node cannot be a tool or whose credentials they may
    not use; the run checks again as its principal."""
    from engine.services.principals import RunAs, can_use_credential, find_workflow

    cid = definition.model.credential_id
    if cid and not can_use_credential(principal, cid):
        raise ValidationError(
            f"The model credential {cid} is not one you may use (deleted, or neither "
            "owned by nor shared with your projects). Choose one of your credentials.",
            details={"field": "model.credential_id"},
        )
    run_as = RunAs.caller(principal, project_id)
    for tool in definition.tools:
        if tool.kind == "node":
            _check_node_tool(principal, tool)
        if tool.kind == "knowledge":
            from engine.services.agent_tools import check_knowledge_tool

            check_knowledge_tool(tool)
        if tool.kind != "workflow" or not tool.workflow_id:
            continue
        try:
            find_workflow(run_as, tool.workflow_id)
        except NotFoundError:
            raise ValidationError(
                f"Tool '{tool.name}': no workflow {tool.workflow_id!r} that you may run. "
                "Pick one of your project's workflows, or have it shared with the project.",
                details={"field": f"tools.{tool.name}.workflow_id"},
            ) from None


def _check_node_tool(principal: Principal, tool: Any) -> None:
    """A node tool's node can be a tool, and its credentials are the caller's to use."""
    from engine.services.agent_tools import check_node_tool
    from engine.services.principals import can_use_credential

    check_node_tool(tool)
    for slot, cid in tool.credentials.items():
        if not can_use_credential(principal, cid):
            raise ValidationError(
                f"Tool '{tool.name}': the credential {cid} for '{slot}' is not one you may "
                "use (deleted, or neither owned by nor shared with your projects).",
                details={"field": f"tools.{tool.name}.credentials"},
            )


def create_agent(
    principal: Principal,
    name: str,
    definition: Any = None,
    *,
    project_id: str | None = None,
    description: str = "",
) -> AgentView:
    """A new agent (``draft``, version 1) in ``project_id`` (default: the caller's own)."""
    ctx = context()
    project_id = project_id or projects.default_project(ctx, principal)
    authorize(principal, "agent:create", project_id=project_id)
    parsed = load_definition(definition or {}, what=f"agent '{name}'")
    check_references(principal, parsed, project_id)
    rec = registry.create(
        ctx.store,
        name=name,
        definition=parsed,
        project_id=project_id,
        description=description,
        author_id=principal.user_id,
    )
    ctx.audit(principal, "agent.created", "agent", rec.id, {"name": rec.name})
    return _view(rec)


def list_agents(
    principal: Principal, *, project_id: str | None = None, state: str | None = None
) -> list[AgentView]:
    """The agents the caller may read (of ``project_id`` / in ``state`` when given)."""
    authorize(principal, "agent:read", project_id=project_id)
    rows = registry.list_agents(
        context().store, [project_id] if project_id else None, states=[state] if state else None
    )
    return [_view(r) for r in rows if can(principal, "agent:read", project_id=r.project_id)]


def get_agent(principal: Principal, ref: str) -> AgentView:
    """The agent ``ref`` (id, or name in the caller's projects) with its newest version's
    definition. Raises NotFoundError when the caller may not read it."""
    return _view(find_agent(principal, ref))


def save_agent(
    principal: Principal,
    ref: str,
    definition: Any,
    *,
    message: str = "",
    base_version: int | None = None,
) -> AgentView:
    """Saves a new version of the agent's definition (nothing when unchanged)."""
    rec = find_agent(principal, ref, "agent:update")
    parsed = load_definition(definition, what=f"agent '{rec.name}'")
    check_references(principal, parsed, rec.project_id)
    ctx = context()
    ver = registry.save(
        ctx.store,
        rec.id,
        parsed,
        message=message,
        author_id=principal.user_id,
        base_version=base_version,
    )
    ctx.audit(principal, "agent.saved", "agent", rec.id, {"version": ver.number})
    return get_agent(principal, rec.id)


def update_agent(
    principal: Principal, ref: str, *, name: str | None = None, description: str | None = None
) -> AgentView:
    """Renames the agent or changes its description (no new version)."""
    rec = find_agent(principal, ref, "agent:update")
    rec = registry.update_info(context().store, rec.id, name=name, description=description)
    return _view(rec)


def set_state(principal: Principal, ref: str, state: str) -> AgentView:
    """Activates, pauses, retires or reopens (``draft``) the agent."""
    rec = find_agent(principal, ref, "agent:update")
    ctx = context()
    rec = registry.set_state(ctx.store, rec.id, state)
    ctx.audit(principal, f"agent.{state}", "agent", rec.id, {"name": rec.name})
    return _view(rec)


def agent_versions(principal: Principal, ref: str) -> list[dict[str, Any]]:
    """The agent's versions, newest first (number, message, author, when, definition)."""
    rec = find_agent(principal, ref)
    return [
        {
            "id": v.id,
            "number": v.number,
            "message": v.message,
            "author_id": v.author_id,
            "created_at": v.created_at.isoformat(),
            "definition": v.definition,
        }
        for v in registry.versions(context().store, rec.id)
    ]


def duplicate_agent(
    principal: Principal, ref: str, *, name: str | None = None, project_id: str | None = None
) -> AgentView:
    """A new draft agent with the definition of ``ref``'s newest version."""
    src = get_agent(principal, ref)
    return create_agent(
        principal,
        name or f"{src.name} (copy)",
        src.definition,
        project_id=project_id or src.project_id,
        description=src.description,
    )


def export_agent(principal: Principal, ref: str) -> dict[str, Any]:
    """The agent as portable JSON (format ``aura-agent/1``: name, description and the
    definition; no ids of this instance besides the ones the definition references)."""
    view = get_agent(principal, ref)
    return {
        "format": EXPORT_FORMAT,
        "name": view.name,
        "description": view.description,
        "definition": view.definition,
    }


def import_agent(
    principal: Principal, data: Any, *, project_id: str | None = None, name: str | None = None
) -> AgentView:
    """A new draft agent from :func:`export_agent`'s JSON."""
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
        raise ValidationError(
            f"This is not an exported agent (expected an object with format "
            f"'{EXPORT_FORMAT}', as 'aura agent export' writes)."
        )
    return create_agent(
        principal,
        name or str(data.get("name") or ""),
        data.get("definition") or {},
        project_id=project_id,
        description=str(data.get("description") or ""),
    )


# runs, approvals and the ledger live in their own modules; callers use this one door
from engine.services.agent_runs import (  # noqa: E402
    chat,
    get_run,
    list_runs,
    resume,
    run_steps,
    start_run,
    wait_for_run,
)
from engine.services.approvals import decide, expire_due, get_approval, inbox  # noqa: E402
from engine.services.ledger import (  # noqa: E402
    budget_status,
    price_table,
    set_prices,
    set_project_budget,
    usage,
)
