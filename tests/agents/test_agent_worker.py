"""The AI Agent node through the HTTP API on a real ``aura worker`` over a real Redis, as
two editors of two projects (the run-time authorization world): the worker decrypts the
key under Bob's principal, calls the local LLM server and Bob's tool workflow; Erin's
workflow is no tool for Bob; the key never shows in what the API returns; a session's
memory carries from one run to the next."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.services.authz_world import PRIVATE_OUTPUT, User, World, chain, make_world, set_node
from tests.support.fixtures import redis_for_tests, redis_url  # noqa: F401 (fixtures)
from tests.support.llm_server import LLMServer, last_tool_result

pytestmark = [pytest.mark.redis, pytest.mark.slow]
KEY = "sk-worker-key-0b7f3e55"


@pytest.fixture(scope="module")
def world(
    tmp_path_factory: pytest.TempPathFactory,
    redis_url: str,  # noqa: F811
) -> Iterator[World]:
    yield from make_world(tmp_path_factory.mktemp("agents") / "data", redis_url)


def _credential(w: World, user: User, llm: LLMServer) -> str:
    r = w.post(
        user,
        "/api/v1/credentials",
        json={
            "name": "LLM",
            "kind": "openai_compatible",
            "data": {"base_url": llm.url, "api_key": KEY, "model": "gpt-x"},
        },
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def _agent(w: World, user: User, cred: str, tool_workflow: str, **params: Any) -> str:
    agent = {
        "name": "Agent",
        "type": "ai.agent",
        "parameters": {
            **params,
            "prompt": "What does the tool say?",
            "tools": [
                {"name": "lookup", "description": "Looks it up.", "workflow_id": tool_workflow}
            ],
        },
        "credentials": {"model": {"id": cred, "name": "LLM"}},
    }
    return w.create(user, chain("agent", agent))


def _tool(w: World, user: User, marker: str) -> str:
    return w.create(
        user,
        chain(
            f"tool {marker}",
            set_node(marker=marker),
            start={"name": "Called", "type": "core.workflow_trigger"},
        ),
    )


def _answer(out: dict[str, Any]) -> str:
    run = next(r for r in out["execution"]["node_runs"] if r["node"] == "Agent")
    assert run["error"] is None, run["error"]
    return str(run["outputs"]["main"][0]["json"]["answer"])


def test_the_agent_runs_on_the_worker_as_its_principal(world: World) -> None:
    w = world
    with LLMServer() as llm:
        cred = _credential(w, w.bob, llm)
        mine = _agent(w, w.bob, cred, _tool(w, w.bob, "bob-tool-output"))
        llm.play(
            {"tool": "lookup", "args": {}},
            lambda b: {"text": "The tool said " + last_tool_result(b)},
        )
        out = w.run(w.bob, mine)
        assert out["status"] == "succeeded", out
        assert "bob-tool-output" in _answer(out)
        assert llm.requests[0].headers["authorization"] == f"Bearer {KEY}"
        shown = w.get(w.bob, f"/api/v1/executions/{out['execution_id']}")
        assert shown.status_code == 200 and KEY not in shown.text + json.dumps(out)

        theirs = _agent(w, w.bob, cred, _tool(w, w.erin, PRIVATE_OUTPUT))
        llm.play(
            {"tool": "lookup", "args": {}},
            lambda b: {"text": "The tool said " + last_tool_result(b)},
        )
        refused = w.run(w.bob, theirs)
        assert "No workflow with id or name" in _answer(refused)
        assert PRIVATE_OUTPUT not in json.dumps(refused)
        assert all(PRIVATE_OUTPUT not in json.dumps(r.body) for r in llm.requests)


def test_a_session_continues_across_runs_on_the_worker(world: World) -> None:
    w = world
    with LLMServer() as llm:
        cred = _credential(w, w.bob, llm)
        wid = _agent(w, w.bob, cred, _tool(w, w.bob, "unused"), session_key="support-1")
        for n in (1, 2):
            llm.play({"text": f"answer {n}"})
            assert _answer(w.run(w.bob, wid)) == f"answer {n}"
        sent = [m["content"] for m in llm.requests[0].body["messages"]]
        assert sent == ["What does the tool say?", "answer 1", "What does the tool say?"]
