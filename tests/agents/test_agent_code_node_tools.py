"""Stored agents with a code tool and a node tool, against the local LLM server: the
model's Python runs in the sandbox and its value comes back as the observation; a node
that can be a tool (Crypto) runs with the model's arguments as its item; a sensitive
code tool waits for approval first; a node that cannot be a tool, or a credential the
editor may not use, is refused when the agent is saved, saying which nodes can; both
tools work the same on a real worker over Redis."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from engine.errors import ValidationError
from tests.agents.conftest import People
from tests.agents.test_agent_runs import _agent, _run
from tests.support.fixtures import redis_for_tests, redis_url  # noqa: F401 (fixtures)
from tests.support.llm_server import LLMServer, last_tool_result


def test_the_code_tool_runs_the_models_python_in_the_sandbox(
    people: People, llm: LLMServer
) -> None:
    agent = _agent(people.bob, llm, tools=[{"kind": "code", "timeout_s": 5}])
    llm.play(
        {"tool": "run_python", "args": {"code": "return sum(xs) * 2", "inputs": {"xs": [1, 2, 3]}}},
        {"tool": "run_python", "args": {"code": "import os\nreturn os.listdir('/')"}},
        lambda body: {"text": "Sandbox said: " + last_tool_result(body)[:120]},
    )
    run = _run(people.bob, agent, "Double the sum of 1, 2 and 3")
    assert run["status"] == "succeeded", run["error"]
    tools = [s for s in run["steps"] if s["kind"] == "tool"]
    assert tools[0]["output"] == {"observation": "12", "ok": True}
    assert tools[1]["output"]["ok"] is False  # refused by the sandbox: an observation
    assert "os" in tools[1]["output"]["observation"]
    offered = [t["function"]["name"] for t in llm.requests[0].body["tools"]]
    assert offered == ["run_python"]


def test_a_node_tool_runs_the_node_with_the_models_arguments(
    people: People, llm: LLMServer
) -> None:
    tool = {
        "kind": "node",
        "name": "sha256",
        "node_type": "core.crypto",
        "description": "SHA-256 of a text, in hex.",
        "parameters": {"operation": "hash", "value": "{{ $json.text }}", "algorithm": "sha256"},
        "input_schema": {
            "type": "object",
            "properties": {"text": {"type": "string"}},
            "required": ["text"],
        },
    }
    agent = _agent(people.bob, llm, tools=[tool])
    llm.play(
        {"tool": "sha256", "args": {"text": "hello agents"}},
        lambda body: {"text": "Hash: " + last_tool_result(body)},
    )
    run = _run(people.bob, agent, "Hash 'hello agents'")
    assert run["status"] == "succeeded", run["error"]
    digest = hashlib.sha256(b"hello agents").hexdigest()
    assert digest in run["answer"]
    sent = llm.requests[0].body["tools"][0]["function"]
    assert sent["name"] == "sha256" and sent["parameters"]["required"] == ["text"]
    assert sent["description"] == "SHA-256 of a text, in hex."


def test_a_sensitive_code_tool_waits_for_approval(people: People, llm: LLMServer) -> None:
    from engine.services import agents

    agent = _agent(people.bob, llm, tools=[{"kind": "code", "sensitive": True}])
    llm.play(
        {"tool": "run_python", "args": {"code": "return 6 * 7"}},
        lambda body: {"text": "It is " + last_tool_result(body)},
    )
    handle = agents.start_run(people.bob, agent, "6*7?", runtime="inline")
    assert agents.get_run(people.bob, handle.id)["status"] == "waiting"
    (request,) = agents.inbox(people.bob)
    assert request["subject"]["arguments"] == {"code": "return 6 * 7"}
    agents.decide(people.bob, request["id"], "approve")
    run = agents.get_run(people.bob, handle.id)
    assert run["status"] == "succeeded" and run["answer"] == "It is 42"


def test_saving_refuses_a_node_that_is_no_tool_and_a_foreign_credential(
    people: People, llm: LLMServer
) -> None:
    from engine.services import credentials

    with pytest.raises(ValidationError) as caught:
        _agent(people.bob, llm, tools=[{"kind": "node", "node_type": "core.set"}])
    message = caught.value.message
    assert "node type 'core.set' cannot be used as a tool" in message
    assert "core.crypto" in message and "core.http_request" in message

    theirs = credentials.create_credential(
        people.erin, "Erin's SMTP", "smtp", {"host": "smtp.example.com", "user": "e"}
    ).id
    send = {"kind": "node", "node_type": "core.send_email", "credentials": {"smtp": theirs}}
    with pytest.raises(ValidationError, match="is not one you may use") as caught:
        _agent(people.bob, llm, tools=[send])
    assert caught.value.details == {"field": "tools.core_send_email.credentials"}


@pytest.mark.redis
@pytest.mark.slow
def test_code_and_node_tools_on_a_real_worker(tmp_path: Path, redis_url: str) -> None:  # noqa: F811
    """The same tools on an ``aura worker`` over Redis: the sandbox and the node run
    from the worker's agent threads."""
    from engine.auth.types import Principal
    from engine.services import agents, credentials
    from tests.support.env import queue_env

    operator = Principal(user_id=None, email=None, role="owner")
    node = {
        "kind": "node",
        "name": "sha256",
        "node_type": "core.crypto",
        "parameters": {"operation": "hash", "value": "{{ $json.text }}"},
    }
    with (
        queue_env("sqlite", tmp_path / "data", redis_url, AURA_HTTP_ALLOW="127.0.0.1/32") as env,
        LLMServer() as llm,
    ):
        cred = credentials.create_credential(
            operator, "LLM", "openai_compatible", {"base_url": llm.url, "api_key": "sk-w"}
        )
        definition = {
            "model": {"credential_id": cred.id, "model": "gpt-x"},
            "tools": [{"kind": "code"}, node],
        }
        agent = agents.create_agent(operator, "Worker tools", definition).id
        llm.play(
            {"tool": "run_python", "args": {"code": "return 'abc' * 2"}},
            {"tool": "sha256", "args": {"text": "abcabc"}},
            lambda body: {"text": "Hash: " + last_tool_result(body)},
        )
        env.worker()
        handle = agents.start_run(operator, agent, "Hash abc twice", runtime="rq")
        row = handle.result(timeout=90)
        assert row.status == "succeeded", (row.error, env.logs())
        assert hashlib.sha256(b"abcabc").hexdigest() in row.output_summary["answer"]
        observations = [
            s["output"]["observation"]
            for s in agents.run_steps(operator, handle.id)
            if s["kind"] == "tool"
        ]
        assert observations[0] == "abcabc"
