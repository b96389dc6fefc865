"""An n8n agent whose tool is an n8n node with $fromAI parameters (Crypto as a tool),
imported and run against the local LLM server: the tool becomes an AURA node tool whose
arguments are the $fromAI keys, and the model's arguments reach the node."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from engine.interop import import_data
from tests.agents.conftest import People
from tests.agents.test_agent_node import _agent_out, _credential, _run
from tests.support.llm_server import LLMServer, last_tool_result


def _n8n_agent_with_a_crypto_tool() -> dict[str, Any]:
    def node(name: str, type_: str, version: float, **params: Any) -> dict[str, Any]:
        return {
            "name": name,
            "type": type_,
            "typeVersion": version,
            "position": [0, 0],
            "parameters": params,
        }

    lc = "@n8n/n8n-nodes-langchain."
    return {
        "nodes": [
            node("Start", "n8n-nodes-base.manualTrigger", 1),
            node("Agent", lc + "agent", 1.7, promptType="define", text="={{ $json.question }}"),
            node("Model", lc + "lmChatOpenAi", 1, model={"value": "gpt-x"}),
            node(
                "Hash it",
                "n8n-nodes-base.cryptoTool",
                1,
                action="hash",
                type="SHA256",
                value='={{ $fromAI("text", "the text to hash", "string") }}',
                dataPropertyName="digest",
                toolDescription="The SHA-256 of a text.",
            ),
        ],
        "connections": {
            "Start": {"main": [[{"node": "Agent", "type": "main", "index": 0}]]},
            "Model": {"ai_languageModel": [[{"node": "Agent", "type": "ai_languageModel"}]]},
            "Hash it": {"ai_tool": [[{"node": "Agent", "type": "ai_tool", "index": 0}]]},
        },
    }


def test_an_n8n_node_tool_with_from_ai_arguments_runs_with_the_models_arguments(
    llm: LLMServer, people: People
) -> None:
    [res] = import_data(_n8n_agent_with_a_crypto_tool(), fmt="n8n")
    assert res.workflow is not None and res.report.fully_mapped, res.report.to_dict()
    wf = res.workflow
    [tool] = wf.node("Agent").parameters["node_tools"]
    assert (tool["name"], tool["node_type"], tool["parameters"]["value"]) == (
        "Hash_it",
        "core.crypto",
        "{{ $json.text }}",
    )
    assert tool["input_schema"] == {
        "type": "object",
        "properties": {"text": {"type": "string", "description": "the text to hash"}},
        "required": ["text"],
    }
    from engine.graph import CredentialRef
    from engine.services.store import get_store

    agent = wf.node("Agent")
    agent.credentials = {"model": CredentialRef(id=_credential(people.bob, llm), name="LLM")}
    wid = str(get_store().workflows.create(wf, project_id=people.project(people.bob)).id)
    llm.play(
        {"tool": "Hash_it", "args": {"text": "hello"}},
        lambda b: {"text": json.loads(last_tool_result(b))["digest"]},
    )
    execution = _run(people, people.bob, wid, "Hash 'hello'")
    assert execution["status"] == "succeeded", execution
    assert _agent_out(execution)["answer"] == hashlib.sha256(b"hello").hexdigest()
    sent = llm.requests[0].body["tools"][0]["function"]
    assert sent["description"] == "The SHA-256 of a text." and sent["parameters"]["required"] == [
        "text"
    ]
