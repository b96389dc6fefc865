"""Evaluations per second of representative ``{{ }}`` expressions.

Run: ``.venv/bin/python bench/expressions_bench.py [N]`` (default N = 200,000 per case).
Each figure is the best of three runs of N evaluations of an already compiled template
(the executor compiles once per parameter and evaluates per item); the last line also
builds an ExpressionContext per item, as the executor does.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.expressions import (
    ExpressionContext,
    compile_template,
    evaluate,
    evaluate_value,
)
from engine.sdk.items import Item, PairedItem


class FakeRunData:
    """RunDataAccess whose paired item is the item at the same index."""

    def __init__(self, items: list[Item]) -> None:
        self.items = items

    def has_run(self, node: str) -> bool:
        return node == "Fetch"

    def output_items(self, node: str, port: str = "main") -> list[Item]:
        return self.items

    def paired_item(self, node: str, item_index: int) -> Item | None:
        return self.items[item_index % len(self.items)]


def best_rate(fn: Callable[[], None], n: int) -> float:
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return n / best


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    upstream = [Item({"id": i, "sku": f"S{i}"}) for i in range(1000)]
    data = {"id": 7, "price": 19.99, "qty": 3, "name": "  Blue Widget ",
            "lines": [{"price": p} for p in range(10)]}
    ctx = ExpressionContext(json=data, item_index=5, run_data=FakeRunData(upstream),
                            items=[Item(data)])
    cases = [
        ("field access", "{{ $json.price }}"),
        ("arithmetic", "{{ $json.price * 2 }}"),
        ("string method chain", "{{ $json.name.trim().toLowerCase().replace(' ', '-') }}"),
        ("interpolation", "Order {{ $json.id }} for {{ $json.name.trim() }}: "
                          "{{ $json.price * $json.qty }} EUR"),
        ("$node paired lookup", '{{ $node("Fetch").json.sku }}'),
        ("condition (IF)", "{{ $json.price > 10 && $json.qty >= 1 }}"),
        ("comprehension (10)", "{{ sum([l.price for l in $json.lines]) }}"),
    ]
    print(f"{'expression':<24} {'evaluations/s':>14}   template")
    for label, source in cases:
        t = compile_template(source)

        def run(t: object = t) -> None:
            ev = t.evaluate  # type: ignore[attr-defined]
            for _ in range(n):
                ev(ctx)
        print(f"{label:<24} {best_rate(run, n):>14,.0f}   {source}")

    source = "{{ $json.price * 2 }}"

    def via_evaluate() -> None:
        for _ in range(n):
            evaluate(source, ctx, node="Set", parameter="value")
    print(f"{'evaluate() API':<24} {best_rate(via_evaluate, n):>14,.0f}   {source}")

    items = [Item({"price": i * 0.5, "qty": i % 7}, paired_item=[PairedItem(i)])
             for i in range(n)]

    def per_item() -> None:
        for i, item in enumerate(items):
            c = ExpressionContext(json=item.json, item_index=i, items=items)
            evaluate_value({"value": source}, c, node="Set")
    print(f"{'+ context per item':<24} {best_rate(per_item, n):>14,.0f}   "
          f"evaluate_value({{'value': {source!r}}}) with a new context per item")


if __name__ == "__main__":
    main()
