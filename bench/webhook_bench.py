"""Webhook throughput and latency of the AURA HTTP server, loaded with ``wrk``.

Starts ``python -m studio.api`` on a free loopback port with a private data directory,
creates the peers' benchmark flow (Webhook POST /webhook/bench → Set ``processed=true``
→ Respond to Webhook with the first item), activates it, and loads it with ``wrk`` at
several concurrencies using the same request as the n8n / Node-RED runs in
``/work/shared/bench`` (``common/post.lua``: a small JSON POST). Prints requests/s and
p50/p90/p99 latency per level, and the server's RSS.

    python bench/webhook_bench.py                       # c = 1, 10, 50; 5 s each
    python bench/webhook_bench.py --duration 20 --variant nosave --json out.jsonl

``--runtime rq`` starts a private Redis and ``--rq-workers`` worker processes (``aura
worker``, forking unless ``--no-fork``) and runs each execution there, like n8n's queue
mode. Variants: ``default`` (every execution and node output recorded, like n8n's default),
``nosave`` (node data of successful runs not kept), ``immediately`` (answer 202 at once,
run in the background). Needs ``wrk`` (``apt-get install -y wrk``).

Measured (2026-11-25, 2-core machine shared with other work; one sitting per table,
``--shared-loadtest``, DURATION=10, inline runtime, SQLite) — req/s (p50 / p99 ms):

Session 2 (recording batched per execution):

=================  ====================  =====================  =======================
system             c=1                   c=10                   c=50
=================  ====================  =====================  =======================
AURA default       90 (8.4 / 34)         99 (100 / 170)         90 (541 / 856)
n8n 2.41 default   23 (53 / 148)         19 (510 / 1154)        8 (3782 / 7020)
Node-RED 5         8706 (0.1 / 3.8)      8034 (0.9 / 138)       10890 (4.1 / 18)
=================  ====================  =====================  =======================

Queue mode (``--runtime rq``, one worker, short run): forking worker 12.6 req/s at c=1
(p50 58 ms: a fork per execution), non-forking 44 req/s (p50 20 ms); one worker process
serialises executions, so c=10 gives ~16-20 req/s: add workers to scale.

Session 1 (before batching):

=================  ====================  =====================  =======================
system             c=1                   c=10                   c=50
=================  ====================  =====================  =======================
AURA default       52 (13 / 252)         78 (98 / 1181)         71 (614 / 2221)
n8n 2.41 default   11 (70 / 526)         19 (490 / 965)         12 (3644 / 4712)
n8n legacy expr.   26 (33 / 250)         65 (142 / 397)         55 (798 / 1433)
Node-RED 5         5663 (0.08 / 62)      10345 (0.7 / 54)       8861 (3.9 / 94)
=================  ====================  =====================  =======================

AURA is CPU-bound in one process (the GIL) and most of that CPU is recording the
execution (about 30 SQL statements and 6 commits per call on SQLite); RSS stays ~105 MiB
(n8n 630-1100 MiB, Node-RED 300 MiB, which persists nothing).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
SHARED_LUA = Path("/work/shared/bench/common/post.lua")
LUA = """wrk.method = "POST"
wrk.body = '{"name":"bench","value":42}'
wrk.headers["Content-Type"] = "application/json"
done = function(summary, latency, requests)
  local secs = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests":%d,"seconds":%.3f,"rps":%.1f,' ..
    '"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f,"mean_ms":%.3f,' ..
    '"err_connect":%d,"err_read":%d,"err_write":%d,"err_status":%d,"err_timeout":%d}\\n',
    summary.requests, secs, summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, latency.mean / 1000,
    e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def flow(variant: str) -> dict[str, Any]:
    """Webhook → Set (processed = true) → Respond to Webhook (first item)."""
    mode = "immediately" if variant == "immediately" else "respond_node"
    settings = {"save_data_success": "none"} if variant == "nosave" else {}
    return {"name": "bench", "settings": settings, "nodes": [
        {"name": "Webhook", "type": "core.webhook_trigger", "position": [0, 0],
         "parameters": {"http_method": "POST", "path": "bench", "response_mode": mode}},
        {"name": "Set", "type": "core.set", "position": [200, 0], "parameters": {
            "assignments": [{"name": "processed", "value": True, "type": "boolean"}]}},
        {"name": "Respond", "type": "core.respond_to_webhook", "position": [400, 0],
         "parameters": {"respond_with": "first_item_json"}}],
        "connections": [{"source": "Webhook", "target": "Set"},
                        {"source": "Set", "target": "Respond"}]}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mib(pid: int) -> float:
    """Resident memory of a process in MiB (Linux)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def start_rq(data: Path, processes: int, fork: bool, log: Path
             ) -> tuple[str, Any, subprocess.Popen[bytes]]:
    """A private Redis (no persistence) and ``aura worker`` processes on it."""
    from engine.runtimes.embedded import start_embedded_redis

    url, redis_handle = start_embedded_redis(None, persist=False,
                                             password=secrets.token_hex(8))
    env = {**os.environ, "AURA_DATA_DIR": str(data), "AURA_LOG_LEVEL": "WARNING",
           "AURA_REDIS_URL": url}
    with log.open("wb") as out:
        workers = subprocess.Popen(
            [sys.executable, "-m", "engine", "worker", "--processes", str(processes),
             "--fork" if fork else "--no-fork"], cwd=ROOT, env=env, stdout=out,
            stderr=subprocess.STDOUT, start_new_session=True)
    return url, redis_handle, workers


def start_server(port: int, data: Path, runtime: str, log: Path, workers: int = 1,
                 redis_url: str | None = None) -> subprocess.Popen[bytes]:
    env = {**os.environ, "AURA_DATA_DIR": str(data), "AURA_LOG_LEVEL": "WARNING"}
    if runtime == "inline":
        env.pop("AURA_REDIS_URL", None)
    elif redis_url:
        env["AURA_REDIS_URL"] = redis_url
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "studio.api", "--host", "127.0.0.1", "--port", str(port),
             "--runtime", runtime, "--log-level", "warning", "--workers", str(workers)],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"server did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)


def prepare(base: str, variant: str) -> str:
    """Creates the owner, the flow, activates it; returns the webhook URL."""
    setup = httpx.post(f"{base}/api/v1/auth/setup", json={
        "email": "load@aura.dev", "password": secrets.token_urlsafe(18)}, timeout=30)
    headers = {}
    if setup.status_code == 201:
        headers["Authorization"] = f"Bearer {setup.json()['access_token']}"
    elif setup.status_code != 404:  # 404: an API without the auth service
        raise SystemExit(f"set-up failed: {setup.status_code} {setup.text}")
    r = httpx.post(f"{base}/api/v1/workflows", json=flow(variant), headers=headers,
                   timeout=30)
    r.raise_for_status()
    wid = r.json()["id"]
    httpx.post(f"{base}/api/v1/workflows/{wid}/activate", headers=headers,
               timeout=30).raise_for_status()
    return f"{base}/webhook/bench"


def run_wrk(url: str, lua: Path, concurrency: int, duration: int) -> dict[str, Any]:
    threads = min(concurrency, 2)
    out = subprocess.run(
        ["wrk", "-t", str(threads), "-c", str(concurrency), "-d", f"{duration}s",
         "--timeout", "10s", "-s", str(lua), url],
        capture_output=True, text=True, timeout=duration + 60, check=True).stdout
    match = re.search(r"^RESULT (.*)$", out, re.M)
    if match is None:
        raise SystemExit(f"wrk printed no RESULT line:\n{out}")
    return dict(json.loads(match.group(1)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duration", type=int, default=5, help="seconds per level")
    ap.add_argument("--warmup", type=int, default=2, help="warm-up seconds (c=10)")
    ap.add_argument("--concurrency", default="1,10,50", help="comma-separated levels")
    ap.add_argument("--variant", choices=("default", "nosave", "immediately"),
                    default="default")
    ap.add_argument("--runtime", choices=("inline", "rq"), default="inline")
    ap.add_argument("--workers", type=int, default=1, help="server processes")
    ap.add_argument("--rq-workers", type=int, default=1,
                    help="with --runtime rq: worker processes (a private Redis is started)")
    ap.add_argument("--no-fork", action="store_true",
                    help="with --runtime rq: workers run executions without forking")
    ap.add_argument("--json", type=Path, help="append one JSON line per level here")
    ap.add_argument("--shared-loadtest", type=Path, metavar="OUT_JSONL",
                    help="measure with /work/shared/bench/common/loadtest.sh instead (the "
                    "peers' harness: RSS and CPU of the process tree, quiet-machine gate; "
                    "DURATION, CONCURRENCY, REPEAT... from the environment)")
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    tmp = Path(tempfile.mkdtemp(prefix="aura-bench-"))
    lua = SHARED_LUA if SHARED_LUA.exists() else tmp / "post.lua"
    if not SHARED_LUA.exists():
        lua.write_text(LUA)
    port = free_port()
    rq: tuple[str, Any, subprocess.Popen[bytes]] | None = None
    if args.runtime == "rq" and not os.environ.get("AURA_REDIS_URL"):
        rq = start_rq(tmp / "data", args.rq_workers, not args.no_fork, tmp / "worker.log")
    proc = start_server(port, tmp / "data", args.runtime, tmp / "server.log", args.workers,
                        rq[0] if rq else None)
    try:
        url = prepare(f"http://127.0.0.1:{port}", args.variant)
        probe = httpx.post(url, json={"name": "bench", "value": 42}, timeout=30)
        print(f"probe {url} -> HTTP {probe.status_code}: {probe.text[:200]}")
        probe.raise_for_status()
        idle = rss_mib(proc.pid)
        if args.shared_loadtest:
            subprocess.run(["bash", str(SHARED_LUA.parent / "loadtest.sh"), url,
                            f"aura-{args.variant}", str(proc.pid), str(args.shared_loadtest)],
                           check=True)
            return
        if args.warmup:
            run_wrk(url, lua, 10, args.warmup)
        print(f"AURA webhook → Set → Respond ({args.variant}, runtime {args.runtime}); "
              f"RSS idle {idle:.0f} MiB, after warm-up {rss_mib(proc.pid):.0f} MiB")
        print(f"{'c':>4} {'req/s':>9} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} "
              f"{'errors':>7} {'server CPU':>10} {'RSS MiB':>8}")
        for c in (int(x) for x in args.concurrency.split(",")):
            cpu0 = cpu_seconds(proc.pid)
            res = run_wrk(url, lua, c, args.duration)
            cpu = (cpu_seconds(proc.pid) - cpu0) / max(res["seconds"], 1e-9)
            errors = sum(v for k, v in res.items() if k.startswith("err_"))
            row = {"peer": f"aura-{args.variant}", "concurrency": c, **res,
                   "server_cpu_cores": round(cpu, 2), "rss_mib": round(rss_mib(proc.pid), 1)}
            print(f"{c:>4} {res['rps']:>9.1f} {res['p50_ms']:>8.2f} {res['p90_ms']:>8.2f} "
                  f"{res['p99_ms']:>8.2f} {errors:>7} {cpu:>10.2f} {row['rss_mib']:>8.0f}")
            if args.json:
                with args.json.open("a") as f:
                    f.write(json.dumps(row) + "\n")
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
        if rq is not None:
            os.killpg(rq[2].pid, 15)
            try:
                rq[2].wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(rq[2].pid, 9)
            rq[1].stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
