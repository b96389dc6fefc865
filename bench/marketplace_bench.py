"""Sandboxed package node overhead and install time (figures for docs/marketplace.md).

Runs the same node two ways through the real executor path (NodeHarness): the built-in
``core.set`` and the first-party ``aura.slugify`` installed from a directory catalogue
(one sandbox call for all the node's items, warm pool). Prints p50/p99 per node run, and
the time to install a package from a folder catalogue.

    AURA_DATA_DIR=$(mktemp -d) .venv/bin/python bench/marketplace_bench.py
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _pct(samples: list[float], q: float) -> float:
    return sorted(samples)[min(len(samples) - 1, int(q * len(samples)))] * 1000


def main(runs: int = 300) -> None:
    from engine.marketplace.build import build_package, sign_package
    from engine.marketplace.sources import publish, sign_index
    from engine.sdk.testing import NodeHarness
    from engine.services import packages
    from engine.vault.signing import generate_keypair

    private, public = generate_keypair("ed25519")
    folder = Path(tempfile.mkdtemp()) / "catalogue"
    for src in sorted((ROOT / "nodes" / "catalogue").glob("aura-*")):
        data, _ = build_package(src)
        publish(folder, data, sign_package(data, private))
    sign_index(folder, private, "aura")
    packages.trust_publisher(None, "aura", public.decode())
    started = time.perf_counter()
    packages.install_from_catalogue(None, "aura/text-utils", source=str(folder))
    install_s = time.perf_counter() - started
    items = [{"title": f"Item number {i}"} for i in range(10)]
    builtin = NodeHarness("core.set")
    package = NodeHarness("aura.slugify")
    params = {"assignments": [{"name": "slug", "value": "x"}]}
    for _ in range(20):  # warm the pool and the imports
        builtin.run(parameters=params, input=items)
        package.run(parameters={}, input=items)
    times: dict[str, list[float]] = {"built-in core.set": [], "package aura.slugify": []}
    for _ in range(runs):
        t = time.perf_counter()
        builtin.run(parameters=params, input=items)
        times["built-in core.set"].append(time.perf_counter() - t)
        t = time.perf_counter()
        package.run(parameters={}, input=items)
        times["package aura.slugify"].append(time.perf_counter() - t)
    for name, samples in times.items():
        print(f"{name:24s} p50 {_pct(samples, 0.5):6.2f} ms  p99 {_pct(samples, 0.99):6.2f} ms"
              f"  mean {statistics.mean(samples) * 1000:6.2f} ms  ({runs} runs, 10 items)")
    print(f"install aura/text-utils from a folder catalogue: {install_s * 1000:.0f} ms "
          "(checks, signature, cases in the sandbox)")


if __name__ == "__main__":
    main()
