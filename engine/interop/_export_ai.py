"""AURA's ``ai.agent`` → n8n's Agent with its sub-nodes (chat model, memory, tools) and
the ``ai_*`` links between them, the shape :func:`engine.interop.n8n_ai.attach_ai`
folds back into one node."""

from __future__ import annotations

from typing import Any

from engine.errors import WorkflowValidationError
from engine.graph import NodeDef
from engine.interop._export_tools import http_tool_params, node_tool_params
from engine.interop._export_values import to_n8n_value

__all__ = ["export_agent"]

LC = "@n8n/n8n-nodes-langchain."


def export_agent(
    node: NodeDef, taken: set[str] | None = None
) -> tuple[dict[str, Any], list[dict[str, Any]], list[tuple[str, str, str]]]:
    """The agent's parameters, its sub-node entries and its links ``(sub, kind, agent)``."""
    p = node.parameters
    taken = set() if taken is None else taken  # node names in use (tools named after theirs)
    opts: dict[str, Any] = {}
    if p.get("system_prompt"):
        opts["systemMessage"] = to_n8n_value(p["system_prompt"])
    if "max_iterations" in p:
        opts["maxIterations"] = p["max_iterations"]
    params = {"promptType": "define", "text": to_n8n_value(p.get("prompt", "")), "options": opts}
    x, y = node.position
    subs: list[dict[str, Any]] = []
    links: list[tuple[str, str, str]] = []

    def sub(
        suffix: str, type_: str, version: float, kind: str, sp: dict[str, Any], name: str = ""
    ) -> None:
        name = name or f"{node.name} {suffix}"
        subs.append(
            {
                "id": f"{node.id}-{suffix.replace(' ', '-')}"[:64],
                "name": name,
                "type": type_ if "." in type_ else LC + type_,
                "typeVersion": version,
                "position": [x + 80 * len(subs), y + 200],
                "parameters": sp,
            }
        )
        links.append((name, kind, node.name))

    model_opts = {"temperature": p["temperature"]} if p.get("temperature") is not None else {}
    model_params: dict[str, Any] = {"options": model_opts}
    if p.get("model"):
        model_params["model"] = p["model"]
    if p.get("provider") == "anthropic":
        sub("model", "lmChatAnthropic", 1.3, "ai_languageModel", model_params)
    else:
        sub("model", "lmChatOpenAi", 1, "ai_languageModel", model_params)
    if p.get("session_key"):
        sub(
            "memory",
            "memoryBufferWindow",
            1.3,
            "ai_memory",
            {"sessionIdType": "customKey", "sessionKey": to_n8n_value(p["session_key"])},
        )
    for i, tool in enumerate(p.get("tools") or []):
        sub(
            f"tool {i + 1}",
            "toolWorkflow",
            1.2,
            "ai_tool",
            {
                "name": tool.get("name", ""),
                "description": tool.get("description", ""),
                "source": "database",
                "workflowId": {"__rl": True, "mode": "id", "value": tool.get("workflow_id", "")},
            },
        )
    if p.get("http_tool"):
        sub("http tool", "toolHttpRequest", 1.1, "ai_tool", {})
    for i, tool in enumerate(p.get("node_tools") or []):
        if tool.get("node_type") == "core.http_request":
            sub(f"node tool {i + 1}", "toolHttpRequest", 1.1, "ai_tool", http_tool_params(tool))
            continue
        from engine.interop._export_nodes import EXPORTERS

        name = str(tool.get("name", ""))
        exporter = EXPORTERS.get(str(tool.get("node_type")))
        t, v, tp = exporter(tool.get("parameters") or {}) if exporter else ("", 1, {})
        if name in taken or not t.startswith("n8n-nodes-base."):
            raise WorkflowValidationError(
                f"The agent '{node.name}' has a node tool '{name}' n8n cannot take "
                "(its name is a node's, or its node has no n8n tool variant): rename or "
                "remove it, or export as AURA JSON.",
                details=[{"node": node.name, "tool": name}],
            )
        taken.add(name)
        sub(f"node tool {i + 1}", t + "Tool", v, "ai_tool", node_tool_params(tool, tp), name)
    return params, subs, links
