"""A stored agent (the registry) with an ``mcp`` tool: its run connects to the project's
MCP server (a real process over stdio), the model calls the server's tool and answers
with its result; the step is recorded like any tool call; a server the project does not
have fails the run saying so."""

from __future__ import annotations

from pathlib import Path

from tests.agents.conftest import People
from tests.agents.test_agent_node import _credential
from tests.agents.test_mcp_client import _stdio_config
from tests.support.llm_server import LLMServer, last_tool_result
from tests.support.mcp_server import calls


def test_a_stored_agent_calls_its_projects_mcp_server(
    llm: LLMServer, people: People, tmp_path: Path
) -> None:
    from engine.services import agents, mcp

    log = tmp_path / "calls.log"
    mcp.save_server(people.owner, people.project(people.bob), _stdio_config(log))
    definition = {
        "model": {"credential_id": _credential(people.bob, llm)},
        "tools": [{"kind": "mcp", "servers": ["tickets"]}],
    }
    agent = agents.create_agent(people.bob, "Ticket helper", definition).id
    llm.play(
        {"tool": "tickets__lookup_ticket", "args": {"ticket": "T-9"}},
        lambda b: {"text": "Status: " + last_tool_result(b)},
    )
    handle = agents.start_run(people.bob, agent, "Where is T-9?", runtime="inline")
    run = agents.get_run(people.bob, handle.id)
    assert run["status"] == "succeeded", run["error"]
    assert run["answer"] == "Status: Ticket T-9 is waiting for the customer"
    tool = next(s for s in run["steps"] if s["kind"] == "tool")
    assert tool["name"] == "tickets__lookup_ticket"
    assert calls(log) == [{"tool": "lookup_ticket", "arguments": {"ticket": "T-9"}}]

    other = agents.create_agent(
        people.bob, "Lost", {**definition, "tools": [{"kind": "mcp", "servers": ["nope"]}]}
    ).id
    handle = agents.start_run(people.bob, other, "Hi", runtime="inline")
    run = agents.get_run(people.bob, handle.id)
    assert run["status"] == "failed"
    assert "No MCP server named 'nope'" in str(run["error"])
