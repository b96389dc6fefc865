"""n8n workflows → AURA: node families per typeVersion, connections by output index,
settings, credentials, pinned data and sticky notes; imported workflows run."""

from __future__ import annotations

from typing import Any

from engine.executor import Executor, RunRequest
from engine.interop import import_data
from engine.sdk.items import items_from_json


def node(name: str, type_: str, version: float = 1, **params: Any) -> dict[str, Any]:
    return {
        "name": name,
        "type": f"n8n-nodes-base.{type_}",
        "typeVersion": version,
        "position": [0, 0],
        "parameters": params,
    }


def n8n(
    *nodes: dict[str, Any], conns: dict[str, Any] | None = None, **extra: Any
) -> dict[str, Any]:
    return {"name": "t", "nodes": list(nodes), "connections": conns or {}, **extra}


def main(*outputs: list[tuple[str, int]]) -> dict[str, Any]:
    return {"main": [[{"node": n, "type": "main", "index": i} for n, i in out] for out in outputs]}


def imported(data: dict[str, Any]) -> Any:
    [res] = import_data(data, fmt="n8n")
    assert res.workflow is not None, res.report.error
    return res


def run(res: Any, items: list[dict[str, Any]] | None = None) -> Any:
    req = RunRequest(workflow=res.workflow, input_items=items_from_json(items) if items else None)
    return Executor().run(req)


def test_set_if_and_merge_route_items_like_n8n_through_the_real_executor() -> None:
    data = n8n(
        node("Start", "manualTrigger"),
        node(
            "Orders",
            "set",
            3.4,
            mode="raw",
            jsonOutput='={{ { "orders": [{"id": 1, "total": 30}, {"id": 2, "total": 5}] } }}',
        ),
        node("Split", "splitOut", 1, fieldToSplitOut="orders"),
        node(
            "Big?",
            "if",
            2.2,
            conditions={
                "options": {"caseSensitive": True, "typeValidation": "strict"},
                "combinator": "and",
                "conditions": [
                    {
                        "leftValue": "={{ $json.total }}",
                        "rightValue": 10,
                        "operator": {"type": "number", "operation": "gt"},
                    }
                ],
            },
        ),
        node(
            "Tag big",
            "set",
            3.4,
            includeOtherFields=True,
            assignments={"assignments": [{"name": "size", "value": "big", "type": "string"}]},
        ),
        node("Tag small", "set", 2, values={"string": [{"name": "size", "value": "small"}]}),
        node("Together", "merge", 3),
        conns={
            "Start": main([("Orders", 0)]),
            "Orders": main([("Split", 0)]),
            "Split": main([("Big?", 0)]),
            "Big?": main([("Tag big", 0)], [("Tag small", 0)]),
            "Tag big": main([("Together", 0)]),
            "Tag small": main([("Together", 1)]),
        },
    )
    res = imported(data)
    assert {(c.source, c.output, c.target, c.input) for c in res.workflow.connections} >= {
        ("Big?", "true", "Tag big", "main"),
        ("Big?", "false", "Tag small", "main"),
        ("Tag big", "main", "Together", "input1"),
        ("Tag small", "main", "Together", "input2"),
    }
    assert all(n.status == "mapped" for n in res.report.nodes), res.report.to_dict()
    result = run(res)
    assert result.status == "succeeded", result.error
    out = [i.json for i in result.run_for("Together").outputs["main"]]
    assert out == [{"id": 1, "total": 30, "size": "big"}, {"id": 2, "total": 5, "size": "small"}]


def test_if_v1_and_switch_v3_outputs() -> None:
    data = n8n(
        node(
            "Hook", "webhook", 2, path="/orders/new", httpMethod="POST", responseMode="responseNode"
        ),
        node(
            "Check",
            "if",
            1,
            conditions={
                "number": [{"value1": "={{ $json.body.n }}", "operation": "larger", "value2": 3}]
            },
        ),
        node(
            "Route",
            "switch",
            3.2,
            rules={
                "values": [
                    {
                        "conditions": {
                            "combinator": "and",
                            "conditions": [
                                {
                                    "leftValue": "={{ $json.body.kind }}",
                                    "rightValue": "a",
                                    "operator": {"type": "string", "operation": "equals"},
                                }
                            ],
                        },
                        "renameOutput": True,
                        "outputKey": "A",
                    }
                ]
            },
            options={"fallbackOutput": "extra"},
        ),
        node("A", "noOp"),
        node("Other", "noOp"),
        node("Small", "noOp"),
        node(
            "Reply", "respondToWebhook", 1.1, respondWith="json", responseBody="={{ { ok: true } }}"
        ),
        conns={
            "Hook": main([("Check", 0)]),
            "Check": main([("Route", 0)], [("Small", 0)]),
            "Route": main([("A", 0)], [("Other", 0)]),
            "A": main([("Reply", 0)]),
        },
    )
    res = imported(data)
    wf = res.workflow
    assert wf.node("Hook").parameters["path"] == "orders/new"
    assert wf.node("Hook").parameters["response_mode"] == "respond_node"
    keys = {(c.source, c.output, c.target) for c in wf.connections}
    assert ("Route", "output_0", "A") in keys and ("Route", "fallback", "Other") in keys
    assert ("Check", "false", "Small") in keys
    assert wf.node("Reply").parameters["response_json"] == '{{ {"ok": true} }}'
    check = next(n for n in res.report.nodes if n.name == "Check")
    assert check.status == "mapped" and "loose" in check.info[0]  # same result: info only


def test_http_request_with_credentials_headers_and_body() -> None:
    data = n8n(
        node(
            "Call",
            "httpRequest",
            4.2,
            method="POST",
            url="=https://x.test/{{ $json.id }}",
            authentication="genericCredentialType",
            genericAuthType="httpHeaderAuth",
            sendHeaders=True,
            headerParameters={"parameters": [{"name": "X-Trace", "value": "={{ $json.trace }}"}]},
            sendBody=True,
            specifyBody="json",
            jsonBody="={{ { a: $json.a } }}",
            options={"timeout": 5000, "response": {"response": {"neverError": True}}},
        )
    )
    data["nodes"][0]["credentials"] = {"httpHeaderAuth": {"id": "7", "name": "My key"}}
    res = imported(data)
    p = res.workflow.node("Call").parameters
    assert p["url"] == "https://x.test/{{ $json.id }}" and p["authentication"] == "header_auth"
    assert p["headers"] == [{"name": "X-Trace", "value": "{{ $json.trace }}"}]
    assert p["json_body"] == '{{ {"a": $json.a} }}' and p["timeout_s"] == 5
    assert p["never_error"] is True
    [cred] = res.report.credentials
    assert (cred.kind, cred.slot, cred.source_name) == ("header_auth", "auth", "My key")


def test_unknown_nodes_become_disabled_placeholders_keeping_everything() -> None:
    tg = {
        "name": "Send",
        "type": "n8n-nodes-base.telegram",
        "typeVersion": 1.2,
        "position": [5, 6],
        "parameters": {"chatId": "={{ $json.chat }}", "text": "hi"},
        "credentials": {"telegramApi": {"id": "1", "name": "Bot"}},
    }
    res = imported(
        n8n(
            node("Start", "manualTrigger"),
            tg,
            node("After", "noOp"),
            conns={"Start": main([("Send", 0)]), "Send": main([("After", 0)])},
        )
    )
    send = res.workflow.node("Send")
    assert send.type == "core.placeholder" and send.disabled
    assert send.parameters["original_parameters"] == tg["parameters"]
    assert "telegram" in send.notes
    rep = next(n for n in res.report.nodes if n.name == "Send")
    assert rep.status == "not_supported" and not rep.known
    assert res.report.credentials[0].kind is None
    # disabled, it passes items through: the workflow still runs
    assert run(res).status == "succeeded"


def test_node_settings_error_output_pins_stickies_and_workflow_settings() -> None:
    flaky = node("Flaky", "httpRequest", 4.2, url="https://x.test")
    flaky.update(
        retryOnFail=True,
        maxTries=4,
        waitBetweenTries=2000,
        onError="continueErrorOutput",
        notes="careful",
    )
    data = n8n(
        node("Start", "manualTrigger"),
        flaky,
        node("Ok", "noOp"),
        node("Bad", "noOp"),
        {
            "name": "Note",
            "type": "n8n-nodes-base.stickyNote",
            "typeVersion": 1,
            "position": [1, 2],
            "parameters": {"content": "## Read me", "width": 300},
        },
        conns={"Start": main([("Flaky", 0)]), "Flaky": main([("Ok", 0)], [("Bad", 0)])},
        pinData={"Flaky": [{"json": {"status": 200}}]},
        settings={"timezone": "Europe/Paris", "executionTimeout": 120},
    )
    data["nodes"][2]["disabled"] = True
    res = imported(data)
    wf = res.workflow
    f = wf.node("Flaky")
    assert f.retry.enabled and f.retry.max_tries == 4 and f.retry.wait_s == 2
    assert f.on_error == "route" and f.notes == "careful"
    assert ("Flaky", "error", "Bad") in {(c.source, c.output, c.target) for c in wf.connections}
    assert wf.node("Ok").disabled
    assert wf.pinned_data["Flaky"] == [{"json": {"status": 200}}]
    assert wf.sticky_notes[0].content == "## Read me" and wf.sticky_notes[0].size[0] == 300
    assert wf.settings.timezone == "Europe/Paris" and wf.settings.timeout_s == 120
    # the pinned data stands in for the HTTP call in a manual run
    result = run(res)
    assert result.status == "succeeded"
    assert [i.json for i in result.run_for("Ok").outputs["main"]] == [{"status": 200}]


def test_a_loop_back_edge_is_dropped_with_a_note_and_names_are_made_valid() -> None:
    data = n8n(
        node("Start", "manualTrigger"),
        node('Say "hi"', "noOp"),
        node("B", "noOp"),
        conns={
            "Start": main([('Say "hi"', 0)]),
            'Say "hi"': main([("B", 0)]),
            "B": main([('Say "hi"', 0)]),
        },
    )
    res = imported(data)
    assert "Say 'hi'" in res.workflow.node_names()
    assert any("closed a loop" in n for n in res.report.notes)
    assert len(res.workflow.connections) == 2


def _lc(node_name: str, type_: str, **params: Any) -> dict[str, Any]:
    return {
        "name": node_name,
        "type": f"@n8n/n8n-nodes-langchain.{type_}",
        "typeVersion": 1.3,
        "position": [0, 0],
        "parameters": params,
    }


def _link(kind: str, target: str) -> dict[str, Any]:
    return {kind: [[{"node": target, "type": kind, "index": 0}]]}


def test_an_agent_takes_in_its_model_memory_and_tools_and_keeps_other_links() -> None:
    agent = _lc(
        "Agent",
        "agent",
        promptType="define",
        text="={{ $json.q }}",
        options={"systemMessage": "Be brief.", "maxIterations": 4},
    )
    model = _lc(
        "Model", "lmChatOpenAi", model={"value": "gpt-4o-mini"}, options={"temperature": 0.2}
    )
    model["credentials"] = {"openAiApi": {"id": "1", "name": "OpenAI key"}}
    memory = _lc(
        "Memory", "memoryBufferWindow", sessionIdType="customKey", sessionKey="={{ $json.chat_id }}"
    )
    tool = _lc(
        "Lookup",
        "toolWorkflow",
        name="lookup",
        description="Finds an order.",
        source="database",
        workflowId={"__rl": True, "value": "abc", "mode": "id"},
    )
    parser = _lc("Parser", "outputParserStructured", jsonSchemaExample="{}")
    res = imported(
        n8n(
            agent,
            model,
            memory,
            tool,
            parser,
            conns={
                "Model": _link("ai_languageModel", "Agent"),
                "Memory": _link("ai_memory", "Agent"),
                "Lookup": _link("ai_tool", "Agent"),
                "Parser": _link("ai_outputParser", "Agent"),
            },
        )
    )
    wf = res.workflow
    assert sorted(wf.node_names()) == ["Agent", "Parser"]  # the others are inside the agent
    p = wf.node("Agent").parameters
    assert (
        p["provider"],
        p["model"],
        p["temperature"],
        p["prompt"],
        p["system_prompt"],
        p["max_iterations"],
        p["session_key"],
    ) == ("openai", "gpt-4o-mini", 0.2, "{{ $json.q }}", "Be brief.", 4, "{{ $json.chat_id }}")
    assert p["tools"] == [
        {"name": "lookup", "workflow_id": "abc", "description": "Finds an order."}
    ]
    [cred] = res.report.credentials
    assert (cred.node, cred.slot, cred.kind, cred.source_name) == (
        "Agent",
        "model",
        "openai_compatible",
        "OpenAI key",
    )
    model = next(n for n in res.report.nodes if n.name == "Model")
    assert (model.status, model.info) == ("mapped", ["part of the AI Agent 'Agent' now"])
    assert wf.meta["interop"]["links"] == [
        {"kind": "ai_outputParser", "source": "Parser", "target": "Agent", "index": 0}
    ]
