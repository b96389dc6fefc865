"""No Operation: binary data and lineage pass through."""

from __future__ import annotations

from engine.sdk import PairedItem
from engine.sdk.testing import NodeHarness


def test_binary_and_lineage_pass_through() -> None:
    item = {"json": {"a": 1}, "binary": {"data": {"data": "aGVsbG8=", "mime_type": "text/plain",
                                                  "file_name": "a.txt"}}}
    res = NodeHarness("core.noop").run({}, [item, {"b": 2}])
    assert res.error is None
    first, second = res.outputs["main"]
    assert first.binary is not None and first.binary["data"].content() == b"hello"
    assert first.binary["data"].file_name == "a.txt"
    assert [first.paired_item, second.paired_item] == [[PairedItem(0)], [PairedItem(1)]]
