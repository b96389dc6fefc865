"""Aggregate: lineage, binaries and summarize details."""

from __future__ import annotations

from engine.sdk import PairedItem
from engine.sdk.testing import NodeHarness


def bin_item(json: dict[str, object], data: str) -> dict[str, object]:
    return {"json": json, "binary": {"file": {"data": data, "mime_type": "text/plain"}}}


def test_output_points_at_every_input_item() -> None:
    res = NodeHarness("core.aggregate").run({"fields": "a"}, [{"a": 1}, {"a": 2}])
    [out] = res.outputs["main"]
    assert out.paired_item == [PairedItem(0), PairedItem(1)]


def test_include_binaries_renames_repeated_names() -> None:
    res = NodeHarness("core.aggregate").run(
        {"mode": "all_item_data", "include_binaries": True},
        [bin_item({"a": 1}, "YQ=="), bin_item({"a": 2}, "Yg=="), {"a": 3}])
    [out] = res.outputs["main"]
    assert out.json == {"data": [{"a": 1}, {"a": 2}, {"a": 3}]}
    assert out.binary is not None and sorted(out.binary) == ["file", "file_1"]
    assert out.binary["file_1"].content() == b"b"


def test_summarize_groups_have_lineage_and_nested_group_fields() -> None:
    res = NodeHarness("core.aggregate").run(
        {"mode": "summarize", "group_by": ["addr.country"],
         "summarize": [{"field": "n", "aggregation": "append", "include_empty": True}]},
        [{"addr": {"country": "FR"}, "n": 1}, {"addr": {}, "n": 2},
         {"addr": {"country": "FR"}}])
    assert res.json() == [{"addr": {"country": "FR"}, "appended_n": [1, None]},
                          {"addr": {"country": None}, "appended_n": [2]}]
    assert res.outputs["main"][0].paired_item == [PairedItem(0), PairedItem(2)]


def test_avg_of_nothing_is_null_and_count_skips_empty() -> None:
    res = NodeHarness("core.aggregate").run(
        {"mode": "summarize", "summarize": [{"field": "x", "aggregation": "avg"},
                                            {"field": "x", "aggregation": "count"}]},
        [{"x": None}, {"x": ""}, {"y": 1}])
    assert res.error is not None  # "" is not a number for avg
    res = NodeHarness("core.aggregate").run(
        {"mode": "summarize", "summarize": [{"field": "x", "aggregation": "avg"},
                                            {"field": "x", "aggregation": "count"}]},
        [{"x": None}, {"y": 1}])
    assert res.json() == [{"average_x": None, "count_x": 0}]
