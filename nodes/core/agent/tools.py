"""More tools of the AI Agent node: Python code in the sandbox, and nodes whose spec says
they can be tools (``NodeSpec.tool``), each run as a one-node sub-workflow under the
execution's principal (so credentials and outbound rules apply as for any node)."""

from __future__ import annotations

from typing import Any

from engine.sdk import Item, NodeContext, NodeExecutionError, get_catalog
from engine.sdk.ai import CODE_TOOL, Tool, ToolDef
from nodes.core.agent.spec import NodeTool


def code_tool(ctx: NodeContext, timeout_s: float) -> Tool:
    """``run_python``: the model's code in the sandbox (never in this process)."""

    def call(arguments: dict[str, Any]) -> Any:
        inputs = arguments.get("inputs") or {}
        if not isinstance(inputs, dict):
            raise ValueError("'inputs' must be an object of variable names to values")
        return ctx.run_code(str(arguments.get("code") or ""), inputs, timeout_s)

    return Tool(CODE_TOOL, call)


def _tool_types() -> list[str]:
    return sorted(s.type for s in get_catalog().latest() if s.tool)


def node_tool(ctx: NodeContext, spec: NodeTool) -> Tool:
    """A node as a tool: the model's arguments are its one input item (its parameters may
    use them as ``{{ $json.<argument> }}``); its output items are the answer."""
    catalog = get_catalog()
    node = catalog.get(spec.node_type) if catalog.versions(spec.node_type) else None
    if node is None or not node.tool:
        raise NodeExecutionError(
            f"The tool '{spec.name}' names node type '{spec.node_type}', which cannot be used "
            f"as a tool. Nodes that can: {', '.join(_tool_types())}.",
            details={"tool": spec.name, "node_type": spec.node_type},
        )
    step: dict[str, Any] = {
        "name": "Tool",
        "type": node.type,
        "parameters": spec.parameters,
    }
    if spec.credentials:
        step["credentials"] = {
            slot: {"id": cid, "name": slot} for slot, cid in spec.credentials.items()
        }
    definition = {
        "name": f"Agent tool {spec.name}",
        "nodes": [{"name": "Arguments", "type": "core.workflow_trigger"}, step],
        "connections": [{"source": "Arguments", "target": "Tool"}],
    }
    schema = (
        spec.input_schema
        if spec.input_schema.get("type") == "object"
        else {"type": "object", "properties": {}}
    )

    def call(arguments: dict[str, Any]) -> Any:
        out = [item.json for item in ctx.run_workflow(definition, [Item(json=arguments)])]
        return out[0] if len(out) == 1 else out

    return Tool(ToolDef(spec.name, spec.description, schema), call)
