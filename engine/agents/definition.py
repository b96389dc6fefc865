"""What an agent is, as data: :class:`AgentDefinition` (instructions, model and its
settings, strategy, tools, memory, limits, approvals, budget) and its JSON export format.

A definition is what an agent version stores; :func:`load_definition` validates one and
turns pydantic's wording into a :class:`~engine.errors.ValidationError` naming the field.
It never holds a secret: the model's key lives in a vault credential named by id.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic import ValidationError as PydanticError

from engine.errors import ValidationError

__all__ = [
    "EXPORT_FORMAT",
    "STATES",
    "AgentDefinition",
    "Budget",
    "Limits",
    "MemorySettings",
    "ModelSettings",
    "ToolSpec",
    "load_definition",
]

STATES = ("draft", "active", "paused", "retired")
"""An agent's lifecycle: drafts and active agents run (a draft only by hand), paused ones
refuse new runs until resumed, retired ones are kept for their history only."""
EXPORT_FORMAT = "aura-agent/1"
_TOOL_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ModelSettings(_Model):
    """Which model answers, through which credential (its base URL and key)."""

    provider: Literal["openai", "anthropic"] = Field(
        "openai", description="'openai' (any OpenAI-compatible server) or 'anthropic'."
    )
    credential_id: str | None = Field(None, description="The vault credential of the model.")
    model: str = Field("", description="Model name; empty: the credential's default model.")
    temperature: float | None = Field(None, ge=0, le=2, description="Sampling temperature.")
    max_retries: int = Field(2, ge=0, le=10, description="Retries on 429 and 5xx answers.")
    timeout_s: float = Field(60.0, gt=0, le=600, description="Time limit of one model call.")
    stream: bool = Field(False, description="Stream the model's answers.")


class ToolSpec(_Model):
    """A tool the agent may call: a stored workflow, HTTP requests, knowledge search, the
    tools of MCP servers of the agent's project (``mcp``: one spec, many tools, named
    ``<server>__<tool>``), Python in the sandbox (``code``: ``run_python``), or a node
    whose spec says it can be a tool (``node``: the model's arguments are its input
    item, its parameters may use them as ``{{ $json.<argument> }}``)."""

    kind: Literal["workflow", "http", "knowledge", "mcp", "code", "node"] = Field(
        description="What the tool does."
    )
    name: str = Field("", description="Name the model calls it by (default from the kind).")
    description: str = Field("", description="What the model is told the tool does.")
    workflow_id: str | None = Field(None, description="The workflow a 'workflow' tool runs.")
    input_schema: dict[str, Any] = Field(
        default_factory=lambda: {"type": "object", "properties": {}},
        description="JSON Schema of a workflow or node tool's arguments (an object).",
    )
    node_type: str | None = Field(None, description="The node a 'node' tool runs.")
    parameters: dict[str, Any] = Field(
        default_factory=dict, description="A 'node' tool's parameters."
    )
    credentials: dict[str, str] = Field(
        default_factory=dict, description="A 'node' tool's credentials: slot -> credential id."
    )
    timeout_s: float = Field(
        10, gt=0, le=120, description="Seconds one call of a 'code' tool may take."
    )
    knowledge_bases: list[str] = Field(
        default_factory=list, description="Knowledge bases a 'knowledge' tool searches."
    )
    rerank: str | None = Field(
        None,
        max_length=100,
        description="A 'knowledge' tool's re-ranker, as the search API's rerank: the "
        "search's best 4k chunks are reordered by it and the best k kept (built in: "
        "'keywords'). Empty: the search's own order.",
    )
    servers: list[str] = Field(
        default_factory=list, description="MCP servers (of the project) an 'mcp' tool offers."
    )
    sensitive: bool = Field(False, description="Each call waits for a person's approval.")

    @model_validator(mode="after")
    def _complete(self) -> ToolSpec:
        if not self.name:
            self.name = {
                "http": "http_request",
                "knowledge": "search_knowledge",
                "mcp": "mcp_" + "_".join(self.servers)[:60],
                "code": "run_python",
                "node": re.sub(r"[^A-Za-z0-9_-]", "_", str(self.node_type or ""))[:64],
            }.get(self.kind, "")
        if self.kind == "node" and not self.node_type:
            raise ValueError("a node tool needs a node_type (e.g. core.http_request)")
        if self.kind == "workflow" and not self.workflow_id:
            raise ValueError(f"the workflow tool '{self.name}' needs a workflow_id")
        if not _TOOL_NAME.match(self.name):
            raise ValueError(f"tool name {self.name!r} must be 1-64 letters, digits, '_' or '-'")
        if self.kind == "mcp" and not self.servers:
            raise ValueError(f"the MCP tool '{self.name}' needs servers")
        if self.kind == "knowledge" and not self.knowledge_bases:
            raise ValueError(f"the knowledge tool '{self.name}' needs knowledge_bases")
        return self


class MemorySettings(_Model):
    """Conversation memory per session id: none, or the last ``window`` messages."""

    kind: Literal["none", "window"] = "window"
    window: int = Field(20, ge=1, le=1000, description="Messages kept per session.")


class Limits(_Model):
    """What one run may use; past any of them it ends with status ``failed`` and a
    message naming the limit."""

    max_steps: int = Field(20, ge=1, le=1000, description="Model and tool steps per run.")
    max_tokens: int | None = Field(None, ge=1, description="Tokens (in + out) per run.")
    max_cost: float | None = Field(None, gt=0, description="Cost per run (price table).")
    max_seconds: float | None = Field(600.0, gt=0, description="Wall time per run.")


class Budget(_Model):
    """Spending of the agent in the current calendar month (UTC): past ``warn`` runs
    carry a warning, past ``stop`` new runs are refused."""

    warn: float | None = Field(None, gt=0)
    stop: float | None = Field(None, gt=0)


class AgentDefinition(_Model):
    """One version of an agent."""

    instructions: str = Field("", description="The system prompt.")
    model: ModelSettings = Field(default_factory=ModelSettings)
    strategy: Literal["tools", "plan"] = Field(
        "tools", description="'tools': the tool-calling loop; 'plan': plan-and-execute."
    )
    tools: list[ToolSpec] = Field(default_factory=list)
    memory: MemorySettings = Field(default_factory=MemorySettings)
    limits: Limits = Field(default_factory=Limits)
    approval_timeout_s: float | None = Field(
        None, gt=0, description="A pending approval expires (as rejected) after this."
    )
    budget: Budget = Field(default_factory=Budget)

    @field_validator("tools")
    @classmethod
    def _unique(cls, tools: list[ToolSpec]) -> list[ToolSpec]:
        seen: set[str] = set()
        for t in tools:
            if t.name in seen:
                raise ValueError(f"two tools are named '{t.name}'; give each its own name")
            seen.add(t.name)
        return tools

    def tool(self, name: str) -> ToolSpec | None:
        return next((t for t in self.tools if t.name == name), None)


def _where(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc) or "definition"


def load_definition(data: Any, *, what: str = "the agent") -> AgentDefinition:
    """``data`` (a dict) as a valid :class:`AgentDefinition`.

    Raises:
        ValidationError: naming each wrong field and what to enter instead, in plain
            words; ``details["fields"]`` maps each field's path (``limits.max_steps``,
            ``tools.0.name``) to its message, for forms that show it beside the field.
    """
    from engine.graph.messages import plain_message

    if isinstance(data, AgentDefinition):
        return data
    if not isinstance(data, dict):
        raise ValidationError(f"The definition of {what} must be a JSON object.")
    try:
        return AgentDefinition.model_validate(data)
    except PydanticError as exc:
        problems = []
        fields: dict[str, str] = {}
        for err in exc.errors():
            where = _where(tuple(err.get("loc", ())))
            if err.get("type") == "extra_forbidden":
                msg = "is not a setting of agents; remove it."
            else:
                msg = plain_message(err)
            fields.setdefault(where, msg)
            problems.append(f"{where}: {msg}")
        raise ValidationError(
            f"The definition of {what} is not valid: " + " ".join(problems[:5]),
            details={"problems": problems, "fields": fields},
        ) from None
