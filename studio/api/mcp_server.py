"""AURA as an MCP server: ``/api/v1/mcp`` speaks the Model Context Protocol (streamable
HTTP, the ``mcp`` SDK's low-level server) and offers the workflows chosen for it as tools
(see :mod:`engine.services.mcp_tools`).

Only API keys get in: ``Authorization: Bearer <key>`` (what MCP clients send) or
``X-API-Key``. Anything else is answered ``401`` with ``{error, message, details}`` before
the protocol starts. Each request is stateless (no MCP session kept between requests),
so any number of API processes can serve it; the key is checked on every request, so a
revoked key stops at once. Tool calls run in a thread as the key's principal; a failed
run is a tool result with ``isError`` and the run's message, not a protocol error.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.types import Receive, Scope, Send

from engine.errors import AuraError, AuthenticationError
from engine.services.auth import Principal
from studio.api.serialize import json_response

__all__ = ["MCP_PATH", "McpEndpoint"]

MCP_PATH = "/api/v1/mcp"


class ServiceUnavailable(AuraError):
    """The endpoint is not serving (outside the app's lifespan)."""

    code = "service_unavailable"
    http_status = 503


_caller: ContextVar[Principal | None] = ContextVar("aura_mcp_caller", default=None)


def _key(scope: Scope) -> str | None:
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
    if headers.get("x-api-key"):
        return headers["x-api-key"].strip()
    auth = headers.get("authorization", "")
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip()
    return None


def _server() -> Any:
    import mcp_types as types
    from mcp.server.lowlevel import Server

    from engine.services import mcp_tools

    def caller() -> Principal:
        principal = _caller.get()
        if principal is None:  # pragma: no cover - the endpoint sets it first
            raise AuthenticationError("No API key.")
        return principal

    async def list_tools(ctx: Any, params: Any) -> types.ListToolsResult:
        tools = await run_in_threadpool(mcp_tools.exposed_tools, caller())
        return types.ListToolsResult(
            tools=[
                types.Tool(name=t.name, description=t.description, input_schema=t.input_schema)
                for t in tools
            ]
        )

    async def call_tool(ctx: Any, params: Any) -> types.CallToolResult:
        arguments = dict(params.arguments or {})
        try:
            items = await run_in_threadpool(mcp_tools.call_tool, caller(), params.name, arguments)
        except AuraError as exc:
            return types.CallToolResult(
                content=[types.TextContent(type="text", text=exc.message)], is_error=True
            )
        result: Any = items[0] if len(items) == 1 else items
        return types.CallToolResult(
            content=[types.TextContent(type="text", text=json.dumps(result, default=str))],
            structured_content={"result": result},
        )

    return Server(
        "aura",
        instructions="Workflows of this AURA instance, offered as tools.",
        on_list_tools=list_tools,
        on_call_tool=call_tool,
    )


class McpEndpoint:
    """The ASGI endpoint (mount it at :data:`MCP_PATH`); enter :meth:`lifespan` while the
    app serves. The ``mcp`` SDK is imported and its session manager started on the first
    request (about 1.5 s of CPU an API process that never serves MCP does not spend)."""

    def __init__(self) -> None:
        self._manager: Any = None
        self._group: Any = None
        self._lock: Any = None

    @asynccontextmanager
    async def lifespan(self) -> AsyncIterator[None]:
        """Serves while the block lasts (a new session manager each time: the SDK's runs
        once)."""
        import anyio

        self._lock = anyio.Lock()
        async with anyio.create_task_group() as group:
            self._group = group
            try:
                yield
            finally:
                self._group = self._manager = None
                group.cancel_scope.cancel()

    async def _started(self) -> Any:
        """The running session manager (started on first use); None outside the lifespan."""
        if self._manager is not None or self._group is None:
            return self._manager
        async with self._lock:
            if self._manager is None and self._group is not None:
                await self._group.start(self._serve)
        return self._manager

    async def _serve(self, *, task_status: Any) -> None:
        import anyio
        from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
        from mcp.server.transport_security import TransportSecuritySettings

        manager = StreamableHTTPSessionManager(
            app=_server(),
            stateless=True,
            json_response=True,
            # API keys, not cookies, sign requests in: a page of another site cannot use
            # them, so DNS-rebinding protection (for unauthenticated local servers) is off
            security_settings=TransportSecuritySettings(enable_dns_rebinding_protection=False),
        )
        async with manager.run():
            self._manager = manager
            task_status.started()
            await anyio.sleep_forever()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # pragma: no cover - mounted for HTTP only
            return
        try:
            principal = await self._authenticate(scope)
        except AuraError as exc:
            headers = {"WWW-Authenticate": 'Bearer realm="aura"'} if exc.http_status == 401 else {}
            await json_response(exc.to_dict(), exc.http_status, headers)(scope, receive, send)
            return
        manager = await self._started()
        if manager is None:
            error = ServiceUnavailable("The MCP server is starting or stopping; try again.")
            await json_response(error.to_dict(), 503)(scope, receive, send)
            return
        token = _caller.set(principal)
        try:
            await manager.handle_request(scope, receive, send)
        finally:
            _caller.reset(token)

    async def _authenticate(self, scope: Scope) -> Principal:
        from engine.services.auth import principal_from_api_key

        key = _key(scope)
        if not key:
            raise AuthenticationError(
                "AURA's MCP server needs an API key: create one under Account → API keys "
                "and send it as 'Authorization: Bearer <key>' (or 'X-API-Key').",
            )
        client = scope.get("client")
        principal: Principal = await run_in_threadpool(
            principal_from_api_key, key, ip=client[0] if client else None
        )
        return principal
