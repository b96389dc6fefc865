"""MCP client services: the MCP servers each project configures, and the tools of those
servers for the agents of its runs (``engine.sdk.mcp``).

A project's servers are kept in the key-value ``setting`` table under
``mcp.servers.<project>`` (no migration). Reading them needs ``project:read`` in the
project; changing them ``project:manage``; a **stdio** server also needs an instance
admin (``settings:update``), since it starts a program on AURA's machines. An HTTP
server's secret header comes from a credential (``bearer`` or ``header_auth``) the
person saving it may use; the run checks again, as its own principal, when it connects.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from pydantic import ValidationError as PydanticValidationError

from engine.agents.loop import Tool
from engine.agents.mcp_client import McpServerConfig, McpToolbox
from engine.auth.rbac import authorize
from engine.auth.types import Principal
from engine.errors import CredentialError, NotFoundError, ValidationError
from engine.sdk.mcp import McpAccess, set_provider
from engine.services.store import get_store

__all__ = [
    "CREDENTIAL_KINDS",
    "delete_server",
    "for_execution",
    "list_servers",
    "save_server",
    "test_server",
]

CREDENTIAL_KINDS = ("bearer", "header_auth")
_PREFIX = "mcp.servers."


def _key(project_id: str | None) -> str:
    return f"{_PREFIX}{project_id or '-'}"


def _load(project_id: str | None) -> list[McpServerConfig]:
    value = get_store().settings.get(_key(project_id))
    if not isinstance(value, dict):
        return []
    return [McpServerConfig.model_validate(s) for s in value.get("servers", [])]


def _save(project_id: str | None, servers: list[McpServerConfig]) -> None:
    get_store().settings.set(
        _key(project_id), {"servers": [s.model_dump(mode="json") for s in servers]}
    )


def list_servers(principal: Principal, project_id: str | None) -> list[McpServerConfig]:
    """The MCP servers of ``project_id`` (None: workflows outside any project)."""
    authorize(principal, "project:read", project_id=project_id)
    return _load(project_id)


def _plain(err: Any) -> str:
    from engine.graph.messages import plain_message

    if tuple(err.get("loc", ())) == ("name",) and err.get("type") == "string_pattern_mismatch":
        return (
            "Use 1 to 32 lower-case letters, digits, '_' or '-', starting with a letter or "
            "digit (e.g. 'tickets'); the model sees the tools as '<name>__<tool>'."
        )
    return plain_message(err)


def _parsed(config: dict[str, Any]) -> McpServerConfig:
    try:
        return McpServerConfig.model_validate(config)
    except PydanticValidationError as exc:
        fields = {".".join(str(p) for p in e["loc"]) or "server": _plain(e) for e in exc.errors()}
        problems = " ".join(f"{where}: {msg}" for where, msg in fields.items())
        raise ValidationError(
            f"The MCP server settings are not valid: {problems}",
            details={
                "errors": [{"loc": list(e["loc"]), "msg": _plain(e)} for e in exc.errors()],
                "fields": fields,
            },
        ) from None


def save_server(
    principal: Principal, project_id: str | None, config: dict[str, Any]
) -> McpServerConfig:
    """Adds the server, or replaces the project's server of the same name."""
    authorize(principal, "project:manage", project_id=project_id)
    server = _parsed(config)
    if server.transport == "stdio":
        authorize(principal, "settings:update")  # it starts a program on this machine
    if server.credential_id is not None:
        _check_credential(principal, server)
    servers = [s for s in _load(project_id) if s.name != server.name]
    _save(project_id, [*servers, server])
    return server


def delete_server(principal: Principal, project_id: str | None, name: str) -> None:
    """Removes the project's server ``name``."""
    authorize(principal, "project:manage", project_id=project_id)
    servers = _load(project_id)
    if not any(s.name == name for s in servers):
        raise _missing(name, servers)
    _save(project_id, [s for s in servers if s.name != name])


def test_server(principal: Principal, project_id: str | None, name: str) -> list[dict[str, Any]]:
    """Connects to the project's server ``name`` as the caller and lists its tools (the
    ones an agent would be offered: ``config.tools`` only, when it names any): what the
    studio's *Test connection* shows. Needs ``project:manage``, as changing it does.

    Raises:
        NotFoundError: no such server in the project.
        CredentialError: its credential is not one the caller may use.
        McpError, SSRFBlocked: it cannot be reached (the message says why).
    """
    from engine.agents.mcp_client import McpSession, tool_name

    authorize(principal, "project:manage", project_id=project_id)
    servers = _load(project_id)
    server = next((s for s in servers if s.name == name), None)
    if server is None:
        raise _missing(name, servers)
    if server.credential_id is not None:
        _check_credential(principal, server)
    with McpSession(server, headers=_headers(server)) as session:
        tools = session.tools()
    return [
        {
            "name": t.name,
            "called_as": tool_name(server.name, t.name),
            "description": t.description,
            "arguments": sorted((t.parameters.get("properties") or {}).keys()),
        }
        for t in tools
    ]


def _missing(name: str, servers: list[McpServerConfig]) -> NotFoundError:
    known = ", ".join(s.name for s in servers) or "none"
    return NotFoundError(
        f"No MCP server named '{name}' in this project (it has: {known}). Add it in the "
        "project's MCP settings, or correct the name.",
        details={"server": name},
    )


def _check_credential(principal: Principal, server: McpServerConfig) -> None:
    from engine.services.principals import can_use_credential

    assert server.credential_id is not None
    if not can_use_credential(principal, server.credential_id):
        raise CredentialError(
            f"MCP server '{server.name}': credential {server.credential_id} is not available "
            "to you (deleted, or neither owned by nor shared with your projects).",
            details={"server": server.name},
        )
    kind = get_store().credentials.get(server.credential_id).kind
    if kind not in CREDENTIAL_KINDS:
        raise ValidationError(
            f"MCP server '{server.name}': the credential must be a Bearer token or Header "
            f"auth credential, not '{kind}'.",
            details={"server": server.name, "kind": kind},
        )


def _headers(server: McpServerConfig) -> dict[str, str]:
    """The header an HTTP server's credential sends (decrypted only here, at connect)."""
    from engine.services.credentials import resolve

    if server.credential_id is None:
        return {}
    data = resolve(server.credential_id)
    if "token" in data:
        return {"Authorization": f"Bearer {data['token']}"}
    return {str(data["name"]): str(data["value"])}


class _RunMcp(McpAccess):
    """``engine.sdk.mcp`` for one execution, as its principal."""

    def __init__(self, execution_id: str) -> None:
        self.execution_id = execution_id

    def toolbox(self, servers: list[str]) -> AbstractContextManager[list[Tool]]:
        return self._toolbox(servers)

    @contextmanager
    def _toolbox(self, names: list[str]) -> Iterator[list[Tool]]:
        from engine.services.principals import RunAs, acting_principal, can_use_credential

        try:
            row = get_store().executions.get(self.execution_id)
        except NotFoundError:
            raise ValidationError(
                "MCP servers are reachable from recorded runs only: run the workflow from "
                "the studio, the API or 'aura run' with a data directory."
            ) from None
        run_as = RunAs.from_row(row)
        acting = acting_principal(run_as)
        available = _load(row.project_id)
        by_name = {s.name: s for s in available}
        chosen: list[McpServerConfig] = []
        for name in dict.fromkeys(names):
            if name not in by_name:
                raise _missing(name, available)
            chosen.append(by_name[name])
        headers: dict[str, dict[str, str]] = {}
        for server in chosen:
            if server.credential_id is None:
                continue
            if run_as.kind != "system" and not can_use_credential(acting, server.credential_id):
                raise CredentialError(
                    f"MCP server '{server.name}': its credential is not available to this "
                    f"execution, which runs as {run_as.describe()}. Share the credential "
                    "with the project, or choose another.",
                    details={"server": server.name},
                )
            headers[server.name] = _headers(server)
        with McpToolbox(chosen, headers=headers) as tools:
            yield tools


def for_execution(execution_id: str) -> McpAccess:
    """What ``engine.sdk.mcp.mcp_for`` gives the nodes of execution ``execution_id``."""
    return _RunMcp(execution_id)


set_provider(for_execution)
