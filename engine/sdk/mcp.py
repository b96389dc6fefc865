"""What nodes see of MCP servers: the tools of the project's MCP servers, for one agent
run (see :mod:`engine.agents.mcp_client`).

The services layer provides the implementation (:mod:`engine.services.mcp` registers it
with :func:`set_provider`): it acts as the execution's principal, so a node reaches only
the MCP servers configured in its execution's project, with credentials that principal
may use. Nodes program against this interface and never import the engine's services.
"""

from __future__ import annotations

import abc
import importlib
from collections.abc import Callable
from contextlib import AbstractContextManager

from engine.agents.loop import Tool

__all__ = ["McpAccess", "mcp_for", "set_provider"]

_PROVIDER_MODULE = "engine.services.mcp"
_provider: Callable[[str], McpAccess] | None = None


class McpAccess(abc.ABC):
    """The MCP servers of a running execution's project."""

    @abc.abstractmethod
    def toolbox(self, servers: list[str]) -> AbstractContextManager[list[Tool]]:
        """Connects to ``servers`` (names of the project's MCP servers) for as long as the
        ``with`` block lasts; gives their tools, named ``<server>__<tool>``.

        Raises:
            NotFoundError: a server name the project does not have.
            McpError: a server could not be reached.
        """


def set_provider(provider: Callable[[str], McpAccess]) -> None:
    """Installs the factory ``provider(execution_id) -> McpAccess``."""
    global _provider
    _provider = provider


def mcp_for(execution_id: str) -> McpAccess:
    """The MCP servers execution ``execution_id`` may use."""
    if _provider is None:
        importlib.import_module(_PROVIDER_MODULE)  # registers itself on import
    assert _provider is not None
    return _provider(execution_id)
