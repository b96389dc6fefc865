"""The tools of an agent run, built from its definition's :class:`ToolSpec` s: a stored
workflow (run in memory as the run's principal, which must be allowed to run it now),
HTTP requests through the outbound guard, knowledge-base search as the run, Python in
the sandbox (``run_python``), and a node that can be a tool (run as a one-node workflow
as the run's principal: its credentials and the outbound rule apply as for any node).
Every tool's output has the run's secrets blanked out before the model or a step sees
it."""

from __future__ import annotations

import threading
from typing import Any

from engine.agents.definition import ToolSpec
from engine.agents.loop import Tool
from engine.agents.types import ToolDef
from engine.errors import AuraError, ValidationError
from engine.services.principals import RunAs
from engine.services.store import get_store

__all__ = ["HTTP_TOOL", "check_knowledge_tool", "check_node_tool", "tool_for"]

MAX_BODY = 8000
HTTP_TOOL = ToolDef(
    "http_request",
    "Fetch a URL over HTTP(S) and return its status and body (cut to 8000 characters).",
    {
        "type": "object",
        "properties": {
            "url": {"type": "string", "description": "The full URL."},
            "method": {"type": "string", "enum": ["GET", "POST"]},
            "body": {"type": "object", "description": "JSON body for POST."},
        },
        "required": ["url"],
    },
)


def _redacted(tool: Tool, secrets: set[str]) -> Tool:
    """``tool`` whose output has the run's secrets blanked out: what a tool echoes (a
    credential, the model's key) never reaches the model's next prompt or a step."""
    from engine.vault.redact import redact

    def call(arguments: dict[str, Any]) -> Any:
        return redact(tool.call(arguments), secrets)

    return Tool(tool.definition, call)


def tool_for(
    spec: ToolSpec, row: Any, run_as: RunAs, cancel: threading.Event, secrets: set[str]
) -> Tool:
    """The tool ``spec`` describes, for the run of execution ``row`` (its output redacted)."""
    if spec.kind == "workflow":
        tool = _workflow_tool(spec, row, run_as, cancel, secrets)
    elif spec.kind == "http":
        tool = _http_tool(spec)
    elif spec.kind == "code":
        tool = _code_tool(spec)
    elif spec.kind == "node":
        tool = _node_tool(spec, row, run_as, cancel, secrets)
    else:
        tool = _knowledge_tool(spec, row)
    return _redacted(tool, secrets)


def _run_inline(
    wf: Any,
    start: str | None,
    arguments: dict[str, Any],
    row: Any,
    run_as: RunAs,
    cancel: threading.Event,
    secrets: set[str],
    what: str = "",
) -> Any:
    """Runs workflow ``wf`` in memory from ``start`` with ``arguments`` as its one item,
    as the run's principal; its last node's items (one: the item itself). ``what``
    names it in a failure (default: the workflow)."""
    from engine.executor import RunRequest
    from engine.sdk.items import Item
    from engine.services.runs import make_executor

    store = get_store()
    executor = make_executor(store, run_as, secrets)
    res = executor.run(
        RunRequest(
            workflow=wf,
            mode="subworkflow",
            trigger_node=start,
            input_items=[Item(json=arguments)],
            cancel_event=cancel,
            vars=store.variables.as_dict(row.project_id),
        )
    )
    if not res.ok:
        msg = (res.error or {}).get("message", "failed")
        raise ValidationError(f"{what or f'workflow {wf.name!r}'} {res.status}: {msg}")
    out = [item.json for item in res.output]
    return out[0] if len(out) == 1 else out


def _workflow_tool(
    spec: ToolSpec, row: Any, run_as: RunAs, cancel: threading.Event, secrets: set[str]
) -> Tool:
    def call(arguments: dict[str, Any]) -> Any:
        from engine.graph import load_workflow
        from engine.sdk import get_catalog
        from engine.services.principals import find_workflow

        rec = find_workflow(run_as, str(spec.workflow_id))
        wf = load_workflow(get_store().workflows.definition(rec.id))
        wf.id = rec.id
        catalog = get_catalog()
        start = None
        for n in wf.nodes:
            try:
                if catalog.get(n.type, n.type_version).trigger == "subworkflow":
                    start = n.name
                    break
            except AuraError:
                continue
        return _run_inline(wf, start, arguments, row, run_as, cancel, secrets)

    described = spec.description or f"Runs a workflow ({spec.name})."
    return Tool(ToolDef(spec.name, described, _object_schema(spec)), call)


def _object_schema(spec: ToolSpec) -> dict[str, Any]:
    if spec.input_schema.get("type") == "object":
        return spec.input_schema
    return {"type": "object", "properties": {}}


def _code_tool(spec: ToolSpec) -> Tool:
    """``run_python``: the model's code in the sandbox processes."""
    from engine.agents.code_tool import CODE_TOOL

    def call(arguments: dict[str, Any]) -> Any:
        from engine.sandbox import run_code

        inputs = arguments.get("inputs") or {}
        if not isinstance(inputs, dict):
            raise ValidationError("'inputs' must be an object of variable names to values")
        return run_code(str(arguments.get("code") or ""), inputs, spec.timeout_s)

    return Tool(
        ToolDef(spec.name, spec.description or CODE_TOOL.description, CODE_TOOL.parameters),
        call,
    )


def check_node_tool(spec: ToolSpec) -> Any:
    """The node spec a 'node' tool runs.

    Raises:
        ValidationError: the node type is unknown or cannot be a tool (names those that can).
    """
    from engine.sdk import get_catalog

    catalog = get_catalog()
    node = catalog.get(str(spec.node_type)) if catalog.versions(str(spec.node_type)) else None
    if node is None or not node.tool:
        usable = ", ".join(sorted(s.type for s in catalog.latest() if s.tool))
        raise ValidationError(
            f"Tool '{spec.name}': node type '{spec.node_type}' cannot be used as a tool. "
            f"Nodes that can: {usable}.",
            details={"field": f"tools.{spec.name}.node_type"},
        )
    return node


def _node_tool(
    spec: ToolSpec, row: Any, run_as: RunAs, cancel: threading.Event, secrets: set[str]
) -> Tool:
    """A node as a tool: the model's arguments are its one input item; its output items
    are the answer. Built as a one-node workflow and run as the run's principal."""
    from engine.graph import load_workflow

    node = check_node_tool(spec)
    step: dict[str, Any] = {"name": "Tool", "type": node.type, "parameters": spec.parameters}
    if spec.credentials:
        step["credentials"] = {
            slot: {"id": cid, "name": slot} for slot, cid in spec.credentials.items()
        }
    definition = {
        "name": f"Agent tool {spec.name}",
        "nodes": [{"name": "Arguments", "type": "core.workflow_trigger"}, step],
        "connections": [{"source": "Arguments", "target": "Tool"}],
    }

    def call(arguments: dict[str, Any]) -> Any:
        wf = load_workflow(definition)
        what = f"node {node.type}"
        return _run_inline(wf, "Arguments", arguments, row, run_as, cancel, secrets, what)

    described = spec.description or f"{node.title}: {node.description}"
    return Tool(ToolDef(spec.name, described[:1024], _object_schema(spec)), call)


def _http_tool(spec: ToolSpec) -> Tool:
    def call(arguments: dict[str, Any]) -> Any:
        from engine.net import safe_client

        method = str(arguments.get("method") or "GET").upper()
        if method not in ("GET", "POST"):
            raise ValidationError("method must be GET or POST")
        with safe_client(timeout=30) as client:
            r = client.request(method, str(arguments["url"]), json=arguments.get("body"))
        return {"status": r.status_code, "body": r.text[:MAX_BODY]}

    return Tool(
        ToolDef(spec.name, spec.description or HTTP_TOOL.description, HTTP_TOOL.parameters), call
    )


def check_knowledge_tool(spec: ToolSpec) -> None:
    """A 'knowledge' tool's re-ranker exists.

    Raises:
        ValidationError: it does not (names those that do).
    """
    from engine.knowledge.rerank import reranker_names

    if spec.rerank and spec.rerank not in reranker_names():
        raise ValidationError(
            f"Tool '{spec.name}': unknown re-ranker {spec.rerank!r}; use one of "
            f"{', '.join(reranker_names())}, or leave it empty.",
            details={"field": f"tools.{spec.name}.rerank"},
        )


def _knowledge_tool(spec: ToolSpec, row: Any) -> Tool:
    bases = list(spec.knowledge_bases)
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {"query": {"type": "string", "description": "What to look for."}},
        "required": ["query"],
    }
    if len(bases) > 1:
        schema["properties"]["knowledge_base"] = {"type": "string", "enum": bases}

    def call(arguments: dict[str, Any]) -> Any:
        from engine.services.knowledge import for_execution

        base = str(arguments.get("knowledge_base") or bases[0])
        if base not in bases:
            raise ValidationError(f"knowledge_base must be one of {', '.join(bases)}")
        hits = for_execution(row.id).search(
            base, str(arguments["query"]), k=4, rerank=spec.rerank or None
        )
        return [
            {"text": h["text"], "document": h["document"], "score": round(h["score"], 3)}
            | ({"rerank_score": h["rerank_score"]} if spec.rerank else {})
            for h in hits
        ]

    described = ", ".join(f"'{b}'" for b in bases)
    return Tool(
        ToolDef(
            spec.name,
            spec.description or f"Search the knowledge base {described} for passages on a query.",
            schema,
        ),
        call,
    )
