"""Split Out: binary data, lineage and the error policy."""

from __future__ import annotations

from engine.sdk import PairedItem
from engine.sdk.testing import NodeHarness


def test_binary_copied_only_when_asked() -> None:
    item = {"json": {"l": [1, 2]}, "binary": {"f": {"data": "YQ==", "mime_type": "text/plain"}}}
    res = NodeHarness("core.split_out").run({"field": "l"}, [item])
    assert [i.binary for i in res.outputs["main"]] == [None, None]
    res = NodeHarness("core.split_out").run({"field": "l", "include_binary": True}, [item])
    assert all(i.binary and i.binary["f"].content() == b"a" for i in res.outputs["main"])


def test_lineage_points_at_the_split_item() -> None:
    res = NodeHarness("core.split_out").run({"field": "l"}, [{"l": [1]}, {"l": [2, 3]}])
    assert [i.paired_item for i in res.outputs["main"]] == [
        [PairedItem(0)], [PairedItem(1)], [PairedItem(1)]]


def test_continue_policy_keeps_going_after_a_missing_field() -> None:
    res = NodeHarness("core.split_out").run({"field": "l"}, [{"x": 1}, {"l": [5]}],
                                            on_error="continue")
    out = res.json()
    assert out[0]["error"]["item_index"] == 0 and out[1] == {"l": 5}


def test_object_value_splits_into_its_values() -> None:
    res = NodeHarness("core.split_out").run({"field": "m", "destination": "v"},
                                            [{"m": {"a": 1, "b": 2}}])
    assert res.json() == [{"v": 1}, {"v": 2}]
