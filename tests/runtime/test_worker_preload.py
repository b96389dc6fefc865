"""A warmed-up worker's work horses start warm: running an execution imports nothing.

A forking worker runs each execution in a fresh horse; whatever the horse imports it
pays for again on every execution (importing prometheus-client for the first metric
cost each horse 0.1-0.4 s on a loaded machine and cut the queue's throughput by two
thirds, so a backlog re-enqueued after a Redis restart no longer drained in time).
:func:`engine.runtimes.rq.worker.preload` must import it all in the worker first."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.support.env import Env

HORSE = """
import json, os, sys
from tests.support.runs import submit
import engine.services.worker_process  # a worker process's entry: the services loaded
from engine.runtimes.rq.jobs import mark_worker_process, run_execution
from engine.runtimes.rq.worker import preload

WF = {"name": "horse", "nodes": [{"name": "Start", "type": "core.manual_trigger"},
      {"name": "Set", "type": "core.set", "parameters": {}}],
      "connections": [{"source": "Start", "target": "Set"}]}
preload()
mark_worker_process()
eid = submit(definition=WF, mode="trigger", runtime="rq", queue="preload-test-nobody")
r, w = os.pipe()
pid = os.fork()
if pid == 0:  # the work horse: the job's function, as RQ calls it there
    before = set(sys.modules)
    status = run_execution(eid)
    os.write(w, json.dumps({"status": status,
                            "imported": sorted(set(sys.modules) - before)}).encode())
    os._exit(0)
os.close(w)
os.waitpid(pid, 0)
print(os.read(r, 1 << 20).decode())
"""


def test_a_work_horse_imports_nothing_to_run_an_execution(env: Env) -> None:
    out = subprocess.run(
        [sys.executable, "-c", HORSE],
        env={**os.environ, **env.vars},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    horse = json.loads(out.stdout.strip().splitlines()[-1])
    assert horse["status"] == "succeeded", (horse, out.stderr[-3000:])
    assert horse["imported"] == [], (
        "a work horse imported these to run an execution (preload them in "
        f"engine.runtimes.rq.worker.preload): {horse['imported']}"
    )
