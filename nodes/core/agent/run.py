"""AI Agent: for each item, the tool-calling loop with the item's prompt; workflows run as
tools through ``ctx.run_workflow`` and knowledge bases are searched through
``ctx.knowledge`` (the execution's principal decides which it may reach)."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any

from engine.sdk import Item, NodeContext
from engine.sdk.ai import Tool, ToolDef, chat_model, delta_sink, memory_for, run_agent
from engine.sdk.mcp import mcp_for
from nodes.core.agent.spec import AgentParams, WorkflowTool
from nodes.core.agent.tools import code_tool, node_tool

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
MAX_BODY = 8000
KNOWLEDGE_HITS = 4


def _workflow_tool(ctx: NodeContext, spec: WorkflowTool) -> Tool:
    def call(arguments: dict[str, Any]) -> Any:
        out = ctx.run_workflow(spec.workflow_id, [Item(json=arguments)])
        results = [item.json for item in out]
        return results[0] if len(results) == 1 else results

    schema = (
        spec.input_schema
        if spec.input_schema.get("type") == "object"
        else {"type": "object", "properties": {}}
    )
    return Tool(ToolDef(spec.name, spec.description, schema), call)


def _http_tool(ctx: NodeContext, timeout_s: float) -> Tool:
    def call(arguments: dict[str, Any]) -> Any:
        method = str(arguments.get("method") or "GET").upper()
        if method not in ("GET", "POST"):
            raise ValueError("method must be GET or POST")
        with ctx.http(timeout=timeout_s) as client:
            r = client.request(method, str(arguments["url"]), json=arguments.get("body"))
        return {"status": r.status_code, "body": r.text[:MAX_BODY]}

    return Tool(HTTP_TOOL, call)


def _knowledge_tool(ctx: NodeContext, bases: list[str], rerank: str | None) -> Tool:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {"query": {"type": "string", "description": "What to look for."}},
        "required": ["query"],
    }
    if len(bases) > 1:
        schema["properties"]["knowledge_base"] = {"type": "string", "enum": bases}
        schema["required"].append("knowledge_base")

    def call(arguments: dict[str, Any]) -> Any:
        base = str(arguments.get("knowledge_base") or bases[0])
        if base not in bases:
            raise ValueError(f"knowledge_base must be one of {', '.join(bases)}")
        query = str(arguments["query"])
        hits = ctx.knowledge.search(base, query, k=KNOWLEDGE_HITS, rerank=rerank)
        return [
            {"text": h["text"], "document": h["document"], "score": round(h["score"], 3)}
            | ({"rerank_score": h["rerank_score"]} if rerank else {})
            for h in hits
        ]

    described = ", ".join(f"'{b}'" for b in bases)
    return Tool(
        ToolDef(
            "search_knowledge",
            f"Search the knowledge base {described} for passages that answer a query.",
            schema,
        ),
        call,
    )


def execute(ctx: NodeContext) -> dict[str, list[Item]]:
    """Outputs each item with ``answer``, ``usage`` (tokens), ``model_calls`` and ``steps``."""
    memory = None

    def one(item: Item, i: int) -> Item:
        nonlocal memory
        p = ctx.params(i)
        assert isinstance(p, AgentParams)
        tools = [_workflow_tool(ctx, t) for t in p.tools]
        if p.http_tool:
            tools.append(_http_tool(ctx, p.timeout_s))
        if p.knowledge_bases:
            tools.append(_knowledge_tool(ctx, p.knowledge_bases, p.rerank))
        tools += [node_tool(ctx, t) for t in p.node_tools]
        if p.code_tool:
            tools.append(code_tool(ctx, p.code_timeout_s))
        with ExitStack() as stack:
            if p.mcp_servers:
                tools += stack.enter_context(mcp_for(ctx.execution.id).toolbox(p.mcp_servers))
            http = stack.enter_context(ctx.http(timeout=p.timeout_s))
            model = chat_model(
                p.provider,
                ctx.credentials("model"),
                http=http,
                **p.chat_options(),
                stream=p.stream,
                on_text=delta_sink(ctx.execution.id, ctx.node.name) if p.stream else None,
                usage_for=ctx.execution.id,
            )
            history = []
            if p.session_key:
                memory = memory or memory_for(ctx.execution.id)
                history = memory.load(p.session_key)
            run = run_agent(
                model,
                system=p.system_prompt,
                history=history,
                prompt=p.prompt,
                tools=tools,
                max_iterations=p.max_iterations,
                check=ctx.check_cancelled,
            )
        if memory is not None and p.session_key:
            turn = [run.messages[0], run.messages[-1]]  # the question and the final answer
            memory.append(p.session_key, turn, p.memory_window)
        return item.derive(
            {
                **item.json,
                "answer": run.answer,
                "usage": run.usage.to_dict(),
                "model_calls": run.model_calls,
                "steps": run.steps,
            },
            index=i,
        )

    return ctx.map(one)
