"""Agent runs (executions of kind ``agent``) in this process against the local LLM server:
the tool-calling loop and plan-and-execute with their recorded steps, limits, bad model
output, retries on 429, the key never recorded, the ledger."""

from __future__ import annotations

import json
from typing import Any

import pytest

from engine.auth.types import Principal
from tests.agents.conftest import People
from tests.support.llm_server import LLMServer, last_tool_result

KEY = "sk-agent-run-secret-5e1f0c"


def _credential(who: Principal, llm: LLMServer) -> str:
    from engine.services import credentials

    data = {"base_url": llm.url, "api_key": KEY, "model": "gpt-x"}
    return credentials.create_credential(who, "LLM", "openai_compatible", data).id


def _agent(who: Principal, llm: LLMServer, **definition: Any) -> str:
    from engine.services import agents

    d = {
        "instructions": "Be brief.",
        "model": {"credential_id": _credential(who, llm), "max_retries": 2},
        **definition,
    }
    return agents.create_agent(who, "Helper", d).id


def _run(who: Principal, agent: str, prompt: str, **kw: Any) -> dict[str, Any]:
    from engine.services import agents

    handle = agents.start_run(who, agent, prompt, runtime="inline", **kw)
    return agents.get_run(who, handle.id)


def _page(llm: LLMServer, name: str) -> str:
    return llm.url.removesuffix("/v1") + f"/page?name={name}"


def test_tool_loop_records_every_step(
    people: People, llm: LLMServer, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    from engine.services import agents

    caplog.set_level(logging.DEBUG)

    agent = _agent(people.bob, llm, tools=[{"kind": "http"}])
    llm.play(
        {"tool": "http_request", "args": {"url": _page(llm, "Bob")}},
        {"text": "The page greets Bob."},
    )
    run = _run(people.bob, agent, "What does the page say?")
    assert run["status"] == "succeeded", run["error"]
    assert run["answer"] == "The page greets Bob."
    assert [s["kind"] for s in run["steps"]] == ["model", "tool", "model", "final"]
    tool = run["steps"][1]
    assert tool["name"] == "http_request" and tool["status"] == "succeeded"
    assert "says hi to Bob" in tool["output"]["observation"]
    assert run["steps"][0]["tokens_in"] == 11 and run["steps"][0]["tokens_out"] == 7
    assert (run["tokens_in"], run["tokens_out"]) == (22, 14)
    assert all(s["duration_ms"] is not None for s in run["steps"])
    assert llm.pages == ["Bob"]
    # the key went to the model server only, and is nowhere in what was recorded
    assert llm.requests[0].headers["authorization"] == f"Bearer {KEY}"
    assert KEY not in json.dumps(run)
    assert KEY not in json.dumps(agents.get_agent(people.bob, agent).to_dict())
    assert not any(KEY in json.dumps(r.body) for r in llm.requests)  # not in a prompt
    assert KEY not in caplog.text  # nor in a log line
    from engine.events import bus

    events = bus.recent(100, execution_id=run["id"])
    assert events and KEY not in json.dumps(events)
    # Erin does not see Bob's run
    from engine.errors import NotFoundError

    with pytest.raises(NotFoundError):
        agents.get_run(people.erin, run["id"])


def test_plan_and_execute_replans_after_a_failed_step(people: People, llm: LLMServer) -> None:
    agent = _agent(people.bob, llm, strategy="plan", tools=[{"kind": "http"}])
    bad = {"steps": [{"goal": "look", "tool": "http_request", "arguments": {}}]}
    good = {
        "steps": [
            {"goal": "fetch", "tool": "http_request", "arguments": {"url": _page(llm, "Plan")}}
        ]
    }
    llm.play(
        {"text": json.dumps(bad)},
        {"text": json.dumps(good)},
        {"text": "The page greets Plan."},
    )
    run = _run(people.bob, agent, "Fetch the page")
    assert run["status"] == "succeeded", run["error"]
    kinds = [(s["kind"], s["status"]) for s in run["steps"]]
    assert kinds == [
        ("model", "succeeded"),
        ("plan", "succeeded"),
        ("tool", "failed"),
        ("model", "succeeded"),
        ("plan", "succeeded"),
        ("tool", "succeeded"),
        ("model", "succeeded"),
        ("final", "succeeded"),
    ]
    assert run["steps"][4]["input"] == {"replan": True}
    # the re-plan request told the model what failed; the plan calls asked for JSON
    assert "previous plan failed" in llm.requests[1].body["messages"][-1]["content"]
    assert llm.requests[0].body["response_format"]["type"] == "json_schema"
    assert llm.pages == ["Plan"] and run["answer"] == "The page greets Plan."


def test_limits_end_the_run_with_a_clear_message(people: People, llm: LLMServer) -> None:
    agent = _agent(people.bob, llm, tools=[{"kind": "http"}], limits={"max_steps": 3})
    llm.play({"tool": "http_request", "args": {"url": _page(llm, "again")}})
    run = _run(people.bob, agent, "Loop forever")
    assert run["status"] == "failed"
    assert run["error"]["code"] == "agent_limit_reached"
    assert "limit of 3 steps" in run["error"]["message"]
    assert len([s for s in run["steps"] if s["kind"] in ("model", "tool")]) == 3
    tokens = _agent(people.bob, llm, tools=[{"kind": "http"}], limits={"max_tokens": 30})
    run = _run(people.bob, tokens, "Loop forever")
    assert run["status"] == "failed" and "limit of 30 tokens (used 36)" in run["error"]["message"]


def test_bad_model_output_is_observed_then_fails_clearly(people: People, llm: LLMServer) -> None:
    agent = _agent(people.bob, llm, tools=[{"kind": "http"}])
    llm.play(
        {"tool": "no_such_tool", "args": {}},
        {"tool": "http_request", "raw_args": "{not json"},
        {"text": "Sorry."},
    )
    run = _run(people.bob, agent, "Try")
    assert run["status"] == "succeeded"
    observations = [s["output"]["observation"] for s in run["steps"] if s["kind"] == "tool"]
    assert "no tool named 'no_such_tool'" in observations[0]
    assert "must be a JSON object" in observations[1]
    # unreadable twice in a row: one repair attempt, then a clear error
    llm.play({"tool": "http_request", "raw_args": "{not json"})
    run = _run(people.bob, agent, "Try again")
    assert run["status"] == "failed" and run["error"]["code"] == "malformed_tool_call"
    assert "again after being told" in run["error"]["message"]


def test_rate_limited_model_is_retried_honouring_retry_after(
    people: People, llm: LLMServer
) -> None:
    agent = _agent(people.bob, llm)
    llm.play({"status": 429, "retry_after": 0}, {"status": 503}, {"text": "Fine."})
    run = _run(people.bob, agent, "Hello")
    assert run["status"] == "succeeded" and run["answer"] == "Fine."
    assert len(llm.requests) == 3
    llm.play({"status": 429, "retry_after": 0})
    run = _run(people.bob, agent, "Hello")
    assert run["status"] == "failed" and run["error"]["code"] == "model_error"
    assert "HTTP 429" in run["error"]["message"] and KEY not in run["error"]["message"]


def test_ledger_prices_and_budgets(people: People, llm: LLMServer) -> None:
    from engine.errors import ConflictError
    from engine.services import agents

    agents.set_prices(people.owner, {"gpt-*": {"input": 1000, "output": 2000}})
    agent = _agent(people.bob, llm, budget={"stop": 0.02})
    llm.play({"text": "One."})
    run = _run(people.bob, agent, "Count")
    # 11 tokens in at 1000/M, 7 out at 2000/M
    assert run["cost"] == pytest.approx(0.011 + 0.014)
    by_agent = agents.usage(people.bob, by="agent_id")
    assert by_agent == [
        {
            "agent_id": agent,
            "calls": 1,
            "tokens_in": 11,
            "tokens_out": 7,
            "cost": pytest.approx(0.025),
        }
    ]
    assert agents.usage(people.erin, by="agent_id") == []
    from engine.services.agents import save_agent

    save_agent(
        people.bob,
        agent,
        {**agents.get_agent(people.bob, agent).definition, "budget": {"warn": 0.01}},
    )
    llm.play({"text": "Two."})
    warned = _run(people.bob, agent, "Count on")
    assert warned["status"] == "succeeded"
    assert warned["warnings"] == [
        "The monthly spending of agent 'Helper' (0.0250) is past its warning level (0.01)."
    ]
    save_agent(
        people.bob,
        agent,
        {**agents.get_agent(people.bob, agent).definition, "budget": {"stop": 0.04}},
    )
    with pytest.raises(ConflictError, match="monthly budget of agent 'Helper' is used up"):
        agents.start_run(people.bob, agent, "Count again", runtime="inline")


def test_memory_carries_within_a_session(people: People, llm: LLMServer) -> None:
    agent = _agent(people.bob, llm)
    llm.play({"text": "Nice to meet you, Ada."}, {"text": "You are Ada."})
    _run(people.bob, agent, "I am Ada.", session="s1")
    run = _run(people.bob, agent, "Who am I?", session="s1")
    sent = [m["content"] for m in llm.requests[1].body["messages"]]
    assert "I am Ada." in sent and "Nice to meet you, Ada." in sent
    assert run["answer"] == "You are Ada."


def test_paused_agents_refuse_runs(people: People, llm: LLMServer) -> None:
    from engine.errors import ConflictError
    from engine.services import agents

    agent = _agent(people.bob, llm)
    agents.set_state(people.bob, agent, "active")
    agents.set_state(people.bob, agent, "paused")
    with pytest.raises(ConflictError, match="paused; activate it"):
        agents.start_run(people.bob, agent, "Hi", runtime="inline")


def test_a_key_echoed_by_a_tool_is_redacted_from_steps_and_prompts(
    people: People, llm: LLMServer
) -> None:
    from engine.services import agents

    agent = _agent(people.bob, llm, tools=[{"kind": "http"}])
    llm.play({"tool": "http_request", "args": {"url": _page(llm, KEY)}}, {"text": "ok"})
    run = _run(people.bob, agent, "Fetch")
    assert llm.pages == [KEY]  # the page really echoed it
    tool = next(s for s in run["steps"] if s["kind"] == "tool")
    assert "says hi to" in tool["output"]["observation"]
    assert KEY not in json.dumps(agents.get_run(people.bob, run["id"]))
    # nor in the observation the model gets next (it only sees what it wrote itself)
    assert KEY not in last_tool_result(llm.requests[1].body)


def test_an_anthropic_agent_runs_its_tools(people: People, llm: LLMServer) -> None:
    from engine.services import agents, credentials

    data = {"base_url": llm.url.removesuffix("/v1"), "api_key": KEY, "model": "claude-x"}
    cred = credentials.create_credential(people.bob, "Claude", "anthropic", data)
    agent = agents.create_agent(
        people.bob,
        "Claude helper",
        {"model": {"provider": "anthropic", "credential_id": cred.id}, "tools": [{"kind": "http"}]},
    ).id
    llm.play(
        {"tool": "http_request", "args": {"url": _page(llm, "Claude")}},
        lambda body: {"text": last_tool_result(body)[:80]},
    )
    run = _run(people.bob, agent, "Fetch it")
    assert run["status"] == "succeeded" and "says hi to Claude" in run["answer"]
    assert llm.requests[0].path == "/v1/messages"
    assert (run["tokens_in"], run["tokens_out"]) == (26, 10)
