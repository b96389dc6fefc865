"""The console's MCP servers screen (``m`` on the agents screen) against a real API server
and real MCP servers (the test MCP server over streamable HTTP and over stdio): the
operator sees the project's servers, untested; ``t`` connects to the highlighted one and
lists the tools an agent would get; a server that is gone says why it failed; ``a``
tests them all; escape goes back to the agents."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Static

from tests.support.mcp_server import ROOT, McpHttpServer, calls
from tests.tui._helpers import cells, make_app, signed_in, text_of, wait_for
from tests.tui._server import Server, free_port
from tests.tui.test_agents import agent_server, llm  # noqa: F401 (the fixtures)
from tui.screens.agents import AgentsScreen
from tui.screens.mcp_servers import McpServersScreen

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def mcp_http(tmp_path_factory: pytest.TempPathFactory) -> Iterator[McpHttpServer]:
    with McpHttpServer(tmp_path_factory.mktemp("mcp") / "calls.log") as server:
        yield server


def _arrange(server: Server, mcp_http: McpHttpServer) -> str:
    """Three servers in the owner's project: HTTP (two tools offered), stdio, and one
    whose address answers nothing."""
    with server.client() as c:
        project = c.get("/projects").json()["items"][0]
        url = f"/projects/{project['id']}/mcp-servers"
        configs: list[dict[str, Any]] = [
            {
                "name": "desk",
                "transport": "http",
                "url": mcp_http.url,
                "tools": ["add", "lookup_ticket"],
            },
            {
                "name": "local",
                "transport": "stdio",
                "command": sys.executable,
                "args": ["-m", "tests.support.mcp_server", "stdio"],
                "cwd": str(ROOT),
            },
            {
                "name": "gone",
                "transport": "http",
                "url": f"http://127.0.0.1:{free_port()}/mcp",
                "timeout_s": 5,
            },
        ]
        for config in configs:
            r = c.put(url, json=config)
            assert r.status_code == 200, r.text
        return str(project["name"])


def _state(table: DataTable[Any], name: str) -> str:
    return next(r for r in cells(table) if r[0] == name)[5]


async def test_the_mcp_servers_screen_tests_connections(
    agent_server: Server,  # noqa: F811
    mcp_http: McpHttpServer,
    config_file: Path,
) -> None:
    project = _arrange(agent_server, mcp_http)
    app = make_app(agent_server, config_file, api_key=agent_server.api_key)
    async with app.run_test(size=(160, 45)) as pilot:
        await signed_in(pilot)
        await pilot.press("6")
        await wait_for(pilot, lambda: isinstance(app.screen, AgentsScreen), what="agents")
        await pilot.press("m")
        screen: Any = await wait_for(
            pilot,
            lambda: isinstance(app.screen, McpServersScreen) and app.screen.servers and app.screen,
            what="the MCP servers",
        )
        table = screen.query_one("#mcp-table", DataTable)
        rows = {r[0]: r for r in cells(table)}
        assert set(rows) == {"desk", "local", "gone"}
        assert rows["desk"][1:5] == [project, "http", mcp_http.url, "add, lookup_ticket"]
        assert rows["local"][2] == "stdio" and rows["local"][4] == "all"
        assert all(r[5] == "not tested (t)" for r in rows.values())

        names = [r[0] for r in cells(table)]
        table.move_cursor(row=names.index("desk"))
        await pilot.press("t")
        await wait_for(
            pilot,
            lambda: _state(table, "desk").startswith("✔ connected · 2 tools"),
            timeout=60,
            what="desk connected",
        )
        detail = text_of(screen.query_one("#mcp-detail", Static))
        assert "desk__add(a, b)  Add two integers." in detail
        assert "desk__lookup_ticket(ticket)" in detail and "read_page" not in detail

        table.move_cursor(row=names.index("gone"))
        await pilot.press("t")
        await wait_for(
            pilot,
            lambda: _state(table, "gone").startswith("✘ failed"),
            timeout=60,
            what="gone failed",
        )
        detail = text_of(screen.query_one("#mcp-detail", Static))
        assert "Could not connect to the MCP server 'gone'" in detail

        await pilot.press("a")
        await wait_for(
            pilot,
            lambda: _state(table, "local").startswith("✔ connected · 4 tools"),
            timeout=90,
            what="every server tested",
        )
        await wait_for(
            pilot,
            lambda: (
                _state(table, "gone").startswith("✘ failed")
                and _state(table, "desk").startswith("✔ connected")
            ),
            timeout=60,
            what="the others tested again",
        )
        assert calls(mcp_http.log) == []  # listing tools calls none
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, AgentsScreen), what="back")
