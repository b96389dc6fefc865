"""Cost of one scheduler tick over many active workflows (not a test; prints figures).

Everything real but the submit: a private Redis, a SQLite store in a temporary data
directory, N active workflows each with a Schedule Trigger (every hour, so nothing
fires while measuring: the figures are the cost of *checking*), and a few parked
executions that are not due. Measured:

- the first refresh (loads and parses every published definition once);
- a steady tick: re-read active workflows (one query), plan due slots, look for due
  waits (one indexed query);
- a tick after one workflow got a new published version (only that one is re-loaded);
- a tick that fires one slot per workflow (N fenced Lua claims; submit stubbed).

Run: .venv/bin/python -m bench.scheduler_bench [--workflows N] [--ticks N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from datetime import timedelta
from typing import Any


def _definition(i: int) -> dict[str, Any]:
    return {"name": f"bench {i}", "nodes": [
        {"name": "Every", "type": "core.schedule_trigger",
         "parameters": {"rules": [{"interval": "hours", "every": 1, "at_minute": i % 60}]}},
        {"name": "Set", "type": "core.set", "parameters": {}}],
        "connections": [{"source": "Every", "target": "Set"}]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workflows", type=int, default=500)
    parser.add_argument("--ticks", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="aura-sched-bench-") as tmp:
        from engine.runtimes.embedded import start_embedded_redis

        url, handle = start_embedded_redis(None, persist=False)
        os.environ.update({"AURA_DATA_DIR": tmp, "AURA_REDIS_URL": url})
        os.environ.pop("AURA_DB_URL", None)
        try:
            _run(args.workflows, args.ticks)
        finally:
            handle.stop(timeout_s=5)


def _run(n: int, ticks: int) -> None:
    from engine.services.store import get_store
    from engine.store.types import utcnow
    from engine.triggers.schedules import Scheduler, SchedulerSettings

    store = get_store()
    t0 = time.perf_counter()
    ids = []
    for i in range(n):
        rec = store.workflows.create(_definition(i), active=True)
        store.workflows.publish(rec.id)
        ids.append(rec.id)
    for _ in range(20):  # parked executions, not due yet
        ex = store.executions.create(status="running")
        store.executions.set_status(ex.id, "waiting", wait_until=utcnow() + timedelta(hours=1))
    print(f"setup: {n} active workflows in {time.perf_counter() - t0:.1f} s")

    submitted: list[str] = []
    sched = Scheduler(config=SchedulerSettings(refresh_s=1e-6),
                      submit=lambda **kw: submitted.append(kw["workflow_id"]) or "x")
    t = time.perf_counter()
    sched.tick()
    print(f"first tick (loads {len(sched.schedules)} schedules): "
          f"{(time.perf_counter() - t) * 1000:.1f} ms")

    samples = []
    for _ in range(ticks):
        t = time.perf_counter()
        sched.tick()
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    print(f"steady tick over {n} workflows: median {statistics.median(samples):.2f} ms, "
          f"p95 {samples[int(len(samples) * 0.95) - 1]:.2f} ms "
          f"({ticks} ticks; a tick runs at most once a second)")

    store.workflows.save(ids[0], {**_definition(0), "name": "changed"})
    store.workflows.publish(ids[0])
    t = time.perf_counter()
    sched.tick()
    print(f"tick after one new published version: {(time.perf_counter() - t) * 1000:.2f} ms")

    for s in sched.schedules:  # make every schedule due now
        s.cursor = utcnow() - timedelta(hours=1, seconds=1)
        s.next_slot = utcnow() - timedelta(seconds=1)
    sched.config.grace_s = 7200
    t = time.perf_counter()
    report = sched.tick()
    dt = time.perf_counter() - t
    print(f"tick firing {len(report.fired)} slots (submit stubbed): {dt * 1000:.1f} ms "
          f"= {dt * 1e6 / max(1, len(report.fired)):.0f} µs per slot")
    sched.lock.release()


if __name__ == "__main__":
    main()
