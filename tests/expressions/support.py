"""Shared helpers of the expression tests: a context factory and a fake run data."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from engine.expressions import ExpressionContext, evaluate
from engine.sdk.items import Binary, Item, PairedItem

NOW = datetime(2024, 3, 10, 12, 30, 15, tzinfo=UTC)


class FakeRunData:
    """RunDataAccess over fixed outputs; paired items follow ``paired`` or the index."""

    def __init__(self, outputs: dict[str, dict[str, list[Item]]],
                 paired: dict[tuple[str, int], int] | None = None) -> None:
        self.outputs = outputs
        self.paired = paired or {}

    def has_run(self, node: str) -> bool:
        return node in self.outputs

    def output_items(self, node: str, port: str = "main") -> list[Item]:
        return self.outputs.get(node, {}).get(port, [])

    def paired_item(self, node: str, item_index: int) -> Item | None:
        items = self.output_items(node)
        j = self.paired.get((node, item_index))
        return items[j] if j is not None and j < len(items) else None


def run_data() -> FakeRunData:
    return FakeRunData(
        {
            "Fetch": {"main": [Item({"id": 1, "name": "one"}), Item({"id": 2, "name": "two"}),
                               Item({"id": 3, "name": "three"})]},
            "IF": {"true": [Item({"ok": True})], "false": []},
            "Empty": {"main": []},
            "File": {"main": [Item({"f": 1}, binary={"data": Binary.from_bytes(
                b"hello", "text/plain", "a.txt")})]},
        },
        paired={("Fetch", 0): 2, ("Fetch", 1): 0},
    )


def make_ctx(**overrides: Any) -> ExpressionContext:
    """A context with a rich current item, two input items and a fixed 'now'."""
    items = [
        Item({"price": 10, "name": "Widget"}, paired_item=[PairedItem(0)]),
        Item({"price": 2.5, "name": "Gadget"}, binary={"file": Binary.from_bytes(b"x")}),
    ]
    base: dict[str, Any] = dict(
        json={
            "price": 2.5, "qty": 3, "name": "  Ann Smith ", "email": "ann@example.com",
            "tags": ["b", "a", "c"], "nested": {"deep": {"value": 42}}, "empty": "",
            "none": None, "from": "x@y.z", "_id": "abc", "flag": True,
            "people": [{"name": "Bo", "age": 30}, {"name": "Al", "age": 25},
                       {"name": "Cy", "age": None}],
            "when": "2024-01-31T10:00:00Z",
        },
        item_index=1,
        items=items,
        binary={"file": {"mime_type": "application/pdf", "file_name": "a.pdf",
                         "file_size": 10}},
        node_name="Set",
        run_data=run_data(),
        vars={"region": "eu", "limit": 5},
        env={"API_BASE": "https://api.example.com"},
        timezone="Europe/Berlin",
        now=NOW,
        workflow={"id": "wf1", "name": "Orders", "active": True},
        execution={"id": "ex1", "mode": "manual", "resume_url": "http://localhost/r/ex1"},
        extra={"response": {"next": "cursor-2"}},
    )
    base.update(overrides)
    return ExpressionContext(**base)


def ev(template: str, **overrides: Any) -> Any:
    """Evaluates ``template`` in :func:`make_ctx` (with overrides)."""
    return evaluate(template, make_ctx(**overrides), node="Set", parameter="value")
