"""What AURA's own MCP server offers outside MCP clients: the workflows their owners chose
to expose as tools, each run as the calling API key when a client calls it.

A workflow is exposed by its definition's ``meta.mcp`` (saved, versioned and published
with the workflow): ``{"expose": true, "name": "...", "description": "..."}``; name and
description default to the workflow's. Its input schema is derived from its
*When Called by Another Workflow* trigger: the declared fields (with their types and
which are required), or any object when it accepts all. The published version is used
when there is one, else the draft.

A caller sees and calls only the exposed workflows it may execute (``workflow:execute``,
API key scopes included); anything else is "no such tool", as for a missing one. A call
is an execution like any other (recorded, under the key's principal, ``trigger.kind =
"mcp"``), run in this process; its answer is the last node's items.

**Agents** (:mod:`engine.services.agents`) in state *active* that the caller may run
(``agent:run``) are tools too, named ``agent_<name>``, taking ``prompt`` and an optional
``session`` (a conversation id); a call is an agent run (on the workers when they run
agents) and its answer the agent's. Drafts, paused and retired agents are not offered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from engine.auth.types import Principal
from engine.errors import AuraError, NotFoundError

__all__ = ["ExposedTool", "call_tool", "expose_settings", "exposed_tools"]

MAX_WORKFLOWS = 1000
_TYPES = {
    "string": {"type": "string"},
    "number": {"type": "number"},
    "boolean": {"type": "boolean"},
    "array": {"type": "array"},
    "object": {"type": "object"},
    "any": {},
}


AGENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "prompt": {"type": "string", "description": "What to ask the agent."},
        "session": {
            "type": "string",
            "description": "A conversation id: runs with the same one continue a conversation.",
        },
    },
    "required": ["prompt"],
}
AGENT_TIMEOUT_S = 300.0


@dataclass(frozen=True)
class ExposedTool:
    """A workflow (or an agent, when ``agent_id`` is set) as an MCP tool."""

    name: str
    description: str
    input_schema: dict[str, Any]
    workflow_id: str
    project_id: str | None
    published: bool
    agent_id: str | None = None


def expose_settings(definition: dict[str, Any]) -> dict[str, Any] | None:
    """The ``meta.mcp`` of a workflow definition when it is exposed, else None."""
    meta = definition.get("meta") or {}
    mcp = meta.get("mcp") if isinstance(meta, dict) else None
    if isinstance(mcp, dict) and mcp.get("expose") is True:
        return mcp
    return None


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9_]+", "_", name.lower()).strip("_")[:64] or "workflow"


def input_schema(definition: dict[str, Any]) -> dict[str, Any]:
    """The JSON Schema of a workflow's input, from its workflow trigger's fields."""
    for node in definition.get("nodes", []):
        if node.get("type") != "core.workflow_trigger":
            continue
        params = node.get("parameters") or {}
        if params.get("input_source") != "define_fields":
            break
        fields = params.get("fields") or []
        return {
            "type": "object",
            "properties": {f["name"]: dict(_TYPES.get(f.get("type", "any"), {})) for f in fields},
            "required": [f["name"] for f in fields if f.get("required", True)],
        }
    return {"type": "object", "properties": {}, "additionalProperties": True}


def _definition(store: Any, rec: Any) -> tuple[dict[str, Any], bool]:
    if rec.published_version_id is not None:
        return store.workflows.definition(rec.id, published=True), True
    return store.workflows.definition(rec.id), False


def exposed_tools(principal: Principal) -> list[ExposedTool]:
    """The exposed workflows ``principal`` may execute, by tool name (first one wins
    when two share a name)."""
    from engine.services.auth import filter_visible
    from engine.services.store import get_store

    store = get_store()
    rows, _ = store.workflows.list(limit=MAX_WORKFLOWS)
    rows = filter_visible(principal, "workflow", rows, action="workflow:execute")
    tools: dict[str, ExposedTool] = {}
    for rec in sorted(rows, key=lambda r: r.created_at):
        try:
            definition, published = _definition(store, rec)
        except NotFoundError:
            continue
        mcp = expose_settings(definition)
        if mcp is None:
            continue
        name = _slug(str(mcp.get("name") or rec.name))
        description = str(mcp.get("description") or rec.description or rec.name)
        tools.setdefault(
            name,
            ExposedTool(
                name, description, input_schema(definition), rec.id, rec.project_id, published
            ),
        )
    for agent in _agents(principal):
        tools.setdefault(agent.name, agent)
    return list(tools.values())


def _agents(principal: Principal) -> list[ExposedTool]:
    """The active agents ``principal`` may run, as tools."""
    from engine.auth.rbac import can
    from engine.services.agents import list_agents

    try:
        agents = list_agents(principal, state="active")
    except AuraError:  # e.g. a key without agent scopes
        return []
    return [
        ExposedTool(
            "agent_" + _slug(a.name)[:58],
            a.description or f"Ask the agent '{a.name}'.",
            AGENT_SCHEMA,
            "",
            a.project_id,
            False,
            agent_id=a.id,
        )
        for a in sorted(agents, key=lambda a: a.created_at)
        if can(principal, "agent:run", project_id=a.project_id)
    ]


def _call_agent(principal: Principal, tool: ExposedTool, arguments: dict[str, Any]) -> Any:
    import uuid

    from engine.services.agent_runs import start_run, wait_for_run

    assert tool.agent_id is not None
    handle = start_run(
        principal,
        tool.agent_id,
        str(arguments.get("prompt") or ""),
        session=str(arguments.get("session") or "") or uuid.uuid4().hex,
        mode="mcp",
    )
    row = wait_for_run(handle, AGENT_TIMEOUT_S)
    summary = row.output_summary or {}
    if row.status == "succeeded":
        return {"answer": summary.get("answer"), "run_id": row.id}
    if row.status == "waiting":
        raise _WorkflowFailed(
            "The agent is waiting for a person to approve a tool call; its run "
            f"{row.id} goes on once someone decides in the approvals inbox.",
            details={"execution_id": row.id},
        )
    message = (row.error or {}).get("message") if isinstance(row.error, dict) else None
    raise _WorkflowFailed(
        f"The agent's run ended as '{row.status}': {message or 'no answer'}",
        details={"execution_id": row.id},
    )


class _WorkflowFailed(AuraError):
    code = "workflow_failed"
    http_status = 422


def call_tool(principal: Principal, name: str, arguments: dict[str, Any]) -> list[dict[str, Any]]:
    """Runs the exposed workflow ``name`` with ``arguments`` as its one input item, as
    ``principal``; returns the JSON of its last node's items.

    Raises:
        NotFoundError: no exposed workflow of that name this caller may execute.
        AuraError: the run failed (its error, e.g. a node's message).
    """
    from engine.sdk import Item
    from engine.services import executions
    from engine.services.principals import RunAs

    tool = next((t for t in exposed_tools(principal) if t.name == name), None)
    if tool is None:
        raise NotFoundError(
            f"No tool named '{name}': list the tools to see the workflows you may run.",
            details={"tool": name},
        )
    if tool.agent_id is not None:
        return [_call_agent(principal, tool, arguments)]
    handle = executions.start(
        executions.RunSpec(
            principal=RunAs.caller(principal, tool.project_id),
            workflow_id=tool.workflow_id,
            version="published" if tool.published else None,
            input_items=[Item(json=arguments)],
            trigger={"kind": "mcp", "tool": name},
            runtime="inline",
        )
    )
    outcome = handle.outcome
    if outcome is None:  # pragma: no cover - inline runs always have one
        raise AuraError("The workflow ran elsewhere; its result is not available here.")
    if outcome.error is not None:
        message = str(outcome.error.get("message") or "the workflow failed")
        raise _WorkflowFailed(
            f"The workflow failed: {message}", details={"execution_id": handle.id}
        )
    if outcome.status != "succeeded":
        raise _WorkflowFailed(
            f"The workflow ended as '{outcome.status}', not with a result.",
            details={"execution_id": handle.id},
        )
    return [item.json for item in outcome.output]
