"""Prints the latency of JavaScript sandbox calls (warm pool) next to Python ones.

Run: ``.venv/bin/python bench/js_sandbox_bench.py [calls]``. Figures only; no assertion.
"""

from __future__ import annotations

import statistics
import sys
import time

from engine.sandbox import get_js_pool, get_pool, run_code, shutdown
from engine.sandbox.js import run_js

DRIVER = "function (input, user, api) { return user(input.items); }"


def _time(fn: object, calls: int) -> list[float]:
    out = []
    for _ in range(calls):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        out.append((time.perf_counter() - start) * 1000)
    return out


def main() -> None:
    calls = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    items = [{"n": i} for i in range(1000)]
    get_pool()
    get_js_pool()
    run_js("return 1", {"items": []}, DRIVER, params=["items"])
    run_code("return 1", {}, 5.0)
    js = _time(
        lambda: run_js(
            "return items.map(x => ({n: x.n * 2}))", {"items": items}, DRIVER, params=["items"]
        ),
        calls,
    )
    py = _time(
        lambda: run_code("return [{'n': x['n'] * 2} for x in items]", {"items": items}), calls
    )
    for name, ms in (("javascript", js), ("python", py)):
        print(
            f"{name:10s} 1000 items x{calls}: median {statistics.median(ms):.1f} ms, "
            f"p90 {sorted(ms)[int(len(ms) * 0.9) - 1]:.1f} ms"
        )
    shutdown()


if __name__ == "__main__":
    main()
