"""Sort: random order, lineage and warnings."""

from __future__ import annotations

from engine.sdk import PairedItem
from engine.sdk.testing import NodeHarness
from nodes.core.sort.run import compare_values

ITEMS = [{"n": i} for i in range(20)]


def test_random_with_seed_is_a_repeatable_permutation() -> None:
    h = NodeHarness("core.sort")
    first = h.run({"type": "random", "seed": 7}, ITEMS).json()
    again = h.run({"type": "random", "seed": 7}, ITEMS).json()
    other = h.run({"type": "random", "seed": 8}, ITEMS).json()
    assert first == again
    assert first != ITEMS and first != other
    assert sorted(x["n"] for x in first) == list(range(20))


def test_lineage_follows_items() -> None:
    res = NodeHarness("core.sort").run({"fields": [{"field": "n", "order": "desc"}]},
                                       ITEMS[:3])
    assert [i.paired_item for i in res.outputs["main"]] == [
        [PairedItem(2)], [PairedItem(1)], [PairedItem(0)]]


def test_unknown_field_logs_a_warning() -> None:
    res = NodeHarness("core.sort").run({"fields": "nme"}, ITEMS[:2])
    assert res.json() == ITEMS[:2]
    assert any("No item has the field 'nme'" in line for line in res.logs)


def test_nan_and_none_go_last() -> None:
    assert compare_values(float("nan"), 1, False, True) == 1
    assert compare_values(None, 1, True, True) == 1
    assert compare_values(1, None, True, True) == -1
