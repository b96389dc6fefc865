"""Typed results of the agents API for the console: agents, their runs, the approvals
inbox and the projects' MCP servers (``/api/v1/agents``, ``/agents/{id}/runs``,
``/approvals``, ``/projects/{id}/mcp-servers``), frozen dataclasses built from the JSON
those routes publish (``AgentOut``, ``RunOut``, ``ApprovalOut``, ``McpServerOut``,
``McpToolOut``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tui.models import parse_time

__all__ = ["AgentRun", "AgentSummary", "Approval", "McpServer", "McpTool"]

JSON = dict[str, Any]


@dataclass(frozen=True)
class AgentSummary:
    id: str
    name: str
    state: str
    version: int
    model: str
    tools: int

    @classmethod
    def from_json(cls, d: JSON) -> AgentSummary:
        definition = d.get("definition") or {}
        model = definition.get("model") or {}
        return cls(
            str(d["id"]),
            str(d.get("name") or ""),
            str(d.get("state") or ""),
            int(d.get("version") or 0),
            str(model.get("model") or model.get("provider") or ""),
            len(definition.get("tools") or []),
        )


@dataclass(frozen=True)
class AgentRun:
    id: str
    status: str
    prompt: str
    answer: str
    tokens: int
    cost: float
    created_at: datetime | None

    @classmethod
    def from_json(cls, d: JSON) -> AgentRun:
        return cls(
            str(d["id"]),
            str(d.get("status") or ""),
            str(d.get("prompt") or ""),
            str(d.get("answer") or ""),
            int(d.get("tokens_in") or 0) + int(d.get("tokens_out") or 0),
            float(d.get("cost") or 0),
            parse_time(d.get("created_at")),
        )


@dataclass(frozen=True)
class Approval:
    id: str
    kind: str
    title: str
    execution_id: str
    created_at: datetime | None
    status: str = "pending"
    expires_at: datetime | None = None
    decided_at: datetime | None = None

    @classmethod
    def from_json(cls, d: JSON) -> Approval:
        return cls(
            str(d["id"]),
            str(d.get("kind") or ""),
            str(d.get("title") or ""),
            str(d.get("execution_id") or ""),
            parse_time(d.get("created_at")),
            str(d.get("status") or "pending"),
            parse_time(d.get("expires_at")),
            parse_time(d.get("decided_at")),
        )


@dataclass(frozen=True)
class McpServer:
    """A project's MCP server (``McpServerOut`` of
    ``/api/v1/projects/{id}/mcp-servers``)."""

    project_id: str
    name: str
    transport: str
    where: str
    tools: tuple[str, ...]
    timeout_s: float

    @classmethod
    def from_json(cls, project_id: str, d: JSON) -> McpServer:
        transport = str(d.get("transport") or "")
        if transport == "stdio":
            where = " ".join([str(d.get("command") or ""), *map(str, d.get("args") or [])])
        else:
            where = str(d.get("url") or "")
        return cls(
            project_id,
            str(d["name"]),
            transport,
            where.strip(),
            tuple(str(t) for t in d.get("tools") or []),
            float(d.get("timeout_s") or 0),
        )


@dataclass(frozen=True)
class McpTool:
    """A tool a connection test found (``McpToolOut``)."""

    called_as: str
    description: str
    arguments: tuple[str, ...]

    @classmethod
    def from_json(cls, d: JSON) -> McpTool:
        return cls(
            str(d.get("called_as") or d.get("name") or ""),
            str(d.get("description") or ""),
            tuple(str(a) for a in d.get("arguments") or []),
        )
