"""The studio's MCP server form and its *Test connection* without a browser: a stored
server reads back from the form unchanged; wrong settings are named in plain words
(the form's and the service's); testing a real MCP server over HTTP (token from a
credential) lists the tools an agent would be offered, a server that refuses says so,
and someone of another project cannot test it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from studio.logic.mcp_form import EMPTY, field_errors, from_form, to_form
from tests.agents.conftest import People
from tests.support.mcp_server import McpHttpServer

TOKEN = "mcp-form-token-0451"


@pytest.fixture(scope="module")
def mcp_http(tmp_path_factory: pytest.TempPathFactory) -> Iterator[McpHttpServer]:
    with McpHttpServer(tmp_path_factory.mktemp("mcp") / "calls.log", token=TOKEN) as server:
        yield server


def test_a_server_reads_back_from_the_form_and_wrong_settings_are_plain() -> None:
    stored = {
        "name": "local",
        "transport": "stdio",
        "command": "python",
        "args": ["-m", "tools"],
        "env": {"LOG_LEVEL": "info"},
        "cwd": None,
        "tools": ["add", "lookup"],
        "timeout_s": 45.0,
    }
    form = to_form(stored)
    assert form["args"] == "-m\ntools" and form["env"] == "LOG_LEVEL=info"
    config, errors = from_form(form)
    assert errors == {} and config == stored

    bad = {**EMPTY, "name": "My Tickets", "url": "mcp.example.com", "timeout_s": "0"}
    _, errors = from_form(bad)
    assert set(errors) == {"name", "url", "timeout_s"}
    assert "lower-case letters" in errors["name"] and "https://" in errors["url"]
    _, errors = from_form({**EMPTY, "name": "x", "transport": "stdio", "env": "oops"})
    assert errors["command"].startswith("Enter the program")
    assert errors["env"].startswith("Line 1 ('oops') is not NAME=value")


def test_the_service_words_its_refusals_plainly(people: People) -> None:
    from engine.errors import ValidationError
    from engine.services import mcp

    project = people.project(people.bob)
    with pytest.raises(ValidationError) as caught:
        mcp.save_server(
            people.bob, project, {"name": "Bad Name", "transport": "http", "url": "https://x.io"}
        )
    assert "String should" not in caught.value.message
    assert field_errors(caught.value.details)["name"].startswith("Use 1 to 32 lower-case")


def test_testing_the_connection_lists_the_tools_an_agent_gets(
    people: People, mcp_http: McpHttpServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from engine.config import reset_settings
    from engine.errors import NotFoundError, PermissionDenied
    from engine.services import credentials, mcp

    monkeypatch.setenv("AURA_HTTP_ALLOW", "127.0.0.1/32")
    reset_settings()
    project = people.project(people.bob)
    token = credentials.create_credential(people.bob, "MCP", "bearer", {"token": TOKEN}).id
    server = {"name": "remote", "transport": "http", "url": mcp_http.url, "tools": ["add"]}
    mcp.save_server(people.bob, project, {**server, "credential_id": token})
    tools = mcp.test_server(people.bob, project, "remote")
    assert tools == [
        {
            "name": "add",
            "called_as": "remote__add",
            "description": "Add two integers.",
            "arguments": ["a", "b"],
        }
    ]
    mcp.save_server(people.bob, project, server)  # no token: the server says no
    with pytest.raises(Exception, match="Could not connect to the MCP server 'remote'"):
        mcp.test_server(people.bob, project, "remote")
    with pytest.raises((NotFoundError, PermissionDenied)):
        mcp.test_server(people.erin, project, "remote")
    with pytest.raises(NotFoundError, match="No MCP server named 'gone'"):
        mcp.test_server(people.bob, project, "gone")
