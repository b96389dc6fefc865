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


@dataclass(frozen=True)
class ExposedTool:
    """A workflow as an MCP tool."""

    name: str
    description: str
    input_schema: dict[str, Any]
    workflow_id: str
    project_id: str | None
    published: bool


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
    return list(tools.values())


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
