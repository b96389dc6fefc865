"""Sandbox benchmark: Code-node overhead per call with the warm pool vs a fresh process.

Run with ``python bench/sandbox_bench.py [--calls N] [--fresh-calls M]``. Prints the
latency (p50, p99) and throughput of a trivial program, which is the fixed cost every
Code node run pays: pipe round trip, restricted compile, run in a pre-forked child,
JSON both ways. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.sandbox import get_pool, run_code, run_code_each, run_code_ex, shutdown

TRIVIAL = "return x + 1"


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _timed(n: int, fn: Callable[[int], object]) -> list[float]:
    out = []
    for i in range(n):
        t = time.perf_counter()
        fn(i)
        out.append((time.perf_counter() - t) * 1000)
    return out


def _report(label: str, ms: list[float]) -> None:
    total_s = sum(ms) / 1000
    print(f"{label:44} p50 {_percentile(ms, 0.5):7.2f} ms   p99 {_percentile(ms, 0.99):7.2f} ms"
          f"   mean {statistics.fmean(ms):7.2f} ms   {len(ms) / total_s:7.1f} calls/s")


def _threaded(threads: int, per_thread: int) -> float:
    def work() -> None:
        for i in range(per_thread):
            run_code(TRIVIAL, {"x": i}, 5.0)

    pool = [threading.Thread(target=work) for _ in range(threads)]
    t = time.perf_counter()
    for th in pool:
        th.start()
    for th in pool:
        th.join()
    return threads * per_thread / (time.perf_counter() - t)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--calls", type=int, default=500)
    ap.add_argument("--fresh-calls", type=int, default=30)
    args = ap.parse_args()

    pool = get_pool()
    deadline = time.monotonic() + 30
    while len(pool.pids()) < pool.config.pool_size and time.monotonic() < deadline:
        time.sleep(0.05)
    for i in range(20):  # warm up both zygotes and the host's imports
        run_code(TRIVIAL, {"x": i}, 5.0)
    print(f"pool size {pool.config.pool_size}, {args.calls} warm calls, "
          f"{args.fresh_calls} fresh-process calls\n")

    warm = _timed(args.calls, lambda i: run_code_ex(TRIVIAL, {"x": i}, 5.0))
    _report("warm pool, trivial code (sequential)", warm)

    items = [{"json": {"id": i, "name": f"user {i}", "tags": ["a", "b"]}} for i in range(100)]
    node_like = ("out = []\nfor item in items:\n    d = dict(item['json'])\n"
                 "    d['n'] = len(d['tags'])\n    out.append(d)\nreturn out")
    per_100 = _timed(max(50, args.calls // 5),
                     lambda i: run_code_ex(node_like, {"items": items}, 5.0))
    _report("warm pool, Code-node style, 100 items", per_100)

    each = [{"item": it} for it in items]
    per_item = _timed(max(50, args.calls // 5), lambda i: run_code_each(
        "json['n'] = 1\nreturn json", each, 5.0, views={"json": ("item", "json")}))
    _report("warm pool, once-per-item, 100 items/call", per_item)

    try:
        from engine.sdk.testing import NodeHarness

        harness = NodeHarness("core.code")
        rows = [it["json"] for it in items]
        node = _timed(max(50, args.calls // 5), lambda i: harness.run(
            {"code": node_like}, rows, raise_errors=True))
        _report("Code node via the executor, 100 items", node)
    except ImportError as exc:  # the harness is optional for this benchmark
        print(f"(Code node via the executor skipped: {exc})")

    for threads in (2, 4):
        rate = _threaded(threads, max(50, args.calls // threads))
        print(f"{f'warm pool, {threads} threads':44} {rate:7.1f} calls/s")

    fresh = _timed(args.fresh_calls, lambda i: run_code_ex(TRIVIAL, {"x": i}, 10.0, fresh=True))
    _report("fresh interpreter per call (no pool)", fresh)
    print(f"\nwarm pool p50 is {_percentile(fresh, 0.5) / _percentile(warm, 0.5):.0f}x faster "
          "than a fresh process per call")
    shutdown()


if __name__ == "__main__":
    main()
