"""The AI Agent node in stored workflows run through ``engine.services.executions.start``
as a signed-in editor, against the local LLM server: what a user notices — the agent
calls a tool workflow and answers with its result; another project's workflow is refused
as a tool; the API key is nowhere in the stored execution; a looping model stops at the
iteration limit with a clear error; a session remembers earlier turns; knowledge search
reaches the project's own knowledge bases only."""

from __future__ import annotations

import json
from typing import Any

from engine.auth.types import Principal
from tests.agents.conftest import People
from tests.support.llm_server import LLMServer, last_tool_result

KEY = "sk-agent-secret-73c1d0e2"
PRIVATE = "erin-private-forecast-91aa"


def _credential(who: Principal, llm: LLMServer, provider: str = "openai") -> str:
    from engine.services import credentials

    if provider == "anthropic":
        data = {"base_url": llm.url.removesuffix("/v1"), "api_key": KEY, "model": "claude-x"}
        kind = "anthropic"
    else:
        data = {"base_url": llm.url, "api_key": KEY, "model": "gpt-x"}
        kind = "openai_compatible"
    return credentials.create_credential(who, "LLM", kind, data).id


def _store(people: People, who: Principal, definition: dict[str, Any]) -> str:
    from engine.graph import load_workflow
    from engine.services.store import get_store

    rec = get_store().workflows.create(load_workflow(definition), project_id=people.project(who))
    return str(rec.id)


def _tool_workflow(people: People, who: Principal, forecast: str) -> str:
    return _store(
        people,
        who,
        {
            "name": f"Forecast {forecast}",
            "nodes": [
                {"name": "Called", "type": "core.workflow_trigger"},
                {
                    "name": "Look up",
                    "type": "core.set",
                    "parameters": {
                        "assignments": [
                            {"name": "forecast", "value": forecast + " in {{ $json.city }}"}
                        ]
                    },
                },
            ],
            "connections": [{"source": "Called", "target": "Look up"}],
        },
    )


def _agent_workflow(people: People, who: Principal, cred: str, **params: Any) -> str:
    agent = {
        "name": "Agent",
        "type": "ai.agent",
        "parameters": {"prompt": "{{ $json.question }}", "system_prompt": "Be brief.", **params},
        "credentials": {"model": {"id": cred, "name": "LLM"}},
    }
    return _store(
        people,
        who,
        {
            "name": "Ask",
            "nodes": [{"name": "Start", "type": "core.manual_trigger"}, agent],
            "connections": [{"source": "Start", "target": "Agent"}],
        },
    )


def _run(
    people: People, who: Principal, wid: str, question: str = "Weather in Oslo?"
) -> dict[str, Any]:
    from engine.sdk import Item
    from engine.services import executions
    from engine.services.principals import RunAs

    handle = executions.start(
        executions.RunSpec(
            principal=RunAs.caller(who, people.project(who)),
            workflow_id=wid,
            input_items=[Item(json={"question": question})],
            runtime="inline",
        )
    )
    return executions.get(handle.id)


def _agent_out(execution: dict[str, Any]) -> dict[str, Any]:
    run = next(r for r in execution["node_runs"] if r["node"] == "Agent")
    assert run["error"] is None, run["error"]
    return dict(run["outputs"]["main"][0]["json"])


def _forecast_tool(wid: str) -> dict[str, Any]:
    return {
        "name": "forecast",
        "description": "The weather forecast for a city.",
        "workflow_id": wid,
        "input_schema": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    }


def _answer(body: dict[str, Any]) -> dict[str, str]:
    return {"text": "Tool said: " + last_tool_result(body)}


def test_the_agent_calls_a_tool_workflow_and_answers_with_its_result(
    llm: LLMServer, people: People
) -> None:
    for provider in ("openai", "anthropic"):
        cred = _credential(people.bob, llm, provider)
        tool = _tool_workflow(people, people.bob, f"sunny-{provider}")
        wid = _agent_workflow(
            people, people.bob, cred, provider=provider, tools=[_forecast_tool(tool)]
        )
        llm.play(
            {"tool": "forecast", "args": {"city": "Oslo"}},
            lambda b: {"text": "It will be " + json.loads(last_tool_result(b))["forecast"]},
        )
        execution = _run(people, people.bob, wid)
        assert execution["status"] == "succeeded", execution
        out = _agent_out(execution)
        assert out["answer"] == f"It will be sunny-{provider} in Oslo"
        assert out["model_calls"] == 2
        assert (
            out["usage"]["total_tokens"]
            == (out["usage"]["input_tokens"] + out["usage"]["output_tokens"])
            > 0
        )
        tool_step = next(s for s in out["steps"] if s["type"] == "tool")
        assert tool_step["arguments"] == {"city": "Oslo"} and tool_step["ok"]
        # the key went to the model server as its header, and nowhere into the record
        assert all(r.headers["authorization"] == f"Bearer {KEY}" for r in llm.requests)
        assert KEY not in json.dumps(execution, default=str)
        assert all(KEY not in json.dumps(r.body) for r in llm.requests)


def test_a_workflow_of_another_project_is_refused_as_a_tool(llm: LLMServer, people: People) -> None:
    theirs = _tool_workflow(people, people.erin, PRIVATE)
    cred = _credential(people.bob, llm)
    wid = _agent_workflow(people, people.bob, cred, tools=[_forecast_tool(theirs)])
    llm.play({"tool": "forecast", "args": {"city": "Oslo"}}, _answer)
    execution = _run(people, people.bob, wid)
    out = _agent_out(execution)
    assert out["answer"].startswith("Tool said: Error: the tool 'forecast' failed: ")
    assert f"No workflow with id or name '{theirs}'" in out["answer"]
    assert PRIVATE not in json.dumps(execution, default=str)
    assert all(PRIVATE not in json.dumps(r.body) for r in llm.requests)
    # Erin's own agent may use it
    mine = _agent_workflow(
        people, people.erin, _credential(people.erin, llm), tools=[_forecast_tool(theirs)]
    )
    llm.play({"tool": "forecast", "args": {"city": "Bergen"}}, _answer)
    assert PRIVATE + " in Bergen" in _agent_out(_run(people, people.erin, mine))["answer"]


def test_a_looping_model_stops_at_max_iterations(llm: LLMServer, people: People) -> None:
    tool = _tool_workflow(people, people.bob, "rain")
    cred = _credential(people.bob, llm)
    wid = _agent_workflow(people, people.bob, cred, tools=[_forecast_tool(tool)], max_iterations=3)
    llm.play({"tool": "forecast", "args": {"city": "Oslo"}})  # forever
    execution = _run(people, people.bob, wid)
    assert execution["status"] == "failed"
    run = next(r for r in execution["node_runs"] if r["node"] == "Agent")
    message = run["error"]["message"]
    assert "made 3 model calls without a final answer" in message
    assert "forecast" in message and "Max iterations" in message
    assert len(llm.requests) == 3
    assert KEY not in json.dumps(execution, default=str)


def test_a_session_remembers_earlier_turns_within_its_project(
    llm: LLMServer, people: People
) -> None:
    cred = _credential(people.bob, llm)
    wid = _agent_workflow(people, people.bob, cred, session_key="chat-7", memory_window=4)
    for n in range(3):
        llm.play({"text": f"answer {n}"})
        _agent_out(_run(people, people.bob, wid, question=f"question {n}"))
    sent = [m["content"] for m in llm.requests[0].body["messages"]]
    # the window of 4 keeps the last two turns, then the new question
    assert sent == ["Be brief.", "question 0", "answer 0", "question 1", "answer 1", "question 2"]
    # the same session key in Erin's project starts a new conversation
    theirs = _agent_workflow(
        people, people.erin, _credential(people.erin, llm), session_key="chat-7"
    )
    llm.play({"text": "hello"})
    _agent_out(_run(people, people.erin, theirs, question="who am I?"))
    assert [m["content"] for m in llm.requests[0].body["messages"]] == ["Be brief.", "who am I?"]


def test_the_http_tool_fetches_a_page(llm: LLMServer, people: People) -> None:
    cred = _credential(people.bob, llm)
    wid = _agent_workflow(people, people.bob, cred, http_tool=True)
    page = llm.url.removesuffix("/v1") + "/page?name=Bob"
    llm.play({"tool": "http_request", "args": {"url": page}}, _answer)
    out = _agent_out(_run(people, people.bob, wid))
    assert json.loads(out["answer"].removeprefix("Tool said: ")) == {
        "status": 200,
        "body": "the page says hi to Bob",
    }


def test_the_agent_searches_its_projects_knowledge_base(llm: LLMServer, people: People) -> None:
    from engine.services import knowledge

    for who, text in (
        (people.bob, "Backups run every night at 2 am."),
        (people.erin, f"Erin's secret plan: {PRIVATE}."),
    ):
        base = knowledge.create_base(who, f"Notes {who.email}")
        knowledge.add_documents(who, base.id, [{"name": "notes.txt", "text": text}])
    cred = _credential(people.bob, llm)
    search = {"tool": "search_knowledge", "args": {"query": "when do backups run?"}}
    wid = _agent_workflow(people, people.bob, cred, knowledge_bases=["Notes bob@example.com"])
    llm.play(search, _answer)
    out = _agent_out(_run(people, people.bob, wid))
    hits = json.loads(out["answer"].removeprefix("Tool said: "))
    assert hits[0]["document"] == "notes.txt" and "2 am" in hits[0]["text"]
    # Erin's base is not Bob's to search: the model is told it is not found
    wid = _agent_workflow(people, people.bob, cred, knowledge_bases=["Notes erin@example.com"])
    llm.play(search, _answer)
    execution = _run(people, people.bob, wid)
    assert "No knowledge base 'Notes erin@example.com'" in _agent_out(execution)["answer"]
    assert PRIVATE not in json.dumps(execution, default=str)
