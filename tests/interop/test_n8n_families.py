"""Each n8n node family maps onto its AURA node with the parameters n8n's shape meant,
per typeVersion; a chain of them runs through the executor with n8n's results."""

from __future__ import annotations

from typing import Any

import pytest

from engine.executor import Executor, RunRequest
from engine.interop import import_data
from engine.sdk import get_catalog


def one(type_: str, version: float, params: dict[str, Any], **extra: Any) -> Any:
    data = {
        "nodes": [
            {
                "name": "N",
                "type": f"n8n-nodes-base.{type_}",
                "typeVersion": version,
                "position": [0, 0],
                "parameters": params,
                **extra,
            }
        ],
        "connections": {},
    }
    [res] = import_data(data, fmt="n8n")
    assert res.workflow is not None, res.report.error
    return res.workflow.node("N"), res.report.nodes[0]


@pytest.mark.parametrize(
    ("type_", "version", "params", "target", "expected"),
    [
        (
            "set",
            3.2,
            {
                "fields": {
                    "values": [
                        {"name": "n", "type": "numberValue", "numberValue": "={{ $json.a + 1 }}"}
                    ]
                },
                "include": "selected",
                "includeFields": "a, b",
            },
            "core.set",
            {
                "assignments": [{"name": "n", "value": "{{ $json.a + 1 }}", "type": "number"}],
                "keep": "selected",
                "fields": ["a", "b"],
            },
        ),
        (
            "set",
            1,
            {"values": {"boolean": [{"name": "ok", "value": True}]}, "keepOnlySet": True},
            "core.set",
            {"assignments": [{"name": "ok", "value": True, "type": "boolean"}], "keep": "none"},
        ),
        (
            "set",
            3.4,
            {"mode": "raw", "jsonOutput": '={ "a": {{ $json.x }} }'},
            "core.set",
            {"mode": "json", "json_value": '{ "a": {{ $json.x }} }'},
        ),
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
            "aggregate",
            1,
            {
                "fieldsToAggregate": {
                    "fieldToAggregate": [
                        {"fieldToAggregate": "id", "renameField": True, "outputFieldName": "ids"}
                    ]
                }
            },
            "core.aggregate",
            {"mode": "individual_fields", "fields": [{"field": "id", "rename": "ids"}]},
        ),
        (
            "aggregate",
            1,
            {"aggregate": "aggregateAllItemData", "destinationFieldName": "rows"},
            "core.aggregate",
            {"mode": "all_item_data", "destination_field": "rows", "include": "all"},
        ),
        (
            "summarize",
            1,
            {
                "fieldsToSummarize": {"values": [{"aggregation": "sum", "field": "n"}]},
                "fieldsToSplitBy": "group",
            },
            "core.aggregate",
            {"mode": "summarize", "group_by": ["group"]},
        ),
        (
            "splitOut",
            1,
            {
                "fieldToSplitOut": "items",
                "include": "allOtherFields",
                "options": {"destinationFieldName": "item"},
            },
            "core.split_out",
            {"field": ["items"], "include": "all", "destination": ["item"]},
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
            "limit",
            1,
            {"maxItems": 5, "keep": "lastItems"},
            "core.limit",
            {"max_items": 5, "keep": "last"},
        ),
        (
            "sort",
            1,
            {"sortFieldsUi": {"sortField": [{"fieldName": "at", "order": "descending"}]}},
            "core.sort",
            {"type": "simple", "fields": [{"field": "at", "order": "desc"}]},
        ),
        (
            "removeDuplicates",
            2,
            {"compare": "selectedFields", "fieldsToCompare": "id"},
            "core.remove_duplicates",
            {"compare": "selected", "fields": ["id"]},
        ),
        (
            "renameKeys",
            1,
            {"keys": {"key": [{"currentKey": "a", "newKey": "b"}]}},
            "core.rename_keys",
            {"keys": [{"current": "a", "new": "b"}]},
        ),
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
            "crypto",
            2,
            {
                "action": "hash",
                "type": "SHA256",
                "value": "={{ $json.s }}",
                "dataPropertyName": "h",
            },
            "core.crypto",
            {
                "operation": "hash",
                "algorithm": "sha256",
                "value": "{{ $json.s }}",
                "output_field": "h",
            },
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
        (
            "code",
            2,
            {"jsCode": "return $input.all()", "mode": "runOnceForEachItem"},
            "core.code_js",
            {"style": "n8n", "mode": "each_item", "code": "return $input.all()"},
        ),
        (
            "html",
            1.2,
            {
                "operation": "extractHtmlContent",
                "dataPropertyName": "body",
                "extractionValues": {
                    "values": [
                        {
                            "key": "links",
                            "cssSelector": "a",
                            "returnValue": "attribute",
                            "attribute": "href",
                            "returnArray": True,
                        }
                    ]
                },
            },
            "core.html",
            {
                "operation": "extract",
                "field": "body",
                "extractions": [
                    {
                        "key": "links",
                        "selector": "a",
                        "return_value": "attribute",
                        "attribute": "href",
                        "return_array": True,
                    }
                ],
            },
        ),
        (
            "extractFromFile",
            1,
            {"operation": "pdf", "binaryPropertyName": "file"},
            "core.extract_from_file",
            {"format": "pdf", "binary_property": "file"},
        ),
        (
            "convertToFile",
            1.1,
            {"operation": "toText", "sourceProperty": "body", "options": {"fileName": "a.txt"}},
            "core.convert_to_file",
            {"format": "text", "source_field": "body", "file_name": "a.txt"},
        ),
        (
            "code",
            2,
            {"language": "python", "pythonCode": "return items"},
            "core.code",
            {"mode": "all_items", "code": "return items"},
        ),
        (
            "extractFromFile",
            1,
            {"operation": "csv", "binaryPropertyName": "file"},
            "core.csv",
            {"operation": "parse", "source": "binary", "binary_property": "file"},
        ),
        (
            "httpRequest",
            4.2,
            {
                "url": "https://x.test",
                "sendQuery": True,
                "specifyQuery": "json",
                "jsonQuery": '{"q": "a"}',
                "sendBody": True,
                "contentType": "form-urlencoded",
                "bodyParameters": {"parameters": [{"name": "k", "value": "v"}]},
            },
            "core.http_request",
            {
                "query": [{"name": "q", "value": "a"}],
                "body_type": "form_urlencoded",
                "body_fields": [{"name": "k", "value": "v"}],
            },
        ),
    ],
)
def test_family(
    type_: str, version: float, params: dict[str, Any], target: str, expected: dict[str, Any]
) -> None:
    if target not in {spec.type for spec in get_catalog().all()}:
        pytest.skip(f"{target} is not installed")
    node, report = one(type_, version, params)
    assert node.type == target, report.notes
    for key, value in expected.items():
        assert node.parameters.get(key) == value, (key, node.parameters)


def test_unmappable_options_become_placeholders_that_count_as_known() -> None:
    node, report = one("merge", 3, {"mode": "combineBySql", "query": "SELECT 1"})
    assert node.type == "core.placeholder" and report.known
    assert "SQL" in report.notes[0]
    node, report = one("extractFromFile", 1, {"operation": "ods"})
    assert node.type == "core.placeholder" and not report.known


def test_continue_on_fail_and_execute_once() -> None:
    node, _ = one("noOp", 1, {}, continueOnFail=True, executeOnce=True, alwaysOutputData=True)
    assert node.on_error == "continue" and node.execute_once and node.always_output_data


def test_a_data_chain_gives_n8n_results() -> None:
    def n(name: str, type_: str, version: float, **params: Any) -> dict[str, Any]:
        return {
            "name": name,
            "type": f"n8n-nodes-base.{type_}",
            "typeVersion": version,
            "position": [0, 0],
            "parameters": params,
        }

    def to(*names: str) -> dict[str, Any]:
        return {"main": [[{"node": x, "type": "main", "index": 0} for x in names]]}

    data = {
        "nodes": [
            n("Start", "manualTrigger", 1),
            n(
                "Data",
                "set",
                3.4,
                mode="raw",
                jsonOutput='={{ { "rows": ['
                '{"id": 1, "g": "a", "n": 2}, {"id": 1, "g": "a", "n": 2}, '
                '{"id": 2, "g": "b", "n": 5}, {"id": 3, "g": "a", "n": 7}] } }}',
            ),
            n("Rows", "splitOut", 1, fieldToSplitOut="rows"),
            n("Unique", "removeDuplicates", 2, compare="selectedFields", fieldsToCompare="id"),
            n(
                "Sorted",
                "sort",
                1,
                sortFieldsUi={"sortField": [{"fieldName": "n", "order": "descending"}]},
            ),
            n("Top", "limit", 1, maxItems=2),
            n(
                "Totals",
                "summarize",
                1,
                fieldsToSummarize={"values": [{"aggregation": "sum", "field": "n"}]},
                fieldsToSplitBy="g",
            ),
        ],
        "connections": {
            "Start": to("Data"),
            "Data": to("Rows"),
            "Rows": to("Unique"),
            "Unique": to("Sorted"),
            "Sorted": to("Top"),
            "Top": to("Totals"),
        },
    }
    [res] = import_data(data, fmt="n8n")
    result = Executor().run(RunRequest(workflow=res.workflow))
    assert result.status == "succeeded", result.error
    assert [i.json["id"] for i in result.run_for("Top").outputs["main"]] == [3, 2]
    totals = [i.json for i in result.run_for("Totals").outputs["main"]]
    assert sorted((t["g"], t["sum_n"]) for t in totals) == [("a", 7), ("b", 5)]


def test_date_time_v2_and_item_lists_run_like_n8n() -> None:
    def n(name: str, type_: str, version: float, **params: Any) -> dict[str, Any]:
        return {
            "name": name,
            "type": f"n8n-nodes-base.{type_}",
            "typeVersion": version,
            "position": [0, 0],
            "parameters": params,
        }

    def to(x: str) -> dict[str, Any]:
        return {"main": [[{"node": x, "type": "main", "index": 0}]]}

    data = {
        "nodes": [
            n("Start", "manualTrigger", 1),
            n(
                "Data",
                "set",
                3.4,
                mode="raw",
                jsonOutput='={{ { "list": [{"at": "2024-01-30T10:00:00Z"}] } }}',
            ),
            n("Each", "itemLists", 3, operation="splitOutItems", fieldToSplitOut="list"),
            n(
                "Later",
                "dateTime",
                2,
                operation="addToDate",
                magnitude="={{ $json.at }}",
                timeUnit="days",
                duration=3,
                outputFieldName="due",
            ),
            n(
                "Shown",
                "dateTime",
                2,
                operation="formatDate",
                date="={{ $json.due }}",
                format="yyyy/MM/dd",
            ),
        ],
        "connections": {
            "Start": to("Data"),
            "Data": to("Each"),
            "Each": to("Later"),
            "Later": to("Shown"),
        },
    }
    [res] = import_data(data, fmt="n8n")
    assert all(r.status == "mapped" for r in res.report.nodes), res.report.to_dict()
    result = Executor().run(RunRequest(workflow=res.workflow))
    assert result.status == "succeeded", result.error
    [item] = result.run_for("Shown").outputs["main"]
    assert item.json["formattedDate"] == "2024/02/02"


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


def test_sql_values_pasted_into_the_text_become_parameters() -> None:
    node, report = one(
        "postgres",
        2.5,
        {
            "operation": "executeQuery",
            "query": "=SELECT * FROM orders WHERE id = {{ $json.id }} AND note = '{{ $json.n }}'",
        },
    )
    assert node.type == "core.postgres"
    assert node.parameters["query"] == "SELECT * FROM orders WHERE id = $1 AND note = $2"
    assert node.parameters["parameters"] == ["{{ $json.id }}", "{{ $json.n }}"]
    assert any("parameters $1" in n for n in report.notes)
    node, report = one(
        "mySql", 2.4, {"operation": "executeQuery", "query": "DESCRIBE {{ $json.table }};"}
    )
    assert node.type == "core.placeholder" and "table or column name" in report.notes[0]
    node, report = one("mySql", 2.4, {"operation": "executeQuery", "query": "{{ $json.q }}"})
    assert node.type == "core.placeholder" and "whole statement" in report.notes[0]


def test_send_email_maps_addresses_and_bodies() -> None:
    node, _ = one(
        "emailSend",
        2.1,
        {
            "fromEmail": "shop@x.test",
            "toEmail": "={{ $json.to }}",
            "subject": "=Re: {{ $json.s }}",
            "html": "<b>Hi</b>",
            "options": {"ccEmail": "boss@x.test"},
        },
    )
    assert node.type == "core.send_email"
    assert {k: node.parameters[k] for k in ("to_email", "subject", "html", "cc")} == {
        "to_email": "{{ $json.to }}",
        "subject": "Re: {{ $json.s }}",
        "html": "<b>Hi</b>",
        "cc": "boss@x.test",
    }
