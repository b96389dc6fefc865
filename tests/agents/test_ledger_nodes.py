"""The ledger counts the model calls of workflow nodes too: an LLM node's tokens and
cost are attributed to its execution, workflow and project; another project sees none."""

from __future__ import annotations

from engine.auth.types import Principal
from tests.agents.conftest import People
from tests.support.llm_server import LLMServer


def _run_chat_workflow(people: People, who: Principal, llm: LLMServer) -> tuple[str, str]:
    from engine.services import credentials
    from engine.services.executions import RunSpec, start
    from engine.services.principals import RunAs
    from engine.services.store import get_store

    cred = credentials.create_credential(
        who,
        "LLM",
        "openai_compatible",
        {"base_url": llm.url, "api_key": "sk-ledger-1", "model": "gpt-x"},
    )
    definition = {
        "name": "Summarise",
        "nodes": [
            {"name": "Start", "type": "core.manual_trigger"},
            {
                "name": "LLM",
                "type": "ai.chat",
                "parameters": {"prompt": "Summarise this."},
                "credentials": {"model": {"id": cred.id, "name": "LLM"}},
            },
        ],
        "connections": [{"source": "Start", "target": "LLM"}],
    }
    wid = get_store().workflows.create(definition, project_id=people.project(who)).id
    handle = start(RunSpec(principal=RunAs.caller(who), workflow_id=wid, runtime="inline"))
    assert get_store().executions.get(handle.id).status == "succeeded"
    return wid, handle.id


def test_workflow_model_calls_reach_the_ledger(people: People, llm: LLMServer) -> None:
    from engine.services import agents

    agents.set_prices(people.owner, {"gpt-x": {"input": 1000, "output": 1000}})
    llm.play({"text": "Short."})
    wid, eid = _run_chat_workflow(people, people.bob, llm)
    (by_workflow,) = agents.usage(people.bob, by="workflow_id")
    assert by_workflow["workflow_id"] == wid
    assert (by_workflow["calls"], by_workflow["tokens_in"], by_workflow["tokens_out"]) == (1, 11, 7)
    assert by_workflow["cost"] == 0.018
    (by_run,) = agents.usage(people.bob, by="execution_id")
    assert by_run["execution_id"] == eid
    (by_project,) = agents.usage(people.bob, by="project_id")
    assert by_project["project_id"] == people.project(people.bob)
    assert agents.usage(people.erin, by="workflow_id") == []
