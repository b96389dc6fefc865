"""Re-ranking offered where searches are made, under the API's name and meaning
(``rerank``): the Knowledge: Search node, the SDK's ``ctx.knowledge.search``, the AI
Agent node's knowledge tool and a stored agent's knowledge tool. Each puts the chunk on
bringing the database back first for a question about getting the database back, where
the plain vector search ranks the backup advice first; an unknown re-ranker is refused in
words. On SQLite and PostgreSQL, with the real model (the agent's model is the local
server speaking the OpenAI protocol)."""

from __future__ import annotations

import json
from types import ModuleType
from typing import Any

import pytest

from engine.auth.types import Principal
from engine.errors import ValidationError, WorkflowValidationError
from engine.graph import load_workflow
from engine.sdk import Item
from tests.agents.conftest import llm, llm_server  # noqa: F401 - fixtures
from tests.knowledge.test_rerank import _base
from tests.support.llm_server import LLMServer, last_tool_result

QUESTION = "how do I get my database back from last night's pg_dump file?"


def _ask(who: Principal, kb_id: str, rerank: str | None) -> Any:
    from engine.services import runs
    from engine.services.principals import RunAs

    params: dict[str, Any] = {"knowledge_base": kb_id, "query": "{{ $json.q }}", "top_k": 3}
    if rerank is not None:
        params["rerank"] = rerank
    wf = load_workflow(
        {
            "name": "ask",
            "nodes": [
                {"name": "Start", "type": "core.manual_trigger"},
                {"name": "Ask", "type": "core.knowledge_search", "parameters": params},
            ],
            "connections": [{"source": "Start", "target": "Ask"}],
        }
    )
    return runs.run_workflow(
        wf, input_items=[Item(json={"q": QUESTION})], principal=RunAs.caller(who)
    )


def test_the_search_node_reranks(kb: ModuleType, erin: Principal) -> None:
    kb_id = _base(kb, erin)
    plain, ranked = _ask(erin, kb_id, None), _ask(erin, kb_id, "keywords")
    assert plain.ok and ranked.ok, (plain.error, ranked.error)
    before, after = plain.output[0].json, ranked.output[0].json
    assert before["sources"][0] == "backup.md"
    assert after["sources"][0] == "restore.md"
    assert "database back" in after["results"][0]["text"]
    scores = [h["rerank_score"] for h in after["results"]]
    assert len(scores) == 3 and scores == sorted(scores, reverse=True) and scores[0] > 0
    assert all(h["rerank_score"] is None for h in before["results"])

    wrong = _ask(erin, kb_id, "cross-encoder")
    assert not wrong.ok
    assert "Unknown re-ranker 'cross-encoder'; use one of keywords" in str(wrong.error)


def test_the_sdk_search_reranks(kb: ModuleType, erin: Principal) -> None:
    from engine.sdk.knowledge import knowledge_for

    kb_id = _base(kb, erin)
    run = _ask(erin, kb_id, None)  # a recorded execution of Erin's, as a node has
    access = knowledge_for(run.id)
    plain = access.search(kb_id, QUESTION, k=3)
    ranked = access.search(kb_id, QUESTION, k=3, rerank="keywords")
    assert plain[0]["document"] == "backup.md"
    assert ranked[0]["document"] == "restore.md"
    assert ranked[0]["rerank_score"] > 0 and plain[0]["rerank_score"] is None
    with pytest.raises(ValidationError, match="Unknown re-ranker 'nope'"):
        access.search(kb_id, QUESTION, rerank="nope")


def _llm_credential(who: Principal, server: LLMServer, name: str) -> str:
    """A credential of ``who`` for the local OpenAI-protocol ``server``."""
    from engine.services import credentials

    data = {"base_url": server.url, "api_key": "sk-rerank-test", "model": "gpt-x"}
    return credentials.create_credential(who, f"LLM {name}", "openai_compatible", data).id


def _agent(who: Principal, server: LLMServer, tool: dict[str, Any], name: str) -> str:
    from engine.services import agents

    cred = _llm_credential(who, server, name)
    definition = {"instructions": "Be brief.", "model": {"credential_id": cred}, "tools": [tool]}
    return agents.create_agent(who, name, definition).id


def _tool_answer(body: dict[str, Any]) -> dict[str, Any]:
    return {"text": "Tool said: " + last_tool_result(body)}


def test_an_agents_knowledge_tool_reranks(
    kb: ModuleType,
    erin: Principal,
    llm: LLMServer,  # noqa: F811 - the fixture imported above
) -> None:
    from engine.services import agents

    kb_id = _base(kb, erin)
    found: dict[str, list[dict[str, Any]]] = {}
    for name, rerank in (("Plain", None), ("Ranked", "keywords")):
        tool = {"kind": "knowledge", "knowledge_bases": [kb_id], "rerank": rerank}
        agent = _agent(erin, llm, tool, name)
        llm.play({"tool": "search_knowledge", "args": {"query": QUESTION}}, _tool_answer)
        handle = agents.start_run(erin, agent, "Where is my data?", runtime="inline")
        run = agents.get_run(erin, handle.id)
        assert run["status"] == "succeeded", run["error"]
        found[name] = json.loads(run["answer"].removeprefix("Tool said: "))
    assert found["Plain"][0]["document"] == "backup.md"
    assert found["Ranked"][0]["document"] == "restore.md"
    assert found["Ranked"][0]["rerank_score"] > 0 and "rerank_score" not in found["Plain"][0]

    with pytest.raises(ValidationError) as unknown:
        _agent(erin, llm, {"kind": "knowledge", "knowledge_bases": [kb_id], "rerank": "x"}, "X")
    assert "unknown re-ranker 'x'; use one of keywords" in unknown.value.message
    assert unknown.value.details == {"field": "tools.search_knowledge.rerank"}


def _agent_node(who: Principal, server: LLMServer, kb_id: str, rerank: str | None) -> Any:
    """A workflow whose AI Agent node may search ``kb_id`` (with ``rerank``)."""
    cred = _llm_credential(who, server, str(rerank))
    params: dict[str, Any] = {"prompt": "{{ $json.q }}", "knowledge_bases": [kb_id]}
    if rerank is not None:
        params["rerank"] = rerank
    agent = {
        "name": "Agent",
        "type": "ai.agent",
        "parameters": params,
        "credentials": {"model": {"id": cred, "name": "LLM"}},
    }
    return load_workflow(
        {
            "name": "ask the agent",
            "nodes": [{"name": "Start", "type": "core.manual_trigger"}, agent],
            "connections": [{"source": "Start", "target": "Agent"}],
        }
    )


def _run_node(who: Principal, wf: Any) -> Any:
    from engine.services import runs
    from engine.services.principals import RunAs

    return runs.run_workflow(
        wf, input_items=[Item(json={"q": QUESTION})], principal=RunAs.caller(who)
    )


def test_the_agent_nodes_knowledge_tool_reranks(
    kb: ModuleType,
    erin: Principal,
    llm: LLMServer,  # noqa: F811 - the fixture imported above
) -> None:
    from engine.graph import validate
    from engine.sdk import get_catalog

    kb_id = _base(kb, erin)
    found: dict[str | None, list[dict[str, Any]]] = {}
    for rerank in (None, "keywords"):
        llm.play({"tool": "search_knowledge", "args": {"query": QUESTION}}, _tool_answer)
        run = _run_node(erin, _agent_node(erin, llm, kb_id, rerank))
        assert run.ok, run.error
        found[rerank] = json.loads(run.output[0].json["answer"].removeprefix("Tool said: "))
    assert found[None][0]["document"] == "backup.md"
    assert found["keywords"][0]["document"] == "restore.md"
    assert "database back" in found["keywords"][0]["text"]
    scores = [h["rerank_score"] for h in found["keywords"]]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0
    assert "rerank_score" not in found[None][0]

    # an unknown re-ranker: the editor's problems name the field; a run is refused saying so
    wrong = _agent_node(erin, llm, kb_id, "cross-encoder")
    said = "Unknown re-ranker 'cross-encoder'; use one of keywords."
    problems = [p.message for p in validate(wrong, get_catalog()).errors]
    assert problems == [f"Node 'Agent', parameter 'rerank': {said}"]
    with pytest.raises(WorkflowValidationError) as refused:
        _run_node(erin, wrong)
    assert said in refused.value.message and refused.value.http_status == 422


def test_the_agent_editor_form_keeps_a_knowledge_tools_reranker() -> None:
    from engine.agents.definition import load_definition
    from studio.logic.agent_form import from_form, to_form

    tool = {"kind": "knowledge", "knowledge_bases": ["Ops"], "rerank": "keywords"}
    definition = {"instructions": "Be brief.", "tools": [tool]}
    instructions, fields, tools = to_form(load_definition(definition).model_dump())
    back, errors = from_form(instructions, fields, tools)
    assert errors == {}
    assert load_definition(back).tools[0].rerank == "keywords"
