"""Sandboxed package node overhead and install time (figures for docs/marketplace.md).

Runs the first-party ``aura.slugify`` (installed from a directory catalogue) through the
real executor path (NodeHarness), beside the built-in ``core.set``, and splits a package
node run into layers so the cost beyond the sandbox round trip shows:

- ``sandbox round trip``: a trivial Code-node call (``return items``) with the same ten
  items through the same warm pool: what every sandboxed call pays (pipe, fork from
  the zygote, JSON both ways);
- ``brokered, trivial program``: the same through the package path (``run_brokered``:
  brokered ctx, per-item params, program compiled once per process);
- ``brokered, slugify program``: the package's real module and function, called
  directly (no executor);
- ``package node``: the node in a workflow (lookup, parameters, broker, items out).

Overhead per run beyond the sandbox round trip = package node minus the round trip
(paired run by run), against both the Code-node call and the trivial brokered call.
Also the time to install a package from a folder catalogue and, with ``--workers N``
(a private Redis and N ``aura worker`` processes started *before* the install), the time
from the end of the install until every worker process has run the new node. Prints
p50/p99; asserts nothing.

    AURA_DATA_DIR=$(mktemp -d) .venv/bin/python bench/marketplace_bench.py [--runs N]
        [--workers N]
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _pct(samples: list[float], q: float) -> float:
    return sorted(samples)[min(len(samples) - 1, int(q * len(samples)))] * 1000


def _install(folder: Path) -> float:
    from engine.marketplace.build import build_package, sign_package
    from engine.marketplace.sources import publish, sign_index
    from engine.services import packages
    from engine.vault.signing import generate_keypair

    private, public = generate_keypair("ed25519")
    for src in sorted((ROOT / "nodes" / "catalogue").glob("aura-*")):
        data, _ = build_package(src)
        publish(folder, data, sign_package(data, private))
    sign_index(folder, private, "aura")
    packages.trust_publisher(None, "aura", public.decode())
    started = time.perf_counter()
    packages.install_from_catalogue(None, "aura/text-utils", source=str(folder))
    return time.perf_counter() - started


SLUG_FLOW = {
    "name": "slug",
    "nodes": [
        {"name": "Start", "type": "core.manual_trigger"},
        {"name": "Slug", "type": "aura.slugify", "parameters": {}},
    ],
    "connections": [{"source": "Start", "target": "Slug"}],
}


def _start_workers(processes: int) -> tuple[subprocess.Popen[bytes], object]:
    """A private Redis (this process and the workers) and ``aura worker`` processes."""
    from rq import Worker

    from engine.config import reset_settings
    from engine.runtimes import redis_connection
    from engine.runtimes.embedded import start_embedded_redis

    url, server = start_embedded_redis(None, persist=False)
    os.environ["AURA_REDIS_URL"] = url
    reset_settings()
    proc = subprocess.Popen(
        [sys.executable, "-m", "engine", "worker", "--processes", str(processes)],
        cwd=ROOT,
        env=dict(os.environ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while Worker.count(connection=redis_connection()) < processes:
        if time.monotonic() > deadline:
            raise RuntimeError("the workers did not start")
        time.sleep(0.1)
    return proc, server


CODE_FLOW = {
    "name": "code",
    "nodes": [
        {"name": "Start", "type": "core.manual_trigger"},
        {"name": "Code", "type": "core.code", "parameters": {"code": "return items"}},
    ],
    "connections": [{"source": "Start", "target": "Code"}],
}


SET_FLOW = {
    "name": "set",
    "nodes": [
        {"name": "Start", "type": "core.manual_trigger"},
        {"name": "Set", "type": "core.set", "parameters": {}},
    ],
    "connections": [{"source": "Start", "target": "Set"}],
}


def _until_every_worker_ran(flow: dict[str, object], processes: int) -> float:
    """Seconds until runs of ``flow`` succeeded on ``processes`` distinct worker
    processes (rounds of ``processes`` runs at once; a refused run is retried)."""
    from engine.services.executions import RunSpec, start
    from engine.services.principals import RunAs

    started = time.perf_counter()
    seen: set[str] = set()
    while len(seen) < processes:
        handles = [
            start(RunSpec(principal=RunAs.trigger(), definition=flow, runtime="rq"))
            for _ in range(processes)
        ]
        for h in handles:
            row = h.result(60)
            if row.status == "succeeded" and row.worker_id:
                seen.add(str(row.worker_id))
    return time.perf_counter() - started


def _layers(items: list[dict[str, str]]) -> dict[str, Callable[[], object]]:
    from engine.marketplace.live import lookup
    from engine.sandbox import run_code_ex
    from engine.sandbox.brokered import run_brokered
    from engine.sdk.testing import NodeHarness

    found = lookup("aura.slugify", 1)
    program = found.package.code_for(found.node)
    wrapped = [{"json": i} for i in items]
    node = {"name": "Slug", "type": "aura.slugify", "version": 1}
    params = [{"field": "title", "output": "slug", "max_length": 80}]

    def answer(_call: dict[str, object]) -> dict[str, object]:
        return {"ok": False, "error": "no calls expected", "refused": True}

    builtin = NodeHarness("core.set")
    package = NodeHarness("aura.slugify")
    set_params = {"assignments": [{"name": "slug", "value": "x"}]}
    return {
        "built-in core.set (executor)": lambda: builtin.run(parameters=set_params, input=items),
        "sandbox round trip (Code node)": lambda: run_code_ex(
            "return items", {"items": wrapped}, 30.0
        ),
        "brokered, trivial program": lambda: run_brokered(
            "return items", wrapped, params=params, node=node, broker=answer
        ),
        "brokered, slugify program": lambda: run_brokered(
            program, wrapped, params=params, node=node, broker=answer
        ),
        "package aura.slugify (executor)": lambda: package.run(parameters={}, input=items),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--workers", type=int, default=0, help="worker processes (Redis)")
    args = parser.parse_args()
    workers = _start_workers(args.workers) if args.workers else None
    try:
        if workers is not None:  # warm: each worker has run a sandboxed node already
            for _ in range(3):
                code_s = _until_every_worker_ran(CODE_FLOW, args.workers)
                set_s = _until_every_worker_ran(SET_FLOW, args.workers)
        install_s = _install(Path(tempfile.mkdtemp()) / "catalogue")
        if workers is not None:
            seen_s = _until_every_worker_ran(SLUG_FLOW, args.workers)
            print(
                f"install to a successful run on each of {args.workers} workers started "
                f"before it: {seen_s * 1000:.0f} ms (for comparison, a round of runs on "
                f"every worker: Code node {code_s * 1000:.0f} ms, core.set "
                f"{set_s * 1000:.0f} ms)"
            )
    finally:
        if workers is not None:
            os.killpg(workers[0].pid, signal.SIGTERM)
            workers[0].wait(30)
            workers[1].stop()  # type: ignore[attr-defined]
    items = [{"title": f"Item number {i}"} for i in range(10)]
    layers = _layers(items)
    for fn in layers.values():  # warm the pool, the imports and the compiled program
        for _ in range(20):
            fn()
    times: dict[str, list[float]] = {name: [] for name in layers}
    for _ in range(args.runs):  # interleaved, so load changes hit every layer alike
        for name, fn in layers.items():
            t = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t)
    for name, samples in times.items():
        print(
            f"{name:34s} p50 {_pct(samples, 0.5):6.2f} ms  p99 {_pct(samples, 0.99):6.2f} ms"
            f"  mean {statistics.mean(samples) * 1000:6.2f} ms"
        )
    node = times["package aura.slugify (executor)"]
    for base in ("sandbox round trip (Code node)", "brokered, trivial program"):
        paired = [n - t for n, t in zip(node, times[base], strict=True)]
        print(
            f"package node minus {base}: p50 {_pct(paired, 0.5):.2f} ms  "
            f"p99 {_pct(paired, 0.99):.2f} ms ({args.runs} runs, 10 items per run)"
        )
    print(
        f"install aura/text-utils from a folder catalogue: {install_s * 1000:.0f} ms "
        "(checks, signature, cases in the sandbox)"
    )


if __name__ == "__main__":
    main()
