"""Agent runs on real ``aura worker`` processes over a real Redis: kill -9 of the worker in
the middle of a model call, and the run finishes on another worker without any finished
model call or tool call being made again (the local LLM server's log says so); a forking
worker carries a run with a workflow tool too."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.auth.types import Principal
from tests.support.env import Env, queue_env, wait_until
from tests.support.fixtures import redis_for_tests, redis_url  # noqa: F401 (fixtures)
from tests.support.llm_server import LLMServer, last_tool_result

pytestmark = [pytest.mark.redis, pytest.mark.slow]
KEY = "sk-durable-key-41c9aa"
OPERATOR = Principal(user_id=None, email=None, role="owner")


@pytest.fixture
def env(tmp_path: Path, redis_url: str) -> Iterator[Env]:  # noqa: F811
    with queue_env("sqlite", tmp_path / "data", redis_url, AURA_HTTP_ALLOW="127.0.0.1/32") as e:
        yield e


@pytest.fixture
def llm() -> Iterator[LLMServer]:
    with LLMServer() as server:
        yield server


def _agent(llm: LLMServer, **definition: Any) -> str:
    from engine.services import agents, credentials

    cred = credentials.create_credential(
        OPERATOR,
        "LLM",
        "openai_compatible",
        {"base_url": llm.url, "api_key": KEY, "model": "gpt-x"},
    )
    d = {"model": {"credential_id": cred.id}, **definition}
    return agents.create_agent(OPERATOR, "Durable", d).id


def _row(eid: str) -> Any:
    from engine.services.store import get_store

    return get_store().executions.get(eid)


def test_killed_worker_mid_model_call_resumes_without_repeating(env: Env, llm: LLMServer) -> None:
    from engine.services import agents

    page = llm.url.removesuffix("/v1") + "/page?name=once"
    llm.play(
        {"tool": "http_request", "args": {"url": page}},
        {"text": "too late", "delay": 30},  # the worker dies while waiting for this
        lambda body: {"text": f"Finished: {last_tool_result(body)[:80]}"},
    )
    agent = _agent(llm, tools=[{"kind": "http"}])
    victim = env.worker("--no-fork")
    handle = agents.start_run(OPERATOR, agent, "Read the page", runtime="rq")
    wait_until(lambda: len(llm.requests) == 2, timeout=60, what="the slow model call", env=env)
    first_worker = _row(handle.id).worker_id
    assert [s["kind"] for s in agents.run_steps(OPERATOR, handle.id)] == ["model", "tool"]
    env.kill(victim)
    env.worker("--no-fork")
    row = wait_until(
        lambda: (r := _row(handle.id)).status in ("succeeded", "failed", "crashed") and r,
        timeout=90,
        what="the resumed run",
        env=env,
    )
    assert row.status == "succeeded", (row.error, env.logs())
    assert row.output_summary["answer"].startswith("Finished: ")
    assert "says hi to once" in row.output_summary["answer"]
    assert row.checkpoint["resumes"] == 1 and row.worker_id != first_worker
    # the server's log: the tool was fetched once; the first model call was made once
    assert llm.pages == ["once"]
    first_calls = [
        r for r in llm.requests if not any(m["role"] == "tool" for m in r.body["messages"])
    ]
    assert len(first_calls) == 1
    assert len(llm.requests) == 3  # the interrupted call, made again once, is the third
    steps = agents.run_steps(OPERATOR, handle.id)
    assert [s["kind"] for s in steps] == ["model", "tool", "model", "final"]


def test_forking_worker_runs_an_agent_with_a_workflow_tool(env: Env, llm: LLMServer) -> None:
    from engine.services import agents
    from engine.services.store import get_store

    tool_wf = (
        get_store()
        .workflows.create(
            {
                "name": "Forecast",
                "nodes": [
                    {"name": "Called", "type": "core.workflow_trigger"},
                    {
                        "name": "Set",
                        "type": "core.set",
                        "parameters": {
                            "assignments": [
                                {"name": "forecast", "value": "sunny in {{ $json.city }}"}
                            ]
                        },
                    },
                ],
                "connections": [{"source": "Called", "target": "Set"}],
            }
        )
        .id
    )
    agent = _agent(
        llm,
        tools=[
            {
                "kind": "workflow",
                "name": "forecast",
                "workflow_id": tool_wf,
                "description": "Weather by city.",
            }
        ],
    )
    llm.play(
        {"tool": "forecast", "args": {"city": "Oslo"}},
        lambda body: {"text": f"It is {last_tool_result(body)}"},
    )
    env.worker()
    handle = agents.start_run(OPERATOR, agent, "Weather in Oslo?", runtime="rq")
    row = handle.result(timeout=60)
    assert row.status == "succeeded", (row.error, env.logs())
    assert "sunny in Oslo" in row.output_summary["answer"]


def test_one_worker_carries_several_runs_while_their_models_think(env: Env, llm: LLMServer) -> None:
    """One forking worker process: three runs wait on their slow models at the same
    time (the worker handed each to its threads instead of holding itself)."""
    from engine.services import agents

    llm.play({"text": "slow answer", "delay": 8})
    agent = _agent(llm)
    env.worker()
    handles = [agents.start_run(OPERATOR, agent, f"question {i}", runtime="rq") for i in range(3)]
    wait_until(
        lambda: len(llm.requests) == 3,
        timeout=60,
        what="three model calls in flight at once",
        env=env,
    )
    assert all(_row(h.id).status == "running" for h in handles)
    assert len({_row(h.id).worker_id for h in handles}) == 1
    for h in handles:
        row = h.result(timeout=60)
        assert row.status == "succeeded" and row.output_summary["answer"] == "slow answer"


def test_an_agent_run_whose_job_redis_lost_is_answered_once_a_worker_starts(
    env: Env, llm: LLMServer
) -> None:
    """Recorded before it was queued, like every execution: with its job gone (Redis
    restarted without persistence), a worker's orphan sweep queues it again."""
    import redis

    from engine.services import agents

    llm.play({"text": "Still here"})
    agent = _agent(llm)
    handle = agents.start_run(OPERATOR, agent, "Are you there?", runtime="rq")
    queued = _row(handle.id)
    assert (queued.status, queued.kind, queued.input["prompt"]) == (
        "queued",
        "agent",
        "Are you there?",
    )
    redis.Redis.from_url(env.redis_url).flushdb()  # the job is lost, the row is not
    env.worker("--no-fork")
    row = handle.result(timeout=60)
    assert row.status == "succeeded", (row.error, env.logs())
    assert row.output_summary["answer"] == "Still here"
    assert agents.get_run(OPERATOR, handle.id)["answer"] == "Still here"


def test_a_run_parked_on_a_worker_is_answered_waiting_then_resumed_there(
    env: Env, llm: LLMServer
) -> None:
    """A sensitive tool parks the run on the worker: a caller waiting for it (chat, MCP,
    the API's ``wait``) is told ``waiting``; the approval sends it back to the workers
    through the one door, and it finishes there with the tool called once."""
    from engine.services import agents

    page = llm.url.removesuffix("/v1") + "/page?name=parked"
    llm.play(
        {"tool": "http_request", "args": {"url": page}},
        lambda body: {"text": f"Got: {last_tool_result(body)[:60]}"},
    )
    agent = _agent(llm, tools=[{"kind": "http", "sensitive": True}])
    env.worker("--no-fork")
    handle = agents.start_run(OPERATOR, agent, "Fetch it", runtime="rq")
    parked = agents.wait_for_run(handle, 60)
    assert parked.status == "waiting", (parked.error, env.logs())
    assert llm.pages == []
    (request,) = agents.inbox(OPERATOR)
    agents.decide(OPERATOR, request["id"], "approve")
    row = handle.result(timeout=60)
    assert row.status == "succeeded", (row.error, env.logs())
    assert "says hi to parked" in row.output_summary["answer"]
    assert llm.pages == ["parked"]
    assert [s["kind"] for s in agents.run_steps(OPERATOR, handle.id)] == [
        "model",
        "approval",
        "tool",
        "model",
        "final",
    ]
