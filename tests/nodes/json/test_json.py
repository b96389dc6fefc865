"""JSON node: lineage and binary data, which case files cannot show."""

from __future__ import annotations

from engine.sdk import Binary
from engine.sdk.testing import NodeHarness


def test_split_items_point_at_their_source_item() -> None:
    res = NodeHarness("core.json").run(
        parameters={"operation": "parse", "field": "rows", "destination": "split"},
        input=[{"rows": "[1, 2]"}, {"rows": "[3]"}],
    )
    items = res.outputs["main"]
    assert [i.json for i in items] == [{"rows": 1}, {"rows": 2}, {"rows": 3}]
    assert [i.paired_item[0].item for i in items if i.paired_item] == [0, 0, 1]


def test_binary_data_stays_on_the_item() -> None:
    item = {
        "json": {"data": '{"a": 1}'},
        "binary": {"file": Binary.from_bytes(b"x", "text/plain").to_dict()},
    }
    res = NodeHarness("core.json").run(parameters={"operation": "parse"}, input=[item])
    [out] = res.outputs["main"]
    assert out.json == {"data": {"a": 1}}
    assert out.binary is not None and out.binary["file"].content() == b"x"


def test_input_items_are_not_mutated() -> None:
    source = {"user": {"name": "Ada"}, "raw": '{"x": 1}'}
    res = NodeHarness("core.json").run(
        parameters={"operation": "parse", "field": "raw", "output_field": "user.extra"},
        input=[source],
    )
    assert res.json() == [{"user": {"name": "Ada", "extra": {"x": 1}}, "raw": '{"x": 1}'}]
    assert source == {"user": {"name": "Ada"}, "raw": '{"x": 1}'}
