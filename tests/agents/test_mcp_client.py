"""The MCP client against a real MCP server process (``tests.support.mcp_server``), over
stdio and over streamable HTTP: what a user notices — an agent in a workflow calls the
project's MCP server's tools and answers with their results; a tool that fails or an
unknown tool is an observation, not a crash; a page telling the model to do something
else changes nothing AURA lets it do; an HTTP server's token comes from a credential and
is nowhere in the execution; another project cannot use the server; a stdio server is
added by an admin only; an HTTP server on loopback is refused unless allow-listed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.auth.types import Principal
from tests.agents.conftest import People
from tests.agents.test_agent_node import _agent_out, _credential, _run, _store
from tests.support.llm_server import LLMServer, last_tool_result
from tests.support.mcp_server import INJECTION, McpHttpServer, calls, stdio_command

TOKEN = "mcp-token-5f3e9a1c77"


@pytest.fixture(scope="module")
def mcp_http(tmp_path_factory: pytest.TempPathFactory) -> Iterator[McpHttpServer]:
    log = tmp_path_factory.mktemp("mcp") / "http.log"
    with McpHttpServer(log, token=TOKEN) as server:
        yield server


def _stdio_config(log: Path, name: str = "tickets") -> dict[str, Any]:
    command, args = stdio_command()
    return {
        "name": name,
        "transport": "stdio",
        "command": command,
        "args": args,
        "cwd": str(Path(__file__).resolve().parents[2]),
        "env": {"MCP_TEST_LOG": str(log)},
    }


def _agent(people: People, who: Principal, cred: str, servers: list[str]) -> str:
    return _store(
        people,
        who,
        {
            "name": "Ask",
            "nodes": [
                {"name": "Start", "type": "core.manual_trigger"},
                {
                    "name": "Agent",
                    "type": "ai.agent",
                    "parameters": {"prompt": "{{ $json.question }}", "mcp_servers": servers},
                    "credentials": {"model": {"id": cred, "name": "LLM"}},
                },
            ],
            "connections": [{"source": "Start", "target": "Agent"}],
        },
    )


def _tool_names(body: dict[str, Any]) -> list[str]:
    return sorted(t["function"]["name"] for t in body.get("tools", []))


def test_a_session_lists_and_calls_the_tools_of_a_stdio_server(tmp_path: Path) -> None:
    from engine.agents.mcp_client import McpServerConfig, McpSession, McpToolError

    log = tmp_path / "calls.log"
    config = McpServerConfig.model_validate(_stdio_config(log))
    with McpSession(config) as session:
        names = [t.name for t in session.tools()]
        assert names == ["add", "lookup_ticket", "read_page", "broken"]
        add = next(t for t in session.tools() if t.name == "add")
        assert add.parameters["required"] == ["a", "b"]
        assert session.call("add", {"a": 2, "b": 40}) == 42
        with pytest.raises(McpToolError, match="the ticket system is down"):
            session.call("broken", {})
    assert calls(log) == [
        {"tool": "add", "arguments": {"a": 2, "b": 40}},
        {"tool": "broken", "arguments": {}},
    ]


def test_a_stdio_server_that_cannot_start_fails_with_a_clear_message(tmp_path: Path) -> None:
    from engine.agents.mcp_client import McpError, McpServerConfig, McpSession

    config = McpServerConfig(name="gone", transport="stdio", command=str(tmp_path / "nope"))
    with pytest.raises(McpError, match="Could not connect to the MCP server 'gone'"):
        McpSession(config).__enter__()


def test_an_agent_uses_the_projects_stdio_server_and_tool_output_stays_data(
    llm: LLMServer, people: People, tmp_path: Path
) -> None:
    from engine.services import mcp

    log = tmp_path / "calls.log"
    project = people.project(people.bob)
    mcp.save_server(people.owner, project, _stdio_config(log))
    assert [s.name for s in mcp.list_servers(people.bob, project)] == ["tickets"]
    cred = _credential(people.bob, llm)
    wid = _agent(people, people.bob, cred, ["tickets"])
    llm.play(
        {"tool": "tickets__lookup_ticket", "args": {"ticket": "T-7"}},
        {"tool": "tickets__read_page", "args": {}},
        {"tool": "delete_everything", "args": {}},
        {"tool": "tickets__broken", "args": {}},
        lambda b: {"text": "Done: " + last_tool_result(b)},
    )
    execution = _run(people, people.bob, wid, "Where is T-7?")
    assert execution["status"] == "succeeded", execution
    out = _agent_out(execution)
    tool_steps = [s for s in out["steps"] if s["type"] == "tool"]
    assert tool_steps[0]["output"] == "Ticket T-7 is waiting for the customer"
    assert tool_steps[0]["ok"]
    # the page's "instructions" reached the model as a tool result, nothing more
    assert tool_steps[1]["output"] == INJECTION
    assert (
        tool_steps[2]["ok"] is False
        and "no tool named 'delete_everything'" in (tool_steps[2]["output"])
    )
    assert out["answer"].startswith("Done: Error: the tool 'tickets__broken' failed: ")
    assert out["answer"].endswith("the ticket system is down")
    offered = {tuple(_tool_names(r.body)) for r in llm.requests}
    assert offered == {
        ("tickets__add", "tickets__broken", "tickets__lookup_ticket", "tickets__read_page")
    }
    assert [c["tool"] for c in calls(log)] == ["lookup_ticket", "read_page", "broken"]


def test_an_http_server_gets_its_token_from_a_credential_that_stays_out_of_the_record(
    llm: LLMServer, people: People, mcp_http: McpHttpServer
) -> None:
    from engine.services import credentials, mcp

    project = people.project(people.bob)
    token = credentials.create_credential(people.bob, "MCP", "bearer", {"token": TOKEN}).id
    mcp.save_server(
        people.bob,
        project,
        {
            "name": "remote",
            "transport": "http",
            "url": mcp_http.url,
            "credential_id": token,
            "tools": ["add"],
        },
    )
    cred = _credential(people.bob, llm)
    wid = _agent(people, people.bob, cred, ["remote"])
    llm.play(
        {"tool": "remote__add", "args": {"a": 20, "b": 22}},
        lambda b: {"text": "The sum is " + last_tool_result(b)},
    )
    execution = _run(people, people.bob, wid, "20+22?")
    assert _agent_out(execution)["answer"] == "The sum is 42"
    assert _tool_names(llm.requests[0].body) == ["remote__add"]  # only the chosen tool
    assert TOKEN not in json.dumps(execution, default=str)
    assert calls(mcp_http.log)[-1] == {"tool": "add", "arguments": {"a": 20, "b": 22}}

    # without the token the server refuses, and the run says which server failed
    mcp.save_server(
        people.bob, project, {"name": "remote", "transport": "http", "url": mcp_http.url}
    )
    execution = _run(people, people.bob, wid, "20+22?")
    assert execution["status"] == "failed"
    assert "Could not connect to the MCP server 'remote'" in json.dumps(execution["error"])


def test_servers_belong_to_a_project_and_stdio_needs_an_admin(
    llm: LLMServer, people: People, tmp_path: Path, mcp_http: McpHttpServer
) -> None:
    from engine.errors import PermissionDenied
    from engine.services import mcp

    bob_project = people.project(people.bob)
    with pytest.raises(PermissionDenied):
        mcp.save_server(people.bob, bob_project, _stdio_config(tmp_path / "x.log"))
    with pytest.raises(PermissionDenied):  # not a member of Bob's project
        mcp.save_server(
            people.erin,
            bob_project,
            {"name": "remote", "transport": "http", "url": mcp_http.url},
        )
    mcp.save_server(people.owner, bob_project, _stdio_config(tmp_path / "x.log"))
    # Erin's agent names Bob's server: her project has none of that name
    cred = _credential(people.erin, llm)
    wid = _agent(people, people.erin, cred, ["tickets"])
    llm.play({"text": "never asked"})
    execution = _run(people, people.erin, wid)
    assert execution["status"] == "failed"
    assert "No MCP server named 'tickets' in this project" in json.dumps(execution["error"])
    assert llm.requests == []


def test_an_http_server_on_loopback_is_refused_unless_allowed(
    people: People, mcp_http: McpHttpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from engine.agents.mcp_client import McpServerConfig, McpSession
    from engine.config import reset_settings
    from engine.errors import SSRFBlocked

    monkeypatch.delenv("AURA_HTTP_ALLOW", raising=False)
    reset_settings()
    config = McpServerConfig(name="remote", transport="http", url=mcp_http.url)
    before = len(calls(mcp_http.log))
    with pytest.raises(SSRFBlocked, match="AURA_HTTP_ALLOW"):
        McpSession(config, headers={"Authorization": f"Bearer {TOKEN}"}).__enter__()
    assert len(calls(mcp_http.log)) == before


def test_bad_server_settings_are_refused_with_what_to_fix(people: People) -> None:
    from engine.errors import ValidationError
    from engine.services import mcp

    project = people.project(people.bob)
    with pytest.raises(ValidationError, match="needs a 'url'"):
        mcp.save_server(people.bob, project, {"name": "x", "transport": "http", "url": "ftp:/"})
    with pytest.raises(ValidationError, match="name"):
        mcp.save_server(
            people.bob,
            project,
            {"name": "Bad Name", "transport": "http", "url": "https://mcp.example.com/mcp"},
        )
