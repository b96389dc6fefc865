"""The vocabulary of model calls, shared by every provider: messages, tool calls, tool
definitions, a model's reply and its token usage. Plain data, JSON-friendly."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["Message", "Reply", "ToolCall", "ToolDef", "Usage"]

Role = Literal["user", "assistant", "tool"]


@dataclass(frozen=True)
class ToolCall:
    """A model asking to call tool ``name``. ``arguments`` is None when the model sent
    text that is not a JSON object (``raw`` keeps it, so the model can be told)."""

    id: str
    name: str
    arguments: dict[str, Any] | None
    raw: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "arguments": self.arguments, "raw": self.raw}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ToolCall:
        return cls(str(d["id"]), str(d["name"]), d.get("arguments"), str(d.get("raw", "")))


@dataclass(frozen=True)
class Message:
    """One turn of a conversation. ``tool`` messages answer ``tool_call_id``."""

    role: Role
    content: str = ""
    tool_calls: tuple[ToolCall, ...] = ()
    tool_call_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"role": self.role, "content": self.content}
        if self.tool_calls:
            d["tool_calls"] = [c.to_dict() for c in self.tool_calls]
        if self.tool_call_id:
            d["tool_call_id"] = self.tool_call_id
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Message:
        return cls(
            d["role"],
            str(d.get("content") or ""),
            tuple(ToolCall.from_dict(c) for c in d.get("tool_calls") or ()),
            d.get("tool_call_id"),
        )


@dataclass(frozen=True)
class ToolDef:
    """What the model is told about a tool: its name, what it does, its JSON Schema."""

    name: str
    description: str
    parameters: dict[str, Any] = field(default_factory=lambda: {"type": "object", "properties": {}})


@dataclass
class Usage:
    """Tokens a call (or a whole run, once added up) used."""

    input_tokens: int = 0
    output_tokens: int = 0

    def add(self, other: Usage) -> None:
        self.input_tokens += other.input_tokens
        self.output_tokens += other.output_tokens

    def to_dict(self) -> dict[str, int]:
        return {
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "total_tokens": self.input_tokens + self.output_tokens,
        }


@dataclass(frozen=True)
class Reply:
    """A model's answer: text, tool calls (possibly both), tokens used."""

    text: str
    tool_calls: tuple[ToolCall, ...]
    usage: Usage
    model: str
    stop_reason: str = ""

    def as_message(self) -> Message:
        return Message("assistant", self.text, self.tool_calls)
