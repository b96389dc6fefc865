"""Filter: the optional discarded output, logging and lineage."""

from __future__ import annotations

from engine.sdk import PairedItem
from engine.sdk.testing import NodeHarness
from nodes.core.filter.spec import FilterParams, outputs_for

COND = [{"left": "{{ $json.ok }}", "type": "boolean", "operation": "is_true"}]


def test_outputs_depend_on_discarded_option() -> None:
    assert [p.name for p in outputs_for(FilterParams())] == ["main"]
    assert [p.name for p in outputs_for(FilterParams(discarded_output=True))] == [
        "main", "discarded"]
    assert [p.name for p in outputs_for({"discarded_output": True})] == ["main", "discarded"]


def test_dropped_items_are_logged_and_lineage_kept() -> None:
    res = NodeHarness("core.filter").run({"conditions": COND},
                                         [{"ok": False}, {"ok": True}, {"ok": False}])
    assert res.error is None
    assert [i.paired_item for i in res.outputs["main"]] == [[PairedItem(1)]]
    assert any("dropped 2 item" in line for line in res.logs)


def test_route_policy_sends_bad_items_to_error() -> None:
    res = NodeHarness("core.filter").run({"conditions": COND}, [{"ok": True}, {"ok": "maybe"}],
                                         on_error="route")
    assert res.json("main") == [{"ok": True}]
    assert res.json("error")[0]["error"]["item_index"] == 1
