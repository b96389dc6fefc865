"""The n8n data nodes (Set, Aggregate, Summarize, Split Out, Limit, Sort, Remove Duplicates,
Rename Keys, Crypto, Date & Time, Item Lists) map onto their AURA nodes with the parameters
n8n's shape meant, per typeVersion; chains of them run through the executor with n8n's
results."""

from __future__ import annotations

from typing import Any

import pytest

from engine.executor import Executor, RunRequest
from engine.interop import import_data
from tests.interop._n8n import check_family


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
    ],
)
def test_family(
    type_: str, version: float, params: dict[str, Any], target: str, expected: dict[str, Any]
) -> None:
    check_family(type_, version, params, target, expected)


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
