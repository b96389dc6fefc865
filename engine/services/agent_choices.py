"""What the agent editor offers to pick from, for one agent and the person editing it.

:func:`editor_choices` lists, each as plain dicts the studio shows as they are:

* ``credentials``: model credentials (OpenAI-compatible, Anthropic) the caller may use,
  with the provider each one speaks;
* ``workflows``: the workflows the caller may run in the agent's project, each with the
  arguments a workflow tool takes (derived from its *When Called by Another Workflow*
  trigger, as AURA's own MCP server derives them);
* ``knowledge_bases`` and ``mcp_servers`` of the agent's project, and ``rerankers``:
  the names a knowledge tool's ``rerank`` accepts (those registered with
  :func:`engine.knowledge.rerank.register_reranker`; built in: ``keywords``);
* ``builtin``: the tools every agent may be given without a reference (HTTP requests,
  Python in the sandbox);
* ``nodes``: the nodes whose spec says they can be a tool, with their credential slots,
  and ``node_credentials``: the credentials the caller may use for those slots.

Nothing here is a secret: credentials come as id, name and kind only.
"""

from __future__ import annotations

from typing import Any

from engine.auth.types import Principal
from engine.errors import AuraError, NotFoundError

__all__ = ["BUILTIN_TOOLS", "MODEL_KINDS", "editor_choices"]

MODEL_KINDS = {"openai_compatible": "openai", "anthropic": "anthropic"}
"""Credential kinds a model can use, and the provider each one speaks."""
BUILTIN_TOOLS = [
    {
        "kind": "http",
        "label": "HTTP requests",
        "description": "Fetch a URL (GET or POST); private addresses are refused.",
    },
    {
        "kind": "code",
        "label": "Python code",
        "description": "Run the model's Python in the sandbox (no files, no network).",
    },
]
MAX_WORKFLOWS = 500


def _credentials(principal: Principal) -> list[dict[str, str]]:
    from engine.services.credentials import list_credentials
    from engine.services.principals import can_use_credential

    try:
        views = list_credentials(principal)
    except AuraError:
        return []
    return [
        {"id": c.id, "name": c.name, "kind": c.kind, "provider": MODEL_KINDS[c.kind]}
        for c in views
        if c.kind in MODEL_KINDS and can_use_credential(principal, c.id)
    ]


def _workflows(principal: Principal, project_id: str | None) -> list[dict[str, Any]]:
    from engine.services.auth import filter_visible
    from engine.services.mcp_tools import input_schema
    from engine.services.principals import RunAs, find_workflow
    from engine.services.store import get_store

    store = get_store()
    rows, _ = store.workflows.list(limit=MAX_WORKFLOWS)
    rows = filter_visible(principal, "workflow", rows, action="workflow:execute")
    run_as = RunAs.caller(principal, project_id)
    out = []
    for rec in sorted(rows, key=lambda r: r.name.lower()):
        try:
            find_workflow(run_as, rec.id)  # the run's own check: shared with the project
            schema = input_schema(store.workflows.definition(rec.id))
        except NotFoundError:
            continue
        fields = list((schema.get("properties") or {}).keys())
        out.append(
            {
                "id": rec.id,
                "name": rec.name,
                "description": rec.description or "",
                "input_schema": schema,
                "arguments": ", ".join(fields) if fields else "any JSON object",
            }
        )
    return out


def _nodes() -> list[dict[str, Any]]:
    from engine.sdk import get_catalog

    return [
        {
            "type": spec.type,
            "title": spec.title,
            "description": spec.description,
            "slots": [
                {"slot": c.name, "kinds": list(c.kinds), "required": c.required}
                for c in spec.credentials
            ],
        }
        for spec in sorted(get_catalog().latest(), key=lambda s: s.title.lower())
        if spec.tool
    ]


def _node_credentials(principal: Principal, nodes: list[dict[str, Any]]) -> list[dict[str, str]]:
    from engine.services.credentials import list_credentials
    from engine.services.principals import can_use_credential

    kinds = {k for n in nodes for slot in n["slots"] for k in slot["kinds"]}
    try:
        views = list_credentials(principal)
    except AuraError:
        return []
    return [
        {"id": c.id, "name": c.name, "kind": c.kind}
        for c in views
        if c.kind in kinds and can_use_credential(principal, c.id)
    ]


def _knowledge_bases(principal: Principal, project_id: str | None) -> list[dict[str, str]]:
    from engine.services import knowledge

    try:
        bases = knowledge.list_bases(principal, project_id=project_id)
    except AuraError:
        return []
    return [{"id": b.id, "name": b.name, "description": b.description} for b in bases]


def _mcp_servers(principal: Principal, project_id: str | None) -> list[dict[str, str]]:
    from engine.services import mcp

    try:
        servers = mcp.list_servers(principal, project_id)
    except AuraError:
        return []
    return [{"name": s.name, "where": s.describe()} for s in servers]


def editor_choices(principal: Principal, ref: str) -> dict[str, Any]:
    """What the editor of agent ``ref`` may pick: model credentials, workflows,
    knowledge bases, MCP servers, nodes and built-in tools (see the module docstring).

    Raises:
        NotFoundError: no agent ``ref`` the caller may read.
    """
    from engine.knowledge.rerank import reranker_names
    from engine.services.agents import find_agent

    rec = find_agent(principal, ref)
    nodes = _nodes()
    return {
        "nodes": nodes,
        "node_credentials": _node_credentials(principal, nodes),
        "project_id": rec.project_id,
        "credentials": _credentials(principal),
        "workflows": _workflows(principal, rec.project_id),
        "knowledge_bases": _knowledge_bases(principal, rec.project_id),
        "mcp_servers": _mcp_servers(principal, rec.project_id),
        "rerankers": reranker_names(),
        "builtin": [dict(t) for t in BUILTIN_TOOLS],
    }
