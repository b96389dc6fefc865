"""The MCP client: tools of outside MCP servers (stdio or streamable HTTP), usable by the
agent loop as ordinary :class:`~engine.agents.loop.Tool` objects.

A server is described by an :class:`McpServerConfig` (a project keeps a list of them, see
:mod:`engine.services.mcp`). :class:`McpToolbox` connects to the servers an agent was
given, for the length of one run, and offers their tools named ``<server>__<tool>`` —
only those, so an agent cannot reach a server it was not given.

The ``mcp`` SDK is asynchronous; nodes run in plain threads. Each connection lives on an
``anyio`` blocking portal (an event loop in a helper thread) and is called through it.

* **stdio** servers are started as child processes with a minimal environment (the
  SDK's default: ``PATH``, ``HOME`` ...) plus the configured ``env``: nothing of AURA's own
  environment (keys, database URL) leaks into them.
* **HTTP** servers are checked against AURA's outbound rule first (private and loopback
  addresses refused unless in ``AURA_HTTP_ALLOW``): the host name is resolved once per
  session and every connection goes to those checked addresses (:mod:`engine.net.pinned`),
  so a DNS answer that changes later cannot point the session at a private address.
  They get the headers of their credential (e.g. ``Authorization: Bearer ...``), never
  shown in steps or errors.

A tool's result is returned as data for the model (text, or the structured content as
JSON); a tool that reports an error raises :class:`McpToolError`, which the loop turns
into an observation the model sees.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, ExitStack, asynccontextmanager, suppress
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, model_validator

from engine.agents.loop import Tool
from engine.agents.types import ToolDef
from engine.errors import AuraError

__all__ = [
    "McpError",
    "McpServerConfig",
    "McpSession",
    "McpToolError",
    "McpToolbox",
    "check_outbound",
    "tool_name",
]

NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,31}$"
SEPARATOR = "__"


class McpError(AuraError):
    """An MCP server could not be reached or answered with a protocol error."""

    code = "mcp_error"
    http_status = 502


class McpToolError(AuraError):
    """An MCP tool reported that it failed (its text is the server's message)."""

    code = "mcp_tool_error"
    http_status = 422


class McpServerConfig(BaseModel):
    """One MCP server of a project."""

    name: str = Field(
        ...,
        pattern=NAME_PATTERN,
        description="Short name (lower-case letters, digits, _ and -); the model sees the "
        "server's tools as '<name>__<tool>'.",
    )
    transport: Literal["stdio", "http"] = Field(
        ...,
        description="'stdio': start a command and talk over its stdin/stdout; "
        "'http': connect to a streamable-HTTP endpoint.",
    )
    command: str = Field("", description="stdio: the program to start, e.g. 'npx'.")
    args: list[str] = Field(default_factory=list, description="stdio: its arguments.")
    env: dict[str, str] = Field(
        default_factory=dict,
        description="stdio: environment variables for it (besides PATH and HOME); put no "
        "secrets here, they are stored in clear.",
    )
    cwd: str | None = Field(None, description="stdio: the working directory.")
    url: str = Field("", description="http: the endpoint, e.g. https://mcp.example.com/mcp.")
    credential_id: str | None = Field(
        None,
        description="http: a 'Bearer token' or 'Header auth' credential whose header is "
        "sent with each request.",
    )
    tools: list[str] = Field(
        default_factory=list,
        description="Only these tools of the server (empty: all it offers).",
    )
    timeout_s: float = Field(30, gt=0, le=600, description="Seconds to wait for an answer.")

    @model_validator(mode="after")
    def _complete(self) -> McpServerConfig:
        if self.transport == "stdio" and not self.command:
            raise ValueError("A stdio MCP server needs a 'command' to start.")
        if self.transport == "http":
            parts = urlsplit(self.url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError("An HTTP MCP server needs a 'url' starting with https://.")
        return self

    def describe(self) -> str:
        """For messages: where the server is (no secrets: no env, no headers)."""
        if self.transport == "stdio":
            return f"'{self.name}' (stdio: {self.command})"
        return f"'{self.name}' ({self.url})"


def tool_name(server: str, tool: str) -> str:
    """The name the model sees for ``tool`` of ``server`` (at most 64 characters)."""
    clean = re.sub(r"[^A-Za-z0-9_-]", "_", tool)
    return f"{server}{SEPARATOR}{clean}"[:64]


def _reason(exc: BaseException) -> str:
    """The innermost readable message of ``exc`` (task groups wrap errors in groups)."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    text = str(exc) or type(exc).__name__
    return text[:300]


def _result_text(result: Any) -> Any:
    """A tool result as data for the model: structured content, else the text parts."""
    if result.structured_content is not None:
        content = result.structured_content
        if isinstance(content, dict) and set(content) == {"result"}:
            return content["result"]
        return content
    parts: list[str] = []
    for block in result.content or ():
        kind = getattr(block, "type", "")
        if kind == "text":
            parts.append(block.text)
        elif kind == "resource":
            resource = block.resource
            parts.append(getattr(resource, "text", "") or f"[resource {resource.uri}]")
        else:
            parts.append(f"[{kind} content]")
    return "\n".join(parts)


@asynccontextmanager
async def _client(
    config: McpServerConfig, headers: dict[str, str], pinned: Any = None
) -> AsyncIterator[Any]:
    from mcp import Client, StdioServerParameters

    async with AsyncExitStack() as stack:
        if config.transport == "stdio":
            server: Any = StdioServerParameters(
                command=config.command,
                args=list(config.args),
                env=dict(config.env) or None,
                cwd=config.cwd,
            )
        else:
            import httpx2
            from mcp.client.streamable_http import streamable_http_client

            from engine.net.pinned import pinned_async_client

            http = await stack.enter_async_context(
                pinned_async_client(
                    pinned,
                    headers=headers,
                    timeout=httpx2.Timeout(config.timeout_s, read=config.timeout_s * 10),
                )
            )
            server = streamable_http_client(config.url, http_client=http)
        client = await stack.enter_async_context(
            Client(server, read_timeout_seconds=config.timeout_s, mode="legacy")
        )
        yield client


class McpSession:
    """A connection to one MCP server, used from plain (non-async) code.

    Use as a context manager; :meth:`tools` lists the server's tools, :meth:`call` calls
    one. ``headers`` are sent to an HTTP server (from its credential); ``resolver`` (a
    ``getaddrinfo``-compatible function, for tests) resolves its host, once."""

    def __init__(
        self,
        config: McpServerConfig,
        *,
        headers: dict[str, str] | None = None,
        resolver: Any = None,
    ) -> None:
        self.config = config
        self._headers = dict(headers or {})
        self._resolver = resolver
        self._stack = ExitStack()
        self._portal: Any = None
        self._client: Any = None

    def __enter__(self) -> McpSession:
        from anyio.from_thread import start_blocking_portal

        pinned = None
        if self.config.transport == "http":
            pinned = check_outbound(self.config.url, resolver=self._resolver)
        try:
            self._portal = self._stack.enter_context(start_blocking_portal())
            self._client = self._stack.enter_context(
                self._portal.wrap_async_context_manager(_client(self.config, self._headers, pinned))
            )
        except BaseException as exc:
            self._stack.close()
            if not isinstance(exc, Exception):
                raise
            raise McpError(
                f"Could not connect to the MCP server {self.config.describe()}: "
                f"{_reason(exc)}. Check the server's settings (command or URL, credential) "
                "and that it is running.",
                details={"server": self.config.name},
            ) from None
        return self

    def __exit__(self, *exc: object) -> None:
        with suppress(Exception):  # a server that dies on shutdown changes nothing
            self._stack.close()

    def tools(self) -> list[ToolDef]:
        """The server's tools (those of ``config.tools`` only, when it names any)."""
        try:
            listing = self._portal.call(self._client.list_tools)
        except Exception as exc:
            raise McpError(
                f"The MCP server {self.config.describe()} did not list its tools: {_reason(exc)}.",
                details={"server": self.config.name},
            ) from None
        wanted = set(self.config.tools)
        return [
            ToolDef(
                t.name,
                (t.description or t.title or t.name)[:1024],
                dict(t.input_schema or {"type": "object", "properties": {}}),
            )
            for t in listing.tools
            if not wanted or t.name in wanted
        ]

    def call(self, name: str, arguments: dict[str, Any]) -> Any:
        """Calls tool ``name``; returns its result as data (text or JSON).

        Raises:
            McpToolError: the tool reported a failure.
            McpError: the server could not be reached or broke the protocol.
        """

        async def run() -> Any:
            return await self._client.call_tool(
                name, arguments, read_timeout_seconds=self.config.timeout_s
            )

        try:
            result = self._portal.call(run)
        except Exception as exc:
            raise McpError(
                f"The MCP server {self.config.describe()} failed to run '{name}': {_reason(exc)}.",
                details={"server": self.config.name, "tool": name},
            ) from None
        if result.is_error:
            text = _result_text(result)
            raise McpToolError(
                text if isinstance(text, str) else json.dumps(text, default=str),
                details={"server": self.config.name, "tool": name},
            )
        return _result_text(result)


class McpToolbox:
    """The tools of several MCP servers for one agent run (a context manager).

    ``headers_for(config)`` gives the headers of an HTTP server (its credential's)."""

    def __init__(
        self,
        configs: Sequence[McpServerConfig],
        *,
        headers: dict[str, dict[str, str]] | None = None,
    ) -> None:
        self.configs = list(configs)
        self._headers = headers or {}
        self._stack = ExitStack()
        self.tools: list[Tool] = []

    def __enter__(self) -> list[Tool]:
        try:
            for config in self.configs:
                session = self._stack.enter_context(
                    McpSession(config, headers=self._headers.get(config.name))
                )
                for d in session.tools():
                    self.tools.append(_tool(session, d))
        except BaseException:
            self._stack.close()
            raise
        return self.tools

    def __exit__(self, *exc: object) -> None:
        self._stack.close()


def _tool(session: McpSession, d: ToolDef) -> Tool:
    name = tool_name(session.config.name, d.name)
    described = f"{d.description} (MCP server '{session.config.name}')"

    def call(arguments: dict[str, Any]) -> Any:
        return session.call(d.name, arguments)

    return Tool(ToolDef(name, described, d.parameters), call)


def check_outbound(url: str, *, resolver: Any = None) -> Any:
    """Resolves the HTTP server's host once and refuses a private or loopback address
    unless allow-listed (``AURA_HTTP_ALLOW`` and the run-time list), as the HTTP Request
    node does. Returns the :class:`~engine.net.pinned.Pin` the session connects to.

    Raises:
        SSRFBlocked: the address is refused (its message says what to allow).
        McpError: the host name does not resolve.
    """
    from engine.net.pinned import pin

    try:
        return pin(url, resolver=resolver)
    except OSError as exc:
        host = urlsplit(url).hostname
        raise McpError(
            f"The MCP server's host {host!r} does not resolve ({exc}). Check its URL."
        ) from None
