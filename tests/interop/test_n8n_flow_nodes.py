"""The n8n flow nodes (Merge, Switch, triggers, Wait, Stop and Error, Respond to Webhook,
Loop Over Items) and node settings (on error, execute once) map onto their AURA nodes with
the parameters n8n's shape meant, per typeVersion; chains of them run through the executor
with n8n's results."""

from __future__ import annotations

from typing import Any

import pytest

from engine.executor import Executor, RunRequest
from engine.interop import import_data
from tests.interop._n8n import check_family, one


@pytest.mark.parametrize(
    ("type_", "version", "params", "target", "expected"),
    [
        (
            "merge",
            3,
            {"mode": "combine", "fieldsToMatchString": "id, email", "joinMode": "enrichInput1"},
            "core.merge",
            {
                "mode": "combine_by_fields",
                "join": "left",
                "match_fields": [
                    {"field1": "id", "field2": "id"},
                    {"field1": "email", "field2": "email"},
                ],
            },
        ),
        (
            "merge",
            3,
            {"mode": "combine", "combineBy": "combineAll"},
            "core.merge",
            {"mode": "combine_all"},
        ),
        (
            "merge",
            3,
            {"mode": "chooseBranch", "useDataOfInput": 2},
            "core.merge",
            {"mode": "choose_branch", "choose_branch": "input2"},
        ),
        (
            "merge",
            2.1,
            {
                "mode": "combine",
                "combinationMode": "mergeByPosition",
                "options": {"clashHandling": {"values": {"resolveClash": "preferInput1"}}},
            },
            "core.merge",
            {"mode": "combine_by_position", "clash_handling": "prefer_input1"},
        ),
        (
            "merge",
            1,
            {"mode": "mergeByKey", "propertyName1": "id", "propertyName2": "uid"},
            "core.merge",
            {
                "mode": "combine_by_fields",
                "join": "left",
                "match_fields": [{"field1": "id", "field2": "uid"}],
            },
        ),
        (
            "switch",
            3.2,
            {"mode": "expression", "numberOutputs": 3, "output": "={{ $json.n % 3 }}"},
            "core.switch",
            {"mode": "expression", "number_outputs": 3, "output_index": "{{ $json.n % 3 }}"},
        ),
        (
            "scheduleTrigger",
            1.2,
            {"rule": {"interval": [{"field": "hours", "hoursInterval": 2, "triggerAtMinute": 15}]}},
            "core.schedule_trigger",
            {"rules": [{"interval": "hours", "every": 2, "at_minute": 15}]},
        ),
        (
            "scheduleTrigger",
            1.1,
            {
                "rule": {
                    "interval": [{"field": "weeks", "triggerAtDay": [1, 5], "triggerAtHour": 9}]
                }
            },
            "core.schedule_trigger",
            {
                "rules": [
                    {
                        "interval": "weeks",
                        "every": 1,
                        "at_hour": 9,
                        "at_minute": 0,
                        "at_weekdays": [1, 5],
                    }
                ]
            },
        ),
        (
            "scheduleTrigger",
            1,
            {"rule": {"interval": [{"field": "cronExpression", "expression": "0 8 * * *"}]}},
            "core.schedule_trigger",
            {"rules": [{"interval": "cron", "cron_expression": "0 8 * * *"}]},
        ),
        (
            "wait",
            1.1,
            {"amount": 3, "unit": "minutes"},
            "core.wait",
            {"resume": "time_interval", "amount": 3, "unit": "minutes"},
        ),
        ("wait", 1.1, {}, "core.wait", {"resume": "time_interval", "amount": 1, "unit": "hours"}),
        (
            "stopAndError",
            1,
            {"errorMessage": "=Bad {{ $json.id }}"},
            "core.stop_and_error",
            {"message": "Bad {{ $json.id }}"},
        ),
        (
            "executeWorkflowTrigger",
            1.1,
            {"workflowInputs": {"values": [{"name": "text"}]}},
            "core.workflow_trigger",
            {"input_source": "define_fields"},
        ),
        (
            "respondToWebhook",
            1.1,
            {
                "respondWith": "text",
                "responseBody": "=Hi {{ $json.n }}",
                "options": {
                    "responseCode": 201,
                    "responseHeaders": {"entries": [{"name": "X-A", "value": "1"}]},
                },
            },
            "core.respond_to_webhook",
            {
                "respond_with": "text",
                "response_body": "Hi {{ $json.n }}",
                "response_code": 201,
                "response_headers": [{"name": "X-A", "value": "1"}],
            },
        ),
        (
            "respondToWebhook",
            1.4,
            {"respondWith": "redirect", "redirectURL": "https://x.test"},
            "core.respond_to_webhook",
            {"respond_with": "redirect", "redirect_url": "https://x.test"},
        ),
        (
            "webhook",
            2,
            {
                "path": "a/:id",
                "httpMethod": "PUT",
                "authentication": "headerAuth",
                "responseMode": "lastNode",
                "responseData": "allEntries",
            },
            "core.webhook_trigger",
            {
                "path": "a/:id",
                "http_method": "PUT",
                "authentication": "header_auth",
                "response_mode": "last_node",
                "response_data": "all_items",
            },
        ),
    ],
)
def test_family(
    type_: str, version: float, params: dict[str, Any], target: str, expected: dict[str, Any]
) -> None:
    check_family(type_, version, params, target, expected)


def test_unmappable_options_become_placeholders_that_count_as_known() -> None:
    node, report = one("merge", 3, {"mode": "combineBySql", "query": "SELECT 1"})
    assert node.type == "core.placeholder" and report.known
    assert "SQL" in report.notes[0]
    node, report = one("extractFromFile", 1, {"operation": "ods"})
    assert node.type == "core.placeholder" and not report.known


def test_continue_on_fail_and_execute_once() -> None:
    node, _ = one("noOp", 1, {}, continueOnFail=True, executeOnce=True, alwaysOutputData=True)
    assert node.on_error == "continue" and node.execute_once and node.always_output_data


def test_loop_over_items_runs_its_body_per_batch_and_code_runs_javascript() -> None:
    def n(name: str, type_: str, version: float, **params: Any) -> dict[str, Any]:
        return {
            "name": name,
            "type": f"n8n-nodes-base.{type_}",
            "typeVersion": version,
            "position": [0, 0],
            "parameters": params,
        }

    def to(*targets: tuple[str, int]) -> dict[str, Any]:
        return {"main": [[{"node": t, "type": "main", "index": 0}] for t, _ in targets]}

    data = {
        "nodes": [
            n("Start", "manualTrigger", 1),
            n("Numbers", "code", 2, jsCode="return [1, 2, 3, 4, 5].map(n => ({ json: { n } }));"),
            n("Loop", "splitInBatches", 3, batchSize=2, options={}),
            n(
                "Times ten",
                "set",
                3.4,
                includeOtherFields=True,
                assignments={
                    "assignments": [
                        {"name": "big", "value": "={{ $json.n * 10 }}", "type": "number"}
                    ]
                },
            ),
            n("Done", "noOp", 1),
        ],
        "connections": {
            "Start": to(("Numbers", 0)),
            "Numbers": to(("Loop", 0)),
            "Loop": {
                "main": [
                    [{"node": "Done", "type": "main", "index": 0}],
                    [{"node": "Times ten", "type": "main", "index": 0}],
                ]
            },
            "Times ten": to(("Loop", 0)),
        },
    }
    [res] = import_data(data, fmt="n8n")
    wf = res.workflow
    assert "Times ten" not in wf.node_names()  # moved into the loop's body
    loop = wf.node("Loop")
    assert loop.type == "core.loop_over_items" and loop.parameters["batch_size"] == 2
    assert {(c.source, c.output, c.target) for c in wf.connections} >= {("Loop", "done", "Done")}
    assert {r.name for r in res.report.nodes} >= {"Times ten", "Loop"}
    result = Executor().run(RunRequest(workflow=wf))
    assert result.status == "succeeded", result.error
    assert [i.json for i in result.run_for("Done").outputs["main"]] == [
        {"n": k, "big": 10 * k} for k in range(1, 6)
    ]
