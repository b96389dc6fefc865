"""Limit: lineage of the kept items."""

from __future__ import annotations

from engine.sdk import PairedItem
from engine.sdk.testing import NodeHarness


def test_kept_items_point_at_their_inputs() -> None:
    res = NodeHarness("core.limit").run({"max_items": 2, "keep": "last"},
                                        [{"n": 1}, {"n": 2}, {"n": 3}])
    assert [i.paired_item for i in res.outputs["main"]] == [[PairedItem(1)], [PairedItem(2)]]
    assert any("kept 2 of 3" in line for line in res.logs)
