"""Editor benchmark: how fast big workflows open and how a drag feels, in headless Chromium.

For workflows of 50, 200 and 500 nodes (a trigger, then rows of Set/NoOp/If nodes wired
left to right) it prints:

* ``first canvas``: navigation start to the first node drawn on the canvas;
* ``all nodes``: to every node being in React Flow's store (commands applied);
* ``drag``: pressing a node, moving it 200 px in 20 steps, until it is drawn at the new
  place (and ``per move``: that time divided by the steps);
* ``commit``: releasing it until the editor (Python) has the new position.

Usage (from the repository root, Chromium from apt at /usr/bin/chromium)::

    python bench/editor_bench.py                # builds and serves the studio itself
    python bench/editor_bench.py --sizes 50 200 --runs 3

It builds the production frontend with Reflex's AppHarnessProd into ``.web`` and uses a
fresh temporary AURA_DATA_DIR. Figures depend on the machine; nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _owner() -> Any:
    from engine.auth.types import Principal

    return Principal(user_id=None, email=None, role="owner")  # the operator, no account
sys.path.insert(0, str(ROOT))
os.environ.setdefault("REFLEX_USE_NPM", "1")
os.environ.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
os.environ.setdefault("AURA_DATA_DIR", tempfile.mkdtemp(prefix="aura-editor-bench-"))
os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
KINDS = ["core.set", "core.noop", "core.if", "core.noop"]


def generated(n: int) -> dict[str, Any]:
    """A workflow of ``n`` nodes: a trigger, then columns of 8, each fed by the previous."""
    nodes = [{"name": "Start", "type": "core.manual_trigger", "position": [0, 0]}]
    conns = []
    rows = 8
    for i in range(1, n):
        col, row = divmod(i - 1, rows)
        kind = KINDS[i % len(KINDS)]
        nodes.append({"name": f"Step {i}", "type": kind,
                      "position": [320 * (col + 1), 120 * row - 420]})
        src = "Start" if col == 0 else f"Step {i - rows}"
        out = "true" if src != "Start" and KINDS[(i - rows) % len(KINDS)] == "core.if" \
            else "main"
        conns.append({"source": src, "output": out, "target": f"Step {i}"})
    return {"name": f"Bench {n} nodes", "nodes": nodes, "connections": conns}


def measure(page: Any, url: str, n: int) -> dict[str, float]:
    t0 = time.perf_counter()
    page.goto(url)
    page.wait_for_selector(".react-flow__node", timeout=120_000)
    first = time.perf_counter() - t0
    page.wait_for_function(f"window.__auraFlow && window.__auraFlow.getNodes().length === {n}",
                           timeout=120_000, polling="raf")
    loaded = time.perf_counter() - t0
    page.wait_for_timeout(300)
    node, box = _visible_node(page)
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    node_id = node.evaluate("e => e.closest('.react-flow__node').dataset.id")
    before = page.evaluate(f"window.__auraFlow.getNode('{node_id}').position.x")
    steps = 20
    t1 = time.perf_counter()
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 200, y + 40, steps=steps)
    page.wait_for_function(
        f"window.__auraFlow.getNode('{node_id}').position.x > {before} + 150", polling="raf")
    page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    drag = time.perf_counter() - t1
    seq = page.evaluate("window.__auraSeq || 0")
    t2 = time.perf_counter()
    page.mouse.up()
    commit = _wait_commit(page, node_id, seq)
    commit = time.perf_counter() - t2 if commit else float("nan")
    return {"first": first, "loaded": loaded, "drag": drag, "per_move": drag / steps,
            "commit": commit}


def _visible_node(page: Any) -> tuple[Any, dict[str, float]]:
    """A node fully inside the viewport (away from the minimap and controls)."""
    nodes = page.locator('[data-testid="aura-node"]')
    for i in range(min(nodes.count(), 60)):
        box = nodes.nth(i).bounding_box()
        if box and 120 < box["x"] < 900 and 80 < box["y"] < 600:
            return nodes.nth(i), box
    raise RuntimeError("no node is visible to drag")


def _wait_commit(page: Any, node_id: str, seq: int) -> bool:
    """Undo becomes possible once Python has applied the move."""
    try:
        page.wait_for_selector("#undo:not([disabled])", timeout=10_000)
        return True
    except Exception:
        return False


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[50, 200, 500])
    ap.add_argument("--runs", type=int, default=2, help="page loads per size (median shown)")
    args = ap.parse_args()

    from playwright.sync_api import sync_playwright
    from reflex.testing import AppHarnessProd  # noqa: TID251 (the bench serves the studio)

    from studio.logic import backend

    print(f"building the studio (AppHarnessProd), data in {os.environ['AURA_DATA_DIR']} ...")
    t = time.perf_counter()
    harness = AppHarnessProd.create(root=ROOT, app_name="studio")
    harness.start()
    print(f"studio up in {time.perf_counter() - t:.0f} s at {harness.frontend_url}\n")
    try:
        base = str(harness.frontend_url).rstrip("/")
        ids = {n: backend.create_workflow(_owner(), definition=generated(n)) for n in args.sizes}
        from reflex_base.config import get_config

        from engine.services import auth

        if not auth.has_owner():
            auth.create_owner("bench@example.com", "Bench-Password-42", "Bench")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                        args=CHROMIUM_ARGS)
            signed_in = browser.new_context(viewport={"width": 1440, "height": 900})
            r = signed_in.request.post(f"{get_config().api_url}/api/v1/auth/login", data={
                "email": "bench@example.com", "password": "Bench-Password-42"})
            assert r.ok, r.text()  # the studio requires sign-in
            print(f"{'nodes':>6} {'first canvas':>13} {'all nodes':>10} {'drag':>8} "
                  f"{'per move':>9} {'commit':>8}")
            for n in args.sizes:
                results = []
                for _ in range(args.runs):
                    page = signed_in.new_page()
                    results.append(measure(page, f"{base}/workflows/{ids[n]}", n))
                    page.close()
                med = {k: statistics.median(r[k] for r in results) for k in results[0]}
                print(f"{n:>6} {med['first'] * 1000:>10.0f} ms {med['loaded'] * 1000:>7.0f} ms "
                      f"{med['drag'] * 1000:>5.0f} ms {med['per_move'] * 1000:>6.1f} ms "
                      f"{med['commit'] * 1000:>5.0f} ms")
            browser.close()
    finally:
        harness.stop()


if __name__ == "__main__":
    main()
