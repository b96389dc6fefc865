"""The AI Agent node's code and node tools, in stored workflows run as a signed-in editor
against the local LLM server: the model's Python runs in the sandbox and its result comes
back; code the sandbox refuses is an observation, not a crash; a node marked as a tool
runs with the model's arguments as its item; a node that is not a tool is refused with
the list of those that are; a node tool's credential must be one the run may use."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from engine.auth.types import Principal
from tests.agents.conftest import People
from tests.agents.test_agent_node import _agent_out, _credential, _run, _store
from tests.support.llm_server import LLMServer, last_tool_result


def _agent(people: People, who: Principal, cred: str, **params: Any) -> str:
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
                    "parameters": {"prompt": "{{ $json.question }}", **params},
                    "credentials": {"model": {"id": cred, "name": "LLM"}},
                },
            ],
            "connections": [{"source": "Start", "target": "Agent"}],
        },
    )


def _tool_names(body: dict[str, Any]) -> list[str]:
    return sorted(t["function"]["name"] for t in body.get("tools", []))


def test_the_model_runs_python_in_the_sandbox_and_refused_code_is_an_observation(
    llm: LLMServer, people: People
) -> None:
    cred = _credential(people.bob, llm)
    wid = _agent(people, people.bob, cred, code_tool=True)
    llm.play(
        {"tool": "run_python", "args": {"code": "import os\nreturn os.getcwd()"}},
        {
            "tool": "run_python",
            "args": {
                "code": "return sum(n * n for n in numbers)",
                "inputs": {"numbers": [1, 2, 3]},
            },
        },
        lambda b: {"text": "Squares add up to " + last_tool_result(b)},
    )
    execution = _run(people, people.bob, wid, "Sum of squares of 1..3?")
    assert execution["status"] == "succeeded", execution
    out = _agent_out(execution)
    assert out["answer"] == "Squares add up to 14"
    refused, ran = [s for s in out["steps"] if s["type"] == "tool"]
    assert refused["ok"] is False and "os" in refused["output"]
    assert ran["ok"] and ran["output"] == "14"
    assert _tool_names(llm.requests[0].body) == ["run_python"]


def test_a_node_marked_as_a_tool_runs_with_the_models_arguments(
    llm: LLMServer, people: People
) -> None:
    cred = _credential(people.bob, llm)
    wid = _agent(
        people,
        people.bob,
        cred,
        node_tools=[
            {
                "name": "sha256",
                "description": "The SHA-256 of a text.",
                "node_type": "core.crypto",
                "parameters": {
                    "operation": "hash",
                    "value": "{{ $json.text }}",
                    "output_field": "digest",
                },
                "input_schema": {
                    "type": "object",
                    "properties": {"text": {"type": "string"}},
                    "required": ["text"],
                },
            }
        ],
    )
    llm.play(
        {"tool": "sha256", "args": {"text": "hello"}},
        lambda b: {"text": json.loads(last_tool_result(b))["digest"]},
    )
    execution = _run(people, people.bob, wid, "Hash 'hello'")
    assert execution["status"] == "succeeded", execution
    assert _agent_out(execution)["answer"] == hashlib.sha256(b"hello").hexdigest()
    tool = llm.requests[0].body["tools"][0]["function"]
    assert tool["name"] == "sha256" and tool["parameters"]["required"] == ["text"]


def test_a_node_that_is_not_a_tool_is_refused_naming_those_that_are(
    llm: LLMServer, people: People
) -> None:
    cred = _credential(people.bob, llm)
    wid = _agent(
        people,
        people.bob,
        cred,
        node_tools=[
            {
                "name": "shell",
                "description": "Run code.",
                "node_type": "core.code",
                "parameters": {"code": "return 1"},
            }
        ],
    )
    llm.play({"text": "never asked"})
    execution = _run(people, people.bob, wid)
    assert execution["status"] == "failed"
    message = json.dumps(execution["error"])
    assert "'core.code', which cannot be used as a tool" in message
    assert "core.crypto" in message and "core.http_request" in message
    assert llm.requests == []


def test_a_node_tools_credential_must_be_usable_by_the_run(llm: LLMServer, people: People) -> None:
    import hmac

    from engine.services import credentials

    def secret(who: Principal, value: str) -> str:
        return credentials.create_credential(who, "HMAC", "hmac_secret", {"secret": value}).id

    def signer(name: str, cid: str) -> dict[str, Any]:
        return {
            "name": name,
            "description": "HMAC-SHA256 of a text.",
            "node_type": "core.crypto",
            "parameters": {"operation": "hmac", "value": "{{ $json.text }}"},
            "credentials": {"hmac_secret": cid},
        }

    bobs, erins = secret(people.bob, "bob-hmac-key-77aa"), secret(people.erin, "erin-hmac-key-0b1d")
    cred = _credential(people.bob, llm)
    wid = _agent(
        people, people.bob, cred, node_tools=[signer("sign", bobs), signer("sign_erin", erins)]
    )
    llm.play(
        {"tool": "sign", "args": {"text": "x"}},
        {"tool": "sign_erin", "args": {"text": "x"}},
        {"text": "done"},
    )
    execution = _run(people, people.bob, wid)
    mine, hers = [s for s in _agent_out(execution)["steps"] if s["type"] == "tool"]
    expected = hmac.new(b"bob-hmac-key-77aa", b"x", "sha256").hexdigest()
    assert mine["ok"] and expected in mine["output"]
    assert hers["ok"] is False and "secret" in hers["output"]
    recorded = json.dumps(execution, default=str)
    assert "erin-hmac-key-0b1d" not in recorded and "bob-hmac-key-77aa" not in recorded
