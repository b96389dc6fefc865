"""n8n tools given to an AI Agent: the HTTP Request tool with placeholders and model-filled
query parameters, and a node used as a tool with $fromAI arguments, become the agent's
node tools, and export back to n8n in the shape they came from."""

from __future__ import annotations

import json
from typing import Any

from engine.interop import export_n8n, import_data

LC = "@n8n/n8n-nodes-langchain."


def _node(name: str, type_: str, version: float, **params: Any) -> dict[str, Any]:
    return {"name": name, "type": type_, "typeVersion": version, "position": [0, 0],
            "parameters": params}  # fmt: skip


def _agent_with(*tools: dict[str, Any]) -> dict[str, Any]:
    conns: dict[str, Any] = {
        "Start": {"main": [[{"node": "Agent", "type": "main", "index": 0}]]},
        "Model": {"ai_languageModel": [[{"node": "Agent", "type": "ai_languageModel"}]]},
    }
    for t in tools:
        conns[t["name"]] = {"ai_tool": [[{"node": "Agent", "type": "ai_tool", "index": 0}]]}
    return {
        "nodes": [
            _node("Start", "n8n-nodes-base.manualTrigger", 1),
            _node("Agent", LC + "agent", 1.7, promptType="define", text="={{ $json.q }}"),
            _node("Model", LC + "lmChatOpenAi", 1, model={"value": "gpt-x"}),
            *tools,
        ],
        "connections": conns,
    }


FORECAST = _node(
    "Forecast",
    LC + "toolHttpRequest",
    1.1,
    url="https://api.weather.test/v1/{area}/forecast",
    sendQuery=True,
    parametersQuery={
        "values": [
            {"name": "latitude"},
            {"name": "days", "valueProvider": "modelOptional"},
            {"name": "units", "value": "metric", "valueProvider": "fieldValue"},
        ]
    },
    placeholderDefinitions={
        "values": [
            {"name": "latitude", "type": "number", "description": "latitude"},
            {"name": "area", "description": "the region code"},
        ]
    },
    toolDescription="The weather forecast for a place.",
)


def _tools(data: dict[str, Any]) -> tuple[Any, list[dict[str, Any]]]:
    [res] = import_data(data, fmt="n8n")
    assert res.workflow is not None, res.report.error
    return res, res.workflow.node("Agent").parameters.get("node_tools") or []


def test_an_http_request_tool_keeps_its_url_and_asks_the_model_for_the_rest() -> None:
    res, [tool] = _tools(_agent_with(FORECAST))
    assert tool == {
        "name": "Forecast",
        "description": "The weather forecast for a place.",
        "node_type": "core.http_request",
        "parameters": {
            "method": "GET",
            "url": "https://api.weather.test/v1/{{ $json.area }}/forecast",
            "query": [
                {"name": "latitude", "value": "{{ $json.latitude }}"},
                {"name": "days", "value": "{{ $json.days }}"},
                {"name": "units", "value": "metric"},
            ],
        },
        "input_schema": {
            "type": "object",
            "properties": {
                "area": {"type": "string", "description": "the region code"},
                "latitude": {"type": "number", "description": "latitude"},
                "days": {"type": "string"},
            },
            "required": ["area", "latitude"],
        },
    }
    assert not res.workflow.node("Agent").parameters.get("http_tool")
    [back] = import_data(json.loads(json.dumps(export_n8n(res.workflow))), fmt="n8n")
    assert back.workflow.node("Agent").parameters["node_tools"] == [tool]


def test_a_node_tool_with_from_ai_exports_back_as_the_nodes_tool_variant() -> None:
    later = _node(
        "Add days",
        "n8n-nodes-base.dateTimeTool",
        2,
        operation="addToDate",
        magnitude='={{ $fromAI("date", "the start date", "string") }}',
        duration='={{ $fromAI("days", "how many days", "number") }}',
        timeUnit="days",
        toolDescription="A date some days later.",
    )
    res, [tool] = _tools(_agent_with(later))
    assert (tool["name"], tool["node_type"]) == ("Add_days", "core.date_time")
    assert (tool["parameters"]["date"], tool["parameters"]["duration"]) == (
        "{{ $json.date }}",
        "{{ $json.days }}",
    )
    assert tool["input_schema"]["required"] == ["date", "days"]
    out = export_n8n(res.workflow)
    [sub] = [n for n in out["nodes"] if n["name"] == "Add_days"]
    assert sub["type"] == "n8n-nodes-base.dateTimeTool"
    assert sub["parameters"]["duration"] == '={{ $fromAI("days", "how many days", "number") }}'
    _, again = _tools(json.loads(json.dumps(out)))
    assert again == [tool]


def test_an_http_tool_sending_credentials_stays_the_general_http_tool_with_a_note() -> None:
    keyed = {**FORECAST, "parameters": {**FORECAST["parameters"], "authentication": "x"}}
    res, tools = _tools(_agent_with(keyed))
    assert tools == [] and res.workflow.node("Agent").parameters["http_tool"] is True
    agent = next(n for n in res.report.nodes if n.name == "Agent")
    assert any("general http_request tool" in n for n in agent.notes)
