"""What nodes use of AI agents: a chat model built from a credential, the tool-calling
loop and conversation memory (see :mod:`engine.agents`).

Model calls go through the node's SSRF-guarded HTTP client (``ctx.http()``), so a model
server on a private or loopback address (Ollama, vLLM) must be allow-listed like any
other target. Memory is scoped to the execution's project; the services layer provides
it (:mod:`engine.services.agents` registers itself with :func:`set_memory_provider`).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

from engine.agents import (
    AgentLimitReached,
    AgentRun,
    ChatModel,
    ConversationMemory,
    Message,
    ModelError,
    Tool,
    ToolDef,
    Usage,
    run_agent,
)
from engine.agents.code_tool import CODE_TOOL

if TYPE_CHECKING:
    import httpx

__all__ = [
    "CODE_TOOL",
    "AgentLimitReached",
    "AgentRun",
    "ChatModel",
    "ConversationMemory",
    "Message",
    "ModelError",
    "Tool",
    "ToolDef",
    "Usage",
    "chat_model",
    "delta_sink",
    "memory_for",
    "run_agent",
    "set_memory_provider",
]

Provider = Literal["openai", "anthropic"]
DEFAULT_BASE_URLS = {
    "openai": "https://api.openai.com/v1",
    "anthropic": "https://api.anthropic.com",
}
_PROVIDER_MODULE = "engine.services.agents"
_LEDGER_MODULE = "engine.services.ledger"
_memory: Callable[[str], ConversationMemory] | None = None


def chat_model(
    provider: Provider,
    credential: dict[str, Any],
    *,
    http: httpx.Client,
    model: str = "",
    timeout_s: float = 60.0,
    max_retries: int = 2,
    temperature: float | None = None,
    stream: bool = False,
    on_text: Callable[[str], None] | None = None,
    usage_for: str | None = None,
) -> ChatModel:
    """A model of ``provider`` with the credential's base URL and key (``model`` empty:
    the credential's default model). ``on_text`` gets the answer's text pieces as they
    stream in (with ``stream=True``). ``usage_for`` = an execution id: each call's tokens
    and cost go to the ledger, attributed to that execution's workflow and project
    (:mod:`engine.services.ledger`)."""
    from engine.agents.providers import AnthropicChat, OpenAIChat
    from engine.errors import CredentialError
    from engine.net.bridge import guarded_client

    name = model or str(credential.get("model") or "")
    if not name:
        raise CredentialError(
            "No model chosen: set 'Model' on the node or a default model on the credential."
        )
    base_url = str(credential.get("base_url") or DEFAULT_BASE_URLS[provider])
    client = guarded_client(http, timeout_s)
    key = str(credential.get("api_key") or "")
    cls: type[AnthropicChat] | type[OpenAIChat] = (
        AnthropicChat if provider == "anthropic" else OpenAIChat
    )
    chat = cls(
        api_key=key,
        base_url=base_url,
        model=name,
        http_client=client,
        max_retries=max_retries,
        temperature=temperature,
        stream=stream,
    )
    chat.on_text = on_text
    if usage_for is None:
        return chat
    from engine.agents.metered import MeteredModel

    execution_id = usage_for
    return MeteredModel(
        chat,
        lambda reply: importlib.import_module(_LEDGER_MODULE).record_node_usage(
            execution_id, reply.model, reply.usage
        ),
    )


AGENT_DELTA_EVENT = "agent.delta"
"""The live event with a piece of a streamed answer (``node``, ``text``)."""


def delta_sink(execution_id: str, node: str) -> Callable[[str], None]:
    """An ``on_text`` that publishes each piece as an ``agent.delta`` event of the
    execution (for the chat trigger's stream; never recorded, never fails the run)."""
    from datetime import UTC, datetime
    from uuid import uuid4

    from engine.events import publish

    def sink(text: str) -> None:
        publish(
            {
                "type": AGENT_DELTA_EVENT,
                "id": uuid4().hex,
                "ts": datetime.now(UTC).isoformat(),
                "execution_id": execution_id,
                "node": node,
                "text": text,
            }
        )

    return sink


def set_memory_provider(provider: Callable[[str], ConversationMemory]) -> None:
    """Installs ``provider(execution_id) -> ConversationMemory``."""
    global _memory
    _memory = provider


def memory_for(execution_id: str) -> ConversationMemory:
    """The conversation sessions execution ``execution_id`` may use (its project's)."""
    if _memory is None:
        importlib.import_module(_PROVIDER_MODULE)  # registers itself on import
    assert _memory is not None
    return _memory(execution_id)
