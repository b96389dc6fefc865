"""``/api/v1/agents``, ``/api/v1/agent-runs``, ``/api/v1/approvals``, ``/api/v1/usage``:
the agent registry (create, edit, versions, states, duplicate, export/import), runs and
their steps, the approvals inbox, the token and cost ledger.

Every handler goes through :mod:`engine.services.agents`, which authorizes in the
agent's (or run's, or approval's) project: another project's agent answers 404.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from engine.services import agents
from studio.api.routing import Call, Router
from studio.api.schemas import In, Out

__all__ = ["router"]

router = Router("Agents")


class AgentIn(In):
    name: str = Field(max_length=200, description="The agent's name.")
    project_id: str | None = Field(None, max_length=64, description="Default: your own.")
    description: str = Field("", max_length=2000, description="What it is for.")
    definition: dict[str, Any] = Field(
        default_factory=dict,
        description="Instructions, model, strategy, tools, memory, limits, approvals, "
        "budget (see docs/agents.md).",
    )


class AgentSaveIn(In):
    definition: dict[str, Any] = Field(description="The new definition (a new version).")
    message: str = Field("", max_length=500, description="What changed.")
    base_version: int | None = Field(
        None, ge=1, le=2**31 - 1, description="The version you edited (conflicts)."
    )


class AgentPatchIn(In):
    name: str | None = Field(None, max_length=200, description="A new name.")
    description: str | None = Field(None, max_length=2000, description="A new description.")


class StateIn(In):
    state: Literal["draft", "active", "paused", "retired"] = Field(description="New state.")


class DuplicateIn(In):
    name: str | None = Field(None, max_length=200, description="Name of the copy.")
    project_id: str | None = Field(None, max_length=64, description="Project of the copy.")


class ImportIn(In):
    agent: dict[str, Any] = Field(description="JSON from 'export' (format aura-agent/1).")
    project_id: str | None = Field(None, max_length=64, description="Default: your own.")
    name: str | None = Field(None, max_length=200, description="Another name.")


class RunIn(In):
    prompt: str = Field(max_length=100_000, description="What to ask the agent.")
    session: str | None = Field(None, max_length=200, description="Conversation id.")
    wait: float = Field(0, ge=0, le=300, description="Seconds to wait for the end.")


class DecisionIn(In):
    decision: Literal["approve", "reject"] = Field(description="Approve or reject.")
    comment: str = Field("", max_length=2000, description="Why (kept with the decision).")


class UsageQuery(In):
    by: Literal["execution_id", "agent_id", "workflow_id", "project_id", "model"] = Field(
        "agent_id", description="What to add up by."
    )
    project_id: str | None = Field(None, max_length=64, description="Only this project.")
    agent_id: str | None = Field(None, max_length=64, description="Only this agent.")


class AgentOut(Out):
    id: str
    name: str
    description: str
    project_id: str | None = None
    state: str = Field(description="draft, active, paused or retired.")
    version: int = Field(description="The newest version's number.")
    version_id: str | None = None
    definition: dict[str, Any]
    created_at: str
    updated_at: str


class AgentList(Out):
    items: list[AgentOut]


class RunOut(Out):
    id: str
    agent_id: str | None = None
    agent: str
    status: str
    mode: str
    prompt: str | None = None
    session: str | None = None
    answer: str | None = None
    tokens_in: int | None = None
    tokens_out: int | None = None
    cost: float | None = None
    error: dict[str, Any] | None = None
    warnings: list[str] = Field(default_factory=list, description="Budgets past warn.")
    created_at: str
    started_at: str | None = None
    finished_at: str | None = None
    steps: list[dict[str, Any]] = Field(default_factory=list, description="Its steps.")


class RunList(Out):
    items: list[RunOut]


class ApprovalOut(Out):
    id: str
    execution_id: str | None = None
    project_id: str | None = None
    kind: str
    title: str
    subject: Any = None
    status: str = Field(description="pending, approved, rejected or expired.")
    requested_by: str | None = None
    decided_by: str | None = None
    comment: str = ""
    created_at: str
    decided_at: str | None = None
    expires_at: str | None = Field(
        None, description="When nobody deciding by then expires it (None: it waits)."
    )


class ApprovalList(Out):
    items: list[ApprovalOut]


class UsageList(Out):
    items: list[dict[str, Any]]


def _agent(call: Call) -> str:
    return str(call.path["agent_id"])


@router.get(
    "/agents", action="agent:read", summary="List agents", response=AgentList, scope="service"
)
def list_agents(call: Call) -> dict[str, Any]:
    return {"items": [a.to_dict() for a in agents.list_agents(call.principal)]}


@router.post(
    "/agents",
    action="agent:create",
    summary="Create an agent",
    body=AgentIn,
    status=201,
    errors=(404, 422),
    response=AgentOut,
    scope="service",
)
def create_agent(call: Call) -> dict[str, Any]:
    b: AgentIn = call.body
    return agents.create_agent(
        call.principal, b.name, b.definition, project_id=b.project_id, description=b.description
    ).to_dict()


@router.post(
    "/agents/import",
    action="agent:create",
    summary="Import an exported agent",
    body=ImportIn,
    status=201,
    errors=(404, 422),
    response=AgentOut,
    scope="service",
)
def import_agent(call: Call) -> dict[str, Any]:
    b: ImportIn = call.body
    return agents.import_agent(
        call.principal, b.agent, project_id=b.project_id, name=b.name
    ).to_dict()


@router.get(
    "/agents/{agent_id}",
    action="agent:read",
    summary="Get an agent",
    errors=(404,),
    response=AgentOut,
    scope="service",
)
def get_agent(call: Call) -> dict[str, Any]:
    return agents.get_agent(call.principal, _agent(call)).to_dict()


@router.put(
    "/agents/{agent_id}",
    action="agent:update",
    summary="Save a new version",
    body=AgentSaveIn,
    errors=(404, 409, 422),
    response=AgentOut,
    scope="service",
)
def save_agent(call: Call) -> dict[str, Any]:
    b: AgentSaveIn = call.body
    return agents.save_agent(
        call.principal, _agent(call), b.definition, message=b.message, base_version=b.base_version
    ).to_dict()


@router.patch(
    "/agents/{agent_id}",
    action="agent:update",
    summary="Rename or describe",
    body=AgentPatchIn,
    errors=(404, 422),
    response=AgentOut,
    scope="service",
)
def update_agent(call: Call) -> dict[str, Any]:
    b: AgentPatchIn = call.body
    return agents.update_agent(
        call.principal, _agent(call), name=b.name, description=b.description
    ).to_dict()


@router.post(
    "/agents/{agent_id}/state",
    action="agent:update",
    summary="Change its state",
    body=StateIn,
    errors=(404, 409),
    response=AgentOut,
    scope="service",
)
def set_state(call: Call) -> dict[str, Any]:
    return agents.set_state(call.principal, _agent(call), call.body.state).to_dict()


@router.get(
    "/agents/{agent_id}/versions",
    action="agent:read",
    summary="List its versions",
    errors=(404,),
    scope="service",
)
def agent_versions(call: Call) -> dict[str, Any]:
    return {"items": agents.agent_versions(call.principal, _agent(call))}


@router.post(
    "/agents/{agent_id}/duplicate",
    action="agent:create",
    summary="Duplicate it",
    body=DuplicateIn,
    status=201,
    errors=(404,),
    response=AgentOut,
    scope="service",
)
def duplicate_agent(call: Call) -> dict[str, Any]:
    b: DuplicateIn = call.body
    return agents.duplicate_agent(
        call.principal, _agent(call), name=b.name, project_id=b.project_id
    ).to_dict()


@router.get(
    "/agents/{agent_id}/export",
    action="agent:read",
    summary="Export as JSON",
    errors=(404,),
    scope="service",
)
def export_agent(call: Call) -> dict[str, Any]:
    return agents.export_agent(call.principal, _agent(call))


@router.post(
    "/agents/{agent_id}/runs",
    action="agent:run",
    summary="Run the agent",
    body=RunIn,
    status=201,
    errors=(404, 409, 422),
    response=RunOut,
    scope="service",
)
def start_run(call: Call) -> dict[str, Any]:
    b: RunIn = call.body
    handle = agents.start_run(call.principal, _agent(call), b.prompt, session=b.session, mode="api")
    if b.wait:
        agents.wait_for_run(handle, b.wait)
    return agents.get_run(call.principal, handle.id)


@router.get(
    "/agents/{agent_id}/runs",
    action="agent:read",
    summary="List its runs",
    errors=(404,),
    response=RunList,
    scope="service",
)
def list_runs(call: Call) -> dict[str, Any]:
    return {"items": agents.list_runs(call.principal, _agent(call))}


@router.get(
    "/agent-runs/{run_id}",
    action="execution:read",
    summary="Get a run and steps",
    errors=(404, 422),
    response=RunOut,
    scope="service",
)
def get_run(call: Call) -> dict[str, Any]:
    return agents.get_run(call.principal, str(call.path["run_id"]))


class InboxQuery(In):
    status: Literal["pending", "expired", "approved", "rejected"] = Field(
        "pending",
        description="pending: what waits for my decision (oldest first, each with its "
        "expires_at); expired, approved, rejected: the newest decided first.",
    )
    limit: int = Field(100, ge=1, le=500, description="At most this many.")


@router.get(
    "/approvals",
    action="execution:read",
    summary="What waits for my decision",
    query=InboxQuery,
    response=ApprovalList,
    scope="service",
)
def inbox(call: Call) -> dict[str, Any]:
    q: InboxQuery = call.query
    return {"items": agents.inbox(call.principal, status=q.status, limit=q.limit)}


@router.get(
    "/approvals/{approval_id}",
    action="execution:read",
    summary="Get an approval",
    errors=(404,),
    response=ApprovalOut,
    scope="service",
)
def get_approval(call: Call) -> dict[str, Any]:
    return agents.get_approval(call.principal, str(call.path["approval_id"]))


@router.post(
    "/approvals/{approval_id}/decision",
    action="approval:decide",
    summary="Approve or reject",
    body=DecisionIn,
    errors=(404, 409),
    response=ApprovalOut,
    scope="service",
)
def decide(call: Call) -> dict[str, Any]:
    b: DecisionIn = call.body
    return agents.decide(call.principal, str(call.path["approval_id"]), b.decision, b.comment)


@router.get(
    "/usage",
    action="execution:read",
    summary="Tokens and cost, added up",
    query=UsageQuery,
    response=UsageList,
    scope="service",
)
def usage(call: Call) -> dict[str, Any]:
    q: UsageQuery = call.query
    return {
        "items": agents.usage(call.principal, by=q.by, project_id=q.project_id, agent_id=q.agent_id)
    }


class PricesIn(In):
    prices: dict[str, dict[str, float]] = Field(
        description='USD per million tokens: {"model or prefix*": {"input": .., "output": ..}}.'
    )


@router.put(
    "/usage/prices",
    action="settings:update",
    summary="Set the price table",
    body=PricesIn,
    errors=(422,),
)
def set_prices(call: Call) -> dict[str, Any]:
    return {"prices": agents.set_prices(call.principal, call.body.prices)}


@router.get(
    "/agents/{agent_id}/budget",
    action="agent:read",
    summary="This month's spending against the budgets",
    errors=(404,),
    scope="service",
)
def budget(call: Call) -> dict[str, Any]:
    from engine.services.agents import Budget

    view = agents.get_agent(call.principal, _agent(call))
    spec = Budget.model_validate(view.definition.get("budget") or {})
    return agents.budget_status(view.id, spec, view.project_id)
