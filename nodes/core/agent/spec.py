"""AI Agent: a model that answers each item's prompt, calling workflows (and optionally
HTTP) as tools, with conversation memory per session key."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import field_validator

from engine.sdk import CredentialSlot, Field, NodeSpec, Params, load_docs, ui
from engine.sdk.knowledge import check_reranker

MODEL_KINDS = ("openai_compatible", "anthropic")


class WorkflowTool(Params):
    """A workflow the model may call as a tool."""

    name: str = Field(
        ...,
        pattern=r"^[A-Za-z0-9_-]{1,64}$",
        description="The tool's name as the model sees it (letters, digits, _ and -).",
    )
    description: str = Field(
        ...,
        min_length=1,
        description="What the tool does and when to use it; the model decides from this.",
    )
    workflow_id: str = Field(
        ...,
        min_length=1,
        description="The workflow to run (its id or name). It receives the model's "
        "arguments as one item; its last node's items are the tool's answer.",
    )
    input_schema: dict[str, Any] = Field(
        default_factory=lambda: {"type": "object", "properties": {}},
        description="JSON Schema of the arguments the model must give (an object).",
        json_schema_extra=ui("json", expression=False),
    )


class NodeTool(Params):
    """A node the model may call as a tool (one whose spec allows it)."""

    name: str = Field(
        ...,
        pattern=r"^[A-Za-z0-9_-]{1,64}$",
        description="The tool's name as the model sees it (letters, digits, _ and -).",
    )
    description: str = Field(
        ..., min_length=1, description="What the tool does and when to use it."
    )
    node_type: str = Field(
        ...,
        description="The node to run, e.g. core.http_request (only nodes that can be tools).",
    )
    parameters: dict[str, Any] = Field(
        default_factory=dict,
        description="The node's parameters; {{ $json.<argument> }} reads the model's arguments.",
    )
    credentials: dict[str, str] = Field(
        default_factory=dict,
        description="The node's credentials: slot name -> credential id (the execution's "
        "principal must be allowed to use them).",
    )
    input_schema: dict[str, Any] = Field(
        default_factory=lambda: {"type": "object", "properties": {}},
        description="JSON Schema of the arguments the model must give (an object).",
    )


class ModelParams(Params):
    """The model to call (shared by the AI nodes)."""

    provider: Literal["openai", "anthropic"] = Field(
        "openai",
        description="'openai': any OpenAI-compatible server (OpenAI, Ollama, vLLM, LM "
        "Studio...) with an 'OpenAI-compatible API' credential; 'anthropic': an "
        "'Anthropic API' credential.",
    )
    model: str = Field("", description="Model name; empty: the credential's default model.")
    system_prompt: str = Field(
        "", description="Instructions for the model.", json_schema_extra=ui("textarea")
    )
    prompt: str = Field(
        ...,
        min_length=1,
        description="The user message, usually an expression such as {{ $json.question }}.",
        json_schema_extra=ui("textarea"),
    )
    temperature: float | None = Field(
        None, ge=0, le=2, description="Sampling temperature; empty: the model's default."
    )
    timeout_s: float = Field(60, gt=0, le=600, description="Seconds to wait for one model call.")
    max_retries: int = Field(
        2,
        ge=0,
        le=10,
        description="Retries of a failed model call (429 and 5xx, honouring Retry-After).",
    )

    def chat_options(self) -> dict[str, Any]:
        """The keyword arguments of ``engine.sdk.ai.chat_model`` these parameters set."""
        return {
            "model": self.model,
            "timeout_s": self.timeout_s,
            "max_retries": self.max_retries,
            "temperature": self.temperature,
        }


class AgentParams(ModelParams):
    """Parameters of the AI Agent node."""

    tools: list[WorkflowTool] = Field(
        default_factory=list,
        description="Workflows the model may call. They run as this execution's principal: "
        "only workflows it may execute (its project's, or shared with it).",
        json_schema_extra=ui("collection"),
    )
    http_tool: bool = Field(
        False,
        description="Also give the model an 'http_request' tool (GET or POST a URL; private "
        "addresses refused unless allow-listed).",
    )
    knowledge_bases: list[str] = Field(
        default_factory=list,
        description="Knowledge bases (ids or names) the model may search with a "
        "'search_knowledge' tool: those of this execution's project, or shared with it.",
    )
    rerank: str | None = Field(
        None,
        max_length=100,
        description="Re-rank each 'search_knowledge' search: its best 20 chunks are "
        "reordered by this re-ranker and the top 4 given to the model, each with its "
        "rerank_score (built in: 'keywords', the share of the query's words a chunk holds, "
        "rare words weighing more). Empty: the search's own order.",
    )
    mcp_servers: list[str] = Field(
        default_factory=list,
        description="MCP servers of this execution's project (their names, from the "
        "project's MCP settings) whose tools the model may call, named '<server>__<tool>'.",
    )
    node_tools: list[NodeTool] = Field(
        default_factory=list,
        description="Nodes the model may call as tools (HTTP Request, Date & Time, Crypto, "
        "SQLite, Send Email...); its arguments are the node's input item. Their parameters "
        "are not evaluated for the agent's item: they see the model's arguments.",
        json_schema_extra=ui("collection", expression=False),
    )
    code_tool: bool = Field(
        False,
        description="Also give the model a 'run_python' tool: Python in the sandbox (no "
        "files, no network), its 'return' value is the answer.",
    )
    code_timeout_s: float = Field(
        10, gt=0, le=120, description="Seconds one 'run_python' call may take."
    )
    max_iterations: int = Field(
        10, ge=1, le=100, description="Most model calls per item before the node fails."
    )
    session_key: str = Field(
        "",
        description="Conversation memory: runs with the same key (in this project) continue "
        "one conversation, e.g. {{ $json.chat_id }}. Empty: no memory.",
    )
    memory_window: int = Field(
        20, ge=2, le=500, description="Messages of the conversation kept and sent to the model."
    )
    stream: bool = Field(
        False, description="Receive the model's answer as a stream (both providers)."
    )

    @field_validator("rerank")
    @classmethod
    def _known_reranker(cls, value: str | None) -> str | None:
        return check_reranker(value) if value else None


SPEC = NodeSpec(
    type="ai.agent",
    version=1,
    title="AI Agent",
    description="Answer with a language model that can call workflows, HTTP and knowledge "
    "search as tools.",
    category="AI",
    icon="bot",
    params=AgentParams,
    run="nodes.core.agent.run:execute",
    credentials=(
        CredentialSlot(
            "model", MODEL_KINDS, required=True, description="The model provider's API key."
        ),
    ),
    permissions=frozenset({"workflows", "network", "credentials"}),
    docs=load_docs(__file__),
    aliases=("@n8n/n8n-nodes-langchain.agent",),
)
