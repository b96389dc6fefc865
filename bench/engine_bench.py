"""Inline engine overhead (not a test; prints figures).

(a) a linear chain of 1,000 Set nodes with one item  → µs per node run
(b) 100,000 items through Set → IF → Set             → items per second
(c) expression evaluations per second                → evals/s

Run: .venv/bin/python -m bench.engine_bench [--items N] [--chain N]
"""

from __future__ import annotations

import argparse
import logging
import statistics
import time
from typing import Any

from engine.executor import Executor, RunRequest
from engine.graph import load_workflow
from engine.sdk import Item


def chain(n: int) -> dict[str, Any]:
    nodes: list[dict[str, Any]] = [{"name": "Start", "type": "core.manual_trigger"}]
    conns = []
    prev = "Start"
    for i in range(n):
        name = f"Set {i}"
        nodes.append({"name": name, "type": "core.set",
                      "parameters": {"assignments": [{"name": "step", "value": i}]}})
        conns.append({"source": prev, "target": name})
        prev = name
    return {"name": f"chain-{n}", "nodes": nodes, "connections": conns}


def set_if_set(expressions: bool) -> dict[str, Any]:
    v1 = "{{ $json.n * 2 }}" if expressions else 1
    left = "{{ $json.double }}" if expressions else 5
    return {
        "name": "set-if-set",
        "nodes": [
            {"name": "Start", "type": "core.manual_trigger"},
            {"name": "Double", "type": "core.set",
             "parameters": {"assignments": [{"name": "double", "value": v1}]}},
            {"name": "Big?", "type": "core.if", "parameters": {"conditions": [
                {"left": left, "operation": "gt", "type": "number", "right": 100}]}},
            {"name": "Tag", "type": "core.set",
             "parameters": {"assignments": [{"name": "big", "value": True}]}},
        ],
        "connections": [
            {"source": "Start", "target": "Double"},
            {"source": "Double", "target": "Big?"},
            {"source": "Big?", "output": "true", "target": "Tag"},
        ],
    }


def timed(fn: Any, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--chain", type=int, default=1000)
    ap.add_argument("--items", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    logging.disable(logging.WARNING)
    ex = Executor()

    wf = load_workflow(chain(args.chain))
    times = timed(lambda: ex.run(RunRequest(workflow=wf, mode="cli")), args.repeat)
    best = min(times)
    print(f"(a) chain of {args.chain} Set nodes, 1 item: best {best * 1000:.1f} ms, "
          f"median {statistics.median(times) * 1000:.1f} ms → "
          f"{best / (args.chain + 1) * 1e6:.1f} µs per node run")

    items = [Item(json={"n": i}) for i in range(args.items)]
    for expr in (False, True):
        wf = load_workflow(set_if_set(expr))
        try:
            times = timed(lambda wf=wf: ex.run(RunRequest(workflow=wf, input_items=items,
                                                          mode="cli")), max(1, args.repeat - 1))
        except Exception as exc:
            print(f"(b) skipped: {exc}")
            continue
        best = min(times)
        label = "with expressions" if expr else "constant parameters"
        print(f"(b) {args.items:,} items through Set → IF → Set ({label}): {best:.2f} s → "
              f"{args.items / best:,.0f} items/s")

    try:
        from engine.expressions import ExpressionContext, compile_template
    except ImportError as exc:
        print(f"(c) skipped: {exc}")
        return
    for src in ("{{ $json.price * 2 }}", "{{ $json.name.upper() + '!' }}",
                "Hello {{ $json.name }}, you owe {{ $json.price * 1.2 }}"):
        tpl = compile_template(src)
        ctx = ExpressionContext(json={"price": 12.5, "name": "ada"})
        n = 100_000
        t0 = time.perf_counter()
        for _ in range(n):
            tpl.evaluate(ctx)
        dt = time.perf_counter() - t0
        print(f"(c) {src!r}: {n / dt:,.0f} evaluations/s")


if __name__ == "__main__":
    main()
