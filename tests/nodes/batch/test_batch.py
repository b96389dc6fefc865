"""Batch: lineage of batches and tagged items."""

from __future__ import annotations

from engine.sdk import PairedItem
from engine.sdk.testing import NodeHarness


def test_a_batch_points_at_the_items_it_holds() -> None:
    res = NodeHarness("core.batch").run({"size": 2, "overlap": 1}, [{"n": 1}, {"n": 2}, {"n": 3}])
    assert [i.paired_item for i in res.outputs["main"]] == [
        [PairedItem(0), PairedItem(1)],
        [PairedItem(1), PairedItem(2)],
    ]


def test_tagged_items_point_at_their_input() -> None:
    res = NodeHarness("core.batch").run(
        {"size": 2, "output": "items"}, [{"n": 1}, {"n": 2}, {"n": 3}]
    )
    assert [i.paired_item for i in res.outputs["main"]] == [
        [PairedItem(0)],
        [PairedItem(1)],
        [PairedItem(2)],
    ]
    assert res.outputs["main"][2].json == {"n": 3, "batch": {"id": 1, "index": 0, "count": 1}}
