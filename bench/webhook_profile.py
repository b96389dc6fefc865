"""Where a webhook's CPU goes: the benchmark flow under load, sampled with py-spy.

Starts a configuration of :mod:`webhook_sitting` (``inline`` by default: one API process
that runs the webhook itself), loads it with ``wrk`` and samples the server with
``py-spy record --gil`` (only the thread holding the GIL: CPU, not waiting), then prints
the server's CPU per answered request and how it splits between the parts of the path::

    .venv/bin/python bench/webhook_profile.py                  # inline, c=4, 20 s
    .venv/bin/python bench/webhook_profile.py --config up --concurrency 10
    .venv/bin/python bench/webhook_profile.py --raw /tmp/raw.txt  # keep the samples
    .venv/bin/python bench/webhook_profile.py --statements     # SQL per webhook, listed

CPU per request depends much less on what else runs than req/s does, so the split is
worth reading on a busy machine too. py-spy is a separate tool (``pip install py-spy``);
its samples are read, never imported.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from webhook_bench import prepare
from webhook_sitting import CONFIGS, start

POST_LUA = """wrk.method = "POST"
wrk.body = '{"name":"bench","value":42}'
wrk.headers["Content-Type"] = "application/json"
"""

# parts of the path: a sample inside the store's row writes or its change-stamp read belongs
# to those wherever they are called from; any other sample to the innermost part it is in
STORE_PARTS: list[tuple[str, tuple[str, ...]]] = [
    (
        "store: execution and node rows",
        (
            "ExecutionRepository",
            "NodeRunRepository",
            "store/node_runs.py",
            "store/executions.py",
            "Database.write",
        ),
    ),
    ("store: change-stamp read", ("store/stamps.py",)),
]
PARTS: list[tuple[str, tuple[str, ...]]] = [
    (
        "load and validate the definition",
        (
            "graph/loader.py",
            "graph/io.py",
            "graph/validate.py",
            "graph/choices.py",
            "stored_version",
        ),
    ),
    ("events", ("engine/events/",)),
    ("metrics", ("prometheus_client", "observability/metrics.py", "routes_metrics.py")),
    ("logging", ("structlog", "logging/__init__.py", "observability/logging.py")),
    ("run the nodes", ("nodes/core/",)),
    ("executor", ("engine/executor/",)),
    ("webhook checks (triggers)", ("engine/triggers/",)),
    ("services: start, record, run", ("engine/services/",)),
    ("thread hand-off", ("anyio/", "concurrent/futures", "queue.py", "threading.py")),
    ("ASGI app and AURA middleware", ("starlette/", "studio/api/")),
    ("uvicorn, h11, asyncio", ("uvicorn/", "h11/", "asyncio/", "selectors.py")),
]


def part_of(stack: str) -> str:
    """The part a sample's stack (frames outermost first) is in: the store's parts
    wherever they appear, else the innermost part. Frames of a worker thread that the
    route hands the run to count as what they do, not as HTTP."""
    for name, marks in STORE_PARTS:
        if any(m in stack for m in marks):
            return name
    for frame in reversed(stack.split(";")):
        for name, marks in PARTS:
            if any(m in frame for m in marks):
                return name
    return "other"


def cpu_ticks(pid: int) -> int:
    """utime + stime of a process, in clock ticks."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def server_pid(root: int) -> int:
    """The process serving HTTP: for ``up`` the API child of the supervisor, else root."""
    children = Path(f"/proc/{root}/task/{root}/children")
    kids = [int(p) for p in children.read_text().split()] if children.exists() else []
    for kid in kids:
        cmd = Path(f"/proc/{kid}/cmdline").read_bytes().replace(b"\0", b" ")
        if b"api" in cmd or b"uvicorn" in cmd:
            return kid
    return root


def count_statements(requests: int = 20, db_url: str | None = None, timed: int = 300) -> None:
    """The SQL statements one webhook costs, in this process (the inline app on a fresh
    SQLite data directory, or ``db_url``), after a warm-up: their number per request and
    the statements of the last request, in order."""
    from sqlalchemy import event
    from starlette.testclient import TestClient
    from webhook_bench import flow

    tmp = Path(tempfile.mkdtemp(prefix="aura-statements-"))
    os.environ.update(AURA_DATA_DIR=str(tmp / "data"), AURA_LOG_LEVEL="WARNING")
    for key in ("AURA_REDIS_URL", "AURA_RUNTIME", *(() if db_url else ("AURA_DB_URL",))):
        os.environ.pop(key, None)
    if db_url:
        os.environ["AURA_DB_URL"] = db_url
    from engine.services.store import get_store
    from studio.api import create_app

    seen: list[str] = []
    with TestClient(create_app(runtime="inline")) as c:
        token = c.post(
            "/api/v1/auth/setup", json={"email": "load@aura.dev", "password": "statements-" * 2}
        ).json()
        c.headers["Authorization"] = f"Bearer {token['access_token']}"
        wid = c.post("/api/v1/workflows", json=flow("default")).json()["id"]
        c.post(f"/api/v1/workflows/{wid}/activate").raise_for_status()
        del c.headers["Authorization"]
        for _ in range(3):  # warm-up: caches, first connections
            c.post("/webhook/bench", json={"name": "bench", "value": 42}).raise_for_status()
        engine = get_store().db.engine
        listen = lambda *a: seen.append(a[2].split("\n")[0][:110])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listen)
        for _ in range(requests):
            mark = len(seen)
            c.post("/webhook/bench", json={"name": "bench", "value": 42}).raise_for_status()
        event.remove(engine, "before_cursor_execute", listen)
        cpu = time.process_time()
        for _ in range(timed):  # without the listener: CPU of this process per request
            c.post("/webhook/bench", json={"name": "bench", "value": 42}).raise_for_status()
        cpu = (time.process_time() - cpu) * 1000 / max(timed, 1)
    print(f"in-process, sequential: {cpu:.2f} ms CPU per webhook (test client included)")
    print(f"{len(seen) / requests:.1f} SQL statements per webhook; the last request's:")
    for line in seen[mark:]:
        print("  " + line)
    shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", choices=CONFIGS, default="inline")
    ap.add_argument("--concurrency", type=int, default=4)
    ap.add_argument("--duration", type=int, default=20, help="seconds sampled")
    ap.add_argument("--rate", type=int, default=200, help="py-spy samples per second")
    ap.add_argument("--raw", type=Path, help="also keep py-spy's raw samples here")
    ap.add_argument(
        "--statements",
        action="store_true",
        help="count the SQL statements of a webhook in-process instead",
    )
    ap.add_argument("--db-url", help="with --statements: a PostgreSQL URL instead of SQLite")
    args = ap.parse_args()
    if args.statements:
        count_statements(db_url=args.db_url)
        return
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(spy).exists():
        raise SystemExit("py-spy is needed: .venv/bin/pip install py-spy")
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed (apt-get install wrk)")
    tmp = Path(tempfile.mkdtemp(prefix="aura-profile-"))
    lua = tmp / "post.lua"
    lua.write_text(POST_LUA)
    raw = args.raw or tmp / "raw.txt"
    with start(args.config, tmp) as (proc, base):
        url = prepare(base, "nosave" if args.config == "nosave" else "default")
        wrk = ["wrk", "-t1", f"-c{args.concurrency}", "-s", str(lua), url]
        subprocess.run([*wrk[:3], "-d3s", *wrk[3:]], capture_output=True, check=True)
        pid = server_pid(proc.pid)
        sampler = subprocess.Popen(
            [
                spy,
                "record",
                "-p",
                str(pid),
                "-d",
                str(args.duration),
                "-r",
                str(args.rate),
                "--gil",
                "--nonblocking",
                "-f",
                "raw",
                "-o",
                str(raw),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        t0, c0 = time.monotonic(), cpu_ticks(pid)
        out = subprocess.run(
            [*wrk[:3], f"-d{args.duration}s", *wrk[3:]], capture_output=True, text=True, check=True
        ).stdout
        c1, secs = cpu_ticks(pid), time.monotonic() - t0
        sampler.wait()
    requests = int(next(line.split()[0] for line in out.splitlines() if "requests in" in line))
    hz = os.sysconf("SC_CLK_TCK")
    cpu_ms = (c1 - c0) / hz * 1000 / max(requests, 1)
    parts: Counter[str] = Counter()
    for line in raw.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        if stack:
            parts[part_of(stack)] += int(n)
    total = sum(parts.values()) or 1
    print(
        f"{args.config}, c={args.concurrency}: {requests} requests in {secs:.1f} s "
        f"({requests / secs:.1f} req/s); server CPU {cpu_ms:.2f} ms per request"
    )
    print(f"{'part of the path':45s} {'share':>6s} {'ms/req':>7s}")
    for name, n in parts.most_common():
        print(f"{name:45s} {n / total:6.1%} {cpu_ms * n / total:7.2f}")
    if args.raw is None:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
