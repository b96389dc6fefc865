"""``/api/v1/projects/{project_id}/mcp-servers``: the MCP servers a project's agents may
use (:mod:`engine.services.mcp`): list, add or replace by name, remove, and test one
(connect and list the tools an agent would be offered).

Reading needs ``project:read`` in the project, changing ``project:manage``; a stdio
server (it starts a program on AURA's machines) also an instance admin. An HTTP
server's secret header comes from a credential named by id, never from this body.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field
from starlette.responses import Response

from engine.services import mcp
from studio.api.routing import Call, Router
from studio.api.schemas import In, Out

__all__ = ["router"]

router = Router("MCP servers")


class McpServerIn(In):
    name: str = Field(max_length=32, description="Short name; tools are '<name>__<tool>'.")
    transport: Literal["stdio", "http"] = Field(description="stdio or http.")
    command: str = Field("", max_length=1000, description="stdio: the program to start.")
    args: list[str] = Field(
        default_factory=list, max_length=100, description="stdio: its arguments."
    )
    env: dict[str, str] = Field(
        default_factory=dict,
        description="stdio: environment variables (stored in clear: no secrets).",
    )
    cwd: str | None = Field(None, max_length=1000, description="stdio: working directory.")
    url: str = Field("", max_length=2000, description="http: the endpoint URL.")
    credential_id: str | None = Field(
        None, max_length=64, description="http: a Bearer token or Header auth credential."
    )
    tools: list[str] = Field(
        default_factory=list, max_length=500, description="Only these tools (empty: all)."
    )
    timeout_s: float = Field(30, gt=0, le=600, description="Seconds to wait for an answer.")


class McpServerOut(Out):
    name: str
    transport: str
    command: str
    args: list[str]
    env: dict[str, str]
    cwd: str | None
    url: str
    credential_id: str | None
    tools: list[str]
    timeout_s: float


class McpServerList(Out):
    items: list[McpServerOut]


class McpToolOut(Out):
    name: str = Field(description="The tool's name on the server.")
    called_as: str = Field(description="The name the model calls it by: '<server>__<tool>'.")
    description: str
    arguments: list[str] = Field(description="The names of its arguments.")


class McpToolList(Out):
    items: list[McpToolOut]


def _project(call: Call) -> str:
    return str(call.path["project_id"])


@router.get(
    "/projects/{project_id}/mcp-servers",
    action="project:read",
    summary="List a project's MCP servers",
    response=McpServerList,
    scope="service",
    errors=(403, 404),
)
def list_mcp_servers(call: Call) -> dict[str, Any]:
    """The MCP servers of the project, by name."""
    servers = mcp.list_servers(call.principal, _project(call))
    return {"items": [s.model_dump(mode="json") for s in servers]}


@router.put(
    "/projects/{project_id}/mcp-servers",
    action="project:manage",
    summary="Add or replace an MCP server",
    body=McpServerIn,
    response=McpServerOut,
    scope="service",
    errors=(403, 404, 422),
)
def save_mcp_server(call: Call) -> dict[str, Any]:
    """Adds the server, or replaces the project's server of the same name."""
    body: McpServerIn = call.body
    server = mcp.save_server(call.principal, _project(call), body.model_dump())
    return server.model_dump(mode="json")


@router.delete(
    "/projects/{project_id}/mcp-servers/{name}",
    action="project:manage",
    summary="Remove an MCP server",
    status=204,
    scope="service",
    errors=(403, 404),
)
def delete_mcp_server(call: Call) -> Response:
    """Removes the project's server ``name``."""
    mcp.delete_server(call.principal, _project(call), str(call.path["name"]))
    return Response(status_code=204)


@router.post(
    "/projects/{project_id}/mcp-servers/{name}/test",
    action="project:manage",
    summary="Test an MCP server's connection",
    response=McpToolList,
    scope="service",
    errors=(403, 404, 422, 502),
)
def test_mcp_server(call: Call) -> dict[str, Any]:
    """Connects to the server as the caller and lists the tools an agent would be
    offered; a server that cannot be reached answers 502 saying why."""
    tools = mcp.test_server(call.principal, _project(call), str(call.path["name"]))
    return {"items": tools}
