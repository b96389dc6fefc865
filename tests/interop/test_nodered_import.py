"""Node-RED flows → AURA: the msg model on items, inject, change, switch, template, http
in/response, link call, comments, network placeholders."""

from __future__ import annotations

from typing import Any

from engine.executor import Executor, RunRequest
from engine.interop import import_data
from engine.sdk.items import items_from_json


def nr(*nodes: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"id": "tab1", "type": "tab", "label": "My flow"},
        *({"z": "tab1", "x": 0, "y": 0, "wires": [], **n} for n in nodes),
    ]


def imported(flow: list[dict[str, Any]]) -> Any:
    [res] = import_data(flow, fmt="node-red")
    assert res.workflow is not None, res.report.error
    return res


def test_inject_change_switch_and_template_run_on_the_msg_model() -> None:
    flow = nr(
        {
            "id": "i",
            "type": "inject",
            "payload": "7",
            "payloadType": "num",
            "topic": "t1",
            "wires": [["c"]],
        },
        {
            "id": "c",
            "type": "change",
            "rules": [
                {"t": "set", "p": "double", "pt": "msg", "to": "payload", "tot": "msg"},
                {"t": "delete", "p": "topic", "pt": "msg"},
            ],
            "wires": [["s"]],
        },
        {
            "id": "s",
            "type": "switch",
            "property": "payload",
            "propertyType": "msg",
            "rules": [{"t": "gt", "v": "5", "vt": "num"}, {"t": "else"}],
            "checkall": "false",
            "outputs": 2,
            "wires": [["big"], ["small"]],
        },
        {
            "id": "big",
            "type": "template",
            "name": "Say",
            "field": "payload",
            "fieldType": "msg",
            "syntax": "mustache",
            "template": "big {{payload}}",
            "output": "str",
            "wires": [["d"]],
        },
        {"id": "small", "type": "debug"},
        {"id": "d", "type": "debug", "name": "Out"},
        {"id": "n", "type": "comment", "name": "About", "info": "explains the flow"},
    )
    res = imported(flow)
    wf = res.workflow
    assert wf.name == "My flow" and wf.sticky_notes[0].content.startswith("About")
    assert wf.node("inject").type == "core.manual_trigger"
    result = Executor().run(RunRequest(workflow=wf))
    assert result.status == "succeeded", result.error
    assert [i.json for i in result.run_for("Out").outputs["main"]] == [
        {"payload": "big 7", "double": 7}
    ]
    assert result.run_for("small") is None


def test_http_in_template_http_response_answers_the_request() -> None:
    flow = nr(
        {"id": "h", "type": "http in", "url": "/hello", "method": "get", "wires": [["t"]]},
        {
            "id": "t",
            "type": "template",
            "field": "payload",
            "fieldType": "msg",
            "syntax": "mustache",
            "template": "<h1>Hello {{query.name}}</h1>",
            "wires": [["r"]],
        },
        {"id": "r", "type": "http response", "statusCode": "201", "headers": {}},
    )
    res = imported(flow)
    wf = res.workflow
    assert wf.node("http in").parameters == {
        "http_method": "GET",
        "path": "hello",
        "response_mode": "respond_node",
    }
    result = Executor().run(
        RunRequest(
            workflow=wf,
            mode="webhook",
            trigger_node="http in",
            input_items=items_from_json([{"query": {"name": "Ada"}, "headers": {}}]),
        )
    )
    assert result.status == "succeeded", result.error
    assert result.webhook_response is not None
    assert result.webhook_response.get("status") == 201
    assert "Hello Ada" in str(result.webhook_response.get("body"))


def test_link_call_becomes_direct_connections_and_network_nodes_placeholders() -> None:
    flow = nr(
        {"id": "i", "type": "inject", "wires": [["call"]]},
        {"id": "call", "type": "link call", "links": ["in"], "wires": [["done"]]},
        {"id": "in", "type": "link in", "name": "sub", "wires": [["work"]]},
        {
            "id": "work",
            "type": "change",
            "rules": [{"t": "set", "p": "payload", "pt": "msg", "to": "hi", "tot": "str"}],
            "wires": [["ret"]],
        },
        {"id": "ret", "type": "link out", "mode": "return"},
        {"id": "done", "type": "debug", "name": "Done"},
        {"id": "tcp", "type": "tcp in", "port": "1883", "wires": [["done"]]},
    )
    res = imported(flow)
    keys = {(c.source, c.target) for c in res.workflow.connections}
    assert {
        ("link call", "sub"),
        ("sub", "change"),
        ("change", "link out"),
        ("link out", "Done"),
    } <= keys
    tcp = res.workflow.node("tcp in")
    assert tcp.type == "core.placeholder" and tcp.disabled
    assert tcp.parameters["original_parameters"]["port"] == "1883"
    result = Executor().run(RunRequest(workflow=res.workflow, trigger_node="inject"))
    assert result.status == "succeeded", result.error
    assert [i.json for i in result.run_for("Done").outputs["main"]] == [{"payload": "hi"}]


def test_tabs_become_workflows_and_subflows_sub_workflows() -> None:
    flow = [
        {"id": "t1", "type": "tab", "label": "First"},
        {"id": "t2", "type": "tab", "label": "Second"},
        {
            "id": "sf",
            "type": "subflow",
            "name": "Double",
            "in": [{"wires": [{"id": "d"}]}],
            "out": [{"wires": [{"id": "d", "port": 0}]}],
        },
        {
            "id": "d",
            "z": "sf",
            "type": "change",
            "x": 0,
            "y": 0,
            "wires": [[]],
            "rules": [{"t": "set", "p": "payload", "pt": "msg", "to": "doubled", "tot": "str"}],
        },
        {
            "id": "i1",
            "z": "t1",
            "type": "inject",
            "repeat": "60",
            "x": 0,
            "y": 0,
            "wires": [["use"]],
        },
        {"id": "use", "z": "t1", "type": "subflow:sf", "x": 0, "y": 0, "wires": [["seen"]]},
        {"id": "seen", "z": "t1", "type": "debug", "name": "Seen", "x": 0, "y": 0},
        {
            "id": "i2",
            "z": "t2",
            "type": "inject",
            "crontab": "0 9 * * 1",
            "x": 0,
            "y": 0,
            "wires": [[]],
        },
    ]
    results = import_data(flow, fmt="node-red")
    by_name = {r.report.name: r.workflow for r in results}
    assert set(by_name) == {"Double", "First", "Second"}
    first = by_name["First"]
    assert first.node("inject").parameters == {"rules": [{"interval": "seconds", "every": 60}]}
    use = first.node("subflow:sf")
    assert use.type == "core.execute_workflow" and use.parameters["source"] == "json"
    assert [n["type"] for n in use.parameters["workflow_json"]["nodes"]] == [
        "core.set",
        "core.workflow_trigger",
    ]
    assert by_name["Second"].node("inject").parameters["rules"][0]["cron_expression"] == (
        "0 9 * * 1"
    )
    result = Executor().run(RunRequest(workflow=first, trigger_node="inject"))
    assert result.status == "succeeded", result.error
    assert [i.json for i in result.run_for("Seen").outputs["main"]] == [{"payload": "doubled"}]


def test_informational_notes_leave_nodes_mapped_and_unmarked() -> None:
    """An inject and a debug node only carry notes explaining the mapping (level info):
    they count as mapped, their canvas note says so without the amber mark; an http
    request, whose response replaces the message, is still to check."""
    from engine.interop import totals
    from engine.services.interop import import_flag

    res = imported(
        nr(
            {"id": "i", "type": "inject", "payload": "hi", "payloadType": "str", "wires": [["h"]]},
            {"id": "h", "type": "http request", "url": "http://x.test/", "wires": [["d"]]},
            {"id": "d", "type": "debug"},
        )
    )
    status = {r.name: (r.status, bool(r.info), bool(r.notes)) for r in res.report.nodes}
    assert status == {
        "inject": ("mapped", True, False),
        "http request": ("mapped_with_notes", False, True),
        "debug": ("mapped", True, False),
    }
    flags = {n.name: import_flag(n.model_dump()) for n in res.workflow.nodes}
    assert flags == {"inject": "", "inject payload": "", "http request": "notes", "debug": ""}
    assert res.workflow.node("debug").notes.startswith("Import info: what Node-RED printed")
    t = totals([res.report])
    assert (t.mapped, t.mapped_with_notes, t.info_notes) == (2, 1, 2)
    assert res.report.to_dict()["nodes"][0]["info"] == [
        "what it injects is set by the next node, 'inject payload'"
    ]


def test_a_split_is_to_check_only_when_it_is_sent_an_object() -> None:
    def split_after(payload: str) -> Any:
        res = imported(
            nr(
                {
                    "id": "i",
                    "type": "inject",
                    "payload": payload,
                    "payloadType": "json",
                    "wires": [["s"]],
                },
                {"id": "s", "type": "split", "splt": "\\n", "spltType": "str", "wires": [[]]},
            )
        )
        return next(r for r in res.report.nodes if r.name == "split")

    listed = split_after("[1, 2]")
    assert listed.status == "mapped" and "one message per element" in listed.info[0]
    keyed = split_after('{"a": 1}')
    assert keyed.status == "mapped_with_notes" and "one message per key" in keyed.notes[0]
