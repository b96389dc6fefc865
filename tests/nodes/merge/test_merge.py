"""Merge: lineage to both inputs, binary data, joins not expressible as simple cases."""

from __future__ import annotations

from engine.sdk import PairedItem
from engine.sdk.testing import NodeHarness

USERS = [{"id": 1, "name": "Ada"}, {"id": 2, "name": "Alan"}]
ORDERS = [{"uid": 2, "total": 5}, {"uid": 1, "total": 9}, {"uid": 3, "total": 1}]
MATCH = [{"field1": "id", "field2": "uid"}]


def run(params: dict[str, object], in1: list[object], in2: list[object]):  # type: ignore[no-untyped-def]
    res = NodeHarness("core.merge").run(params, {"input1": in1, "input2": in2})
    assert res.error is None, res.error
    return res


def test_merged_items_point_at_both_sources() -> None:
    res = run({"mode": "combine_by_fields", "match_fields": MATCH}, USERS, ORDERS)
    assert res.json() == [{"id": 1, "name": "Ada", "uid": 1, "total": 9},
                          {"id": 2, "name": "Alan", "uid": 2, "total": 5}]
    assert [i.paired_item for i in res.outputs["main"]] == [
        [PairedItem(0, 0), PairedItem(1, 1)], [PairedItem(1, 0), PairedItem(0, 1)]]


def test_append_lineage_names_the_input() -> None:
    res = run({"mode": "append"}, USERS[:1], ORDERS[:1])
    assert [i.paired_item for i in res.outputs["main"]] == [[PairedItem(0, 0)],
                                                            [PairedItem(0, 1)]]


def test_right_join_keeps_every_input2_item() -> None:
    res = run({"mode": "combine_by_fields", "match_fields": MATCH, "join": "right"},
              USERS, ORDERS)
    assert res.json() == [{"id": 2, "name": "Alan", "uid": 2, "total": 5},
                          {"id": 1, "name": "Ada", "uid": 1, "total": 9},
                          {"uid": 3, "total": 1}]


def test_inner_join_output_from_one_input() -> None:
    p = {"mode": "combine_by_fields", "match_fields": MATCH}
    assert run({**p, "output_data_from": "input1"}, USERS, ORDERS + ORDERS).json() == USERS
    assert run({**p, "output_data_from": "input2"}, USERS, ORDERS).json() == ORDERS[:2]


def test_keep_non_matches_from_input1_only() -> None:
    res = run({"mode": "combine_by_fields", "match_fields": MATCH, "join": "keep_non_matches",
               "output_data_from": "input1"}, [*USERS, {"id": 4}], ORDERS)
    assert res.json() == [{"id": 4}]


def test_items_missing_the_key_never_match() -> None:
    res = run({"mode": "combine_by_fields", "match_fields": "id", "join": "outer"},
              [{"id": None}, {"x": 1}], [{"id": None}])
    assert res.json() == [{"id": None}, {"x": 1}, {"id": None}]


def test_multiple_match_fields_and_nested_paths() -> None:
    res = run({"mode": "combine_by_fields", "match_fields": [
        {"field1": "a.k", "field2": "k"}, {"field1": "b", "field2": "b"}]},
        [{"a": {"k": 1}, "b": 2}, {"a": {"k": 1}, "b": 3}], [{"k": 1, "b": 3, "hit": True}])
    assert res.json() == [{"a": {"k": 1}, "b": 3, "k": 1, "hit": True}]


def test_shallow_merge_and_override_empty() -> None:
    a = [{"meta": {"x": 1}, "name": "Ada"}]
    b = [{"meta": {"y": 2}, "name": ""}]
    res = run({"mode": "combine_by_position", "deep_merge": False}, a, b)
    assert res.json() == [{"meta": {"y": 2}, "name": ""}]
    res = run({"mode": "combine_by_position", "override_empty": True}, a, b)
    assert res.json() == [{"meta": {"x": 1, "y": 2}, "name": "Ada"}]


def test_binary_of_both_items_is_kept() -> None:
    one = {"json": {"a": 1}, "binary": {"doc": {"data": "YQ==", "mime_type": "text/plain"}}}
    two = {"json": {"b": 1}, "binary": {"img": {"data": "Yg==", "mime_type": "image/png"},
                                        "doc": {"data": "Yw==", "mime_type": "text/plain"}}}
    res = run({"mode": "combine_by_position"}, [one], [two])
    binary = res.outputs["main"][0].binary or {}
    assert sorted(binary) == ["doc", "img"]
    assert binary["doc"].content() == b"c"  # input 2 preferred by default
    res = run({"mode": "combine_by_position", "clash_handling": "prefer_input1"}, [one], [two])
    assert (res.outputs["main"][0].binary or {})["doc"].content() == b"a"


def test_inputs_are_not_mutated() -> None:
    a = [{"meta": {"x": 1}}]
    b = [{"meta": {"y": 2}}]
    res = run({"mode": "combine_all"}, a, b)
    assert res.json() == [{"meta": {"x": 1, "y": 2}}]
    assert a == [{"meta": {"x": 1}}] and b == [{"meta": {"y": 2}}]


def test_choose_branch_input2_and_nothing_when_both_empty() -> None:
    assert run({"mode": "choose_branch", "choose_branch": "input2"}, USERS, ORDERS).json() == \
        ORDERS
    assert run({"mode": "choose_branch", "choose_branch": "empty"}, [], []).json() == []
