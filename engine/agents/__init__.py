"""AI agents: LLM providers behind one interface, the tool-calling loop, conversation
memory. Nodes reach this through :mod:`engine.sdk.ai`; studio and CLI through
:mod:`engine.services.agents`."""

from __future__ import annotations

from engine.agents.loop import AgentLimitReached, AgentRun, MalformedToolCall, Tool, run_agent
from engine.agents.memory import ConversationMemory, window
from engine.agents.providers import AnthropicChat, ChatModel, ModelError, OpenAIChat
from engine.agents.types import Message, Reply, ToolCall, ToolDef, Usage

__all__ = [
    "AgentLimitReached",
    "AgentRun",
    "AnthropicChat",
    "ChatModel",
    "ConversationMemory",
    "MalformedToolCall",
    "Message",
    "ModelError",
    "OpenAIChat",
    "Reply",
    "Tool",
    "ToolCall",
    "ToolDef",
    "Usage",
    "run_agent",
    "window",
]
