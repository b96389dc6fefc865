"""n8n's AI nodes → AURA's ``ai.agent``.

n8n draws an agent as a root node (Agent, Basic LLM Chain) with sub-nodes linked into it
by ``ai_*`` connections: a chat model, a memory, tools, an output parser. AURA's agent
node holds all of that in its parameters, so :func:`attach_ai` folds each linked
sub-node it understands into its agent (model and provider, conversation memory's
session key, workflow tools, the HTTP tool) and takes it off the canvas; the report says
so. Sub-nodes it does not understand stay as placeholders, their links in
``meta.interop.links``. The Chat Trigger becomes a webhook that answers with the last
node's output.
"""

from __future__ import annotations

from typing import Any

from engine.interop._build import Draft, Edge, settle_status
from engine.interop._mapping import MapContext, Mapped, Unmappable
from engine.interop.n8n_ai_tools import TOOL_NAME, http_node_tool, node_tool
from engine.interop.report import CredentialNeed, WorkflowReport

__all__ = ["attach_ai", "map_agent", "map_chain_llm", "map_chat_trigger"]

LANGCHAIN = "@n8n/n8n-nodes-langchain."
_OPENAI_LIKE = {
    "lmChatOpenAi",
    "lmOpenAi",
    "lmChatOllama",
    "lmOllama",
    "lmChatOpenRouter",
    "lmChatGroq",
    "lmChatDeepSeek",
    "lmChatMistralCloud",
    "lmChatGoogleGemini",
    "lmChatAzureOpenAi",
    "lmChatXAiGrok",
}
_MEMORY = {"memoryBufferWindow", "memoryPostgresChat", "memoryRedisChat", "memoryMongoDbChat"}


def _prompt(cx: MapContext, key: str = "text") -> Any:
    if cx.get("promptType") == "auto" or cx.get(key) in (None, ""):
        return "{{ $json.chatInput }}"
    return cx.x(key, "")


def map_agent(cx: MapContext) -> Mapped:
    opts = cx.get("options") or {}
    p: dict[str, Any] = {"provider": "openai", "prompt": _prompt(cx)}
    if opts.get("systemMessage"):
        p["system_prompt"] = cx.value(opts["systemMessage"], "options.systemMessage")
    if isinstance(opts.get("maxIterations"), int):
        p["max_iterations"] = max(1, min(opts["maxIterations"], 100))
    if cx.get("hasOutputParser"):
        cx.note("the output parser is not carried over: ask for JSON in the system prompt")
    return Mapped("ai.agent", p)


def map_chain_llm(cx: MapContext) -> Mapped:
    """A Basic LLM Chain: one model call, no tools."""
    key = "prompt" if float(cx.version) < 1.4 and cx.get("prompt") else "text"
    p: dict[str, Any] = {"provider": "openai", "prompt": _prompt(cx, key), "max_iterations": 1}
    roles = {"AIMessagePromptTemplate": "Assistant: ", "HumanMessagePromptTemplate": "User: "}
    system = []
    for i, m in enumerate(cx.get("messages.messageValues") or []):
        text = cx.value(m.get("message", ""), f"messages.messageValues[{i}].message")
        role = roles.get(m.get("type", ""), "")
        if role:
            cx.note("example assistant/user messages are written into the system prompt")
        system.append(f"{role}{text}")
    if system:
        p["system_prompt"] = "\n\n".join(system)
    cx.info("a basic LLM chain is an AI Agent without tools (one model call)")
    return Mapped("ai.agent", p)


def map_chat_trigger(cx: MapContext) -> Mapped:
    hook = str(cx.node.get("webhookId") or "").strip()
    if not hook:
        raise Unmappable("the chat trigger has no webhook id")
    cx.note(
        "chat messages arrive as POST /webhook/chat/<id> with {sessionId, chatInput}; "
        "the answer is the last node's output (AURA has no chat widget yet)"
    )
    return Mapped(
        "core.webhook_trigger",
        {
            "http_method": "POST",
            "path": f"chat/{hook}",
            "response_mode": "last_node",
            "authentication": "none",
            "response_data": "first_item_json",
        },
        inputs=[],
    )


def _model(agent: Draft, sub: Draft, kind: str, report: WorkflowReport) -> bool:
    p = sub.node.parameters.get("original_parameters") or {}
    model = p.get("model")
    if isinstance(model, dict):
        model = model.get("value")
    a = agent.node.parameters
    if kind == "lmChatAnthropic":
        a["provider"] = "anthropic"
    elif kind not in _OPENAI_LIKE:
        return False
    elif kind != "lmChatOpenAi":
        agent.report.notes.append(
            f"{kind} becomes the 'openai' provider: point the "
            "OpenAI-compatible credential at that service's endpoint"
        )
    if isinstance(model, str) and model and not model.startswith("="):
        a["model"] = model
    temp = (p.get("options") or {}).get("temperature")
    if isinstance(temp, int | float) and 0 <= temp <= 2:
        a["temperature"] = temp
    for need in report.credentials:
        if need.node == sub.node.name:
            need.node, need.slot = agent.node.name, "model"
            need.kind = "anthropic" if a["provider"] == "anthropic" else "openai_compatible"
    return True


def _tool(agent: Draft, sub: Draft, kind: str) -> bool:
    p = sub.node.parameters.get("original_parameters") or {}
    a = agent.node.parameters
    if kind == "toolHttpRequest":
        if http_node_tool(agent, sub, p):
            return True
        a["http_tool"] = True
        agent.report.notes.append(
            f"the HTTP tool '{sub.node.name}' becomes the agent's general http_request tool "
            "(its fixed URL is not kept: it sends credentials, or reads the agent's input)"
        )
        return True
    if kind.startswith("n8n-nodes-base.") and kind.endswith("Tool"):
        return node_tool(agent, sub)
    if kind != "toolWorkflow" or p.get("source", "database") != "database":
        return False
    ref = p.get("workflowId")
    if isinstance(ref, dict):
        ref = ref.get("value")
    if not isinstance(ref, str) or not ref or ref.startswith("="):
        return False
    name = TOOL_NAME.sub("_", str(p.get("name") or sub.node.name))[:64] or "tool"
    a.setdefault("tools", []).append(
        {
            "name": name,
            "workflow_id": ref,
            "description": str(p.get("description") or f"Runs the workflow {ref}."),
        }
    )
    agent.report.notes.append(
        f"tool '{name}' runs n8n workflow {ref}: point it at the imported workflow"
    )
    return True


def attach_ai(drafts: dict[str, Draft], edges: list[Edge], report: WorkflowReport) -> list[Edge]:
    """Folds the sub-nodes linked into each agent into it; returns the links left."""
    left: list[Edge] = []
    consumed: set[str] = set()
    for e in edges:
        agent, sub = drafts.get(e.target), drafts.get(e.source)
        if e.kind == "main" or agent is None or sub is None or agent.node.type != "ai.agent":
            left.append(e)
            continue
        kind = sub.report.source_type.removeprefix(LANGCHAIN)
        ok = False
        if e.kind == "ai_languageModel":
            ok = _model(agent, sub, kind, report)
        elif e.kind == "ai_memory" and kind in _MEMORY:
            p = sub.node.parameters.get("original_parameters") or {}
            key = p.get("sessionKey") if p.get("sessionIdType") == "customKey" else None
            agent.node.parameters["session_key"] = (
                key[1:] if isinstance(key, str) and key.startswith("=") else key
            ) or "{{ $json.sessionId }}"
            agent.report.notes.append(
                "conversation memory keeps every message of a session "
                "(n8n's window length is not used)"
            )
            ok = True
        elif e.kind == "ai_tool":
            ok = _tool(agent, sub, kind)
        if not ok:
            left.append(e)
            continue
        consumed.add(sub.node.name)
        sub.report.status, sub.report.known = "mapped", True
        sub.report.target_type = "ai.agent"
        sub.report.notes, sub.report.info = [], [f"part of the AI Agent '{agent.node.name}' now"]
        settle_status(sub.report)  # still to check if it kept an expression
    for name in consumed:
        drafts.pop(name, None)
    agents = [d for d in drafts.values() if d.node.type == "ai.agent"]
    for d in agents:
        if not any(c.node == d.node.name and c.slot == "model" for c in report.credentials):
            report.credentials.append(
                CredentialNeed(
                    node=d.node.name,
                    source_kind="(chat model)",
                    source_name="",
                    kind="anthropic"
                    if d.node.parameters.get("provider") == "anthropic"
                    else "openai_compatible",
                    slot="model",
                )
            )
    return left
