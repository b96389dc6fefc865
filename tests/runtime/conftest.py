"""Fixtures of the queue runtime tests: a real Redis, a real SQLite file shared with
real worker processes (``python -m engine worker``), and short heartbeat timings."""

from __future__ import annotations

import contextlib
import itertools
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.fixtures import (  # noqa: F401 (fixtures)
    redis_for_tests,
    redis_url,
)
from tests.support.fixtures import (
    reset_process_state as _reset,
)

QUEUE_ENV = {
    "AURA_QUEUE_HEARTBEAT_INTERVAL_S": "0.5",
    "AURA_QUEUE_HEARTBEAT_TIMEOUT_S": "3",
    "AURA_QUEUE_REAP_INTERVAL_S": "1",
    "AURA_QUEUE_ORPHAN_GRACE_S": "1",
    "AURA_QUEUE_CANCEL_POLL_S": "0.1",
}


class Env:
    """One data directory + Redis URL, set in this process and given to workers."""

    def __init__(self, data_dir: Path, url: str) -> None:
        self.data_dir = data_dir
        self.redis_url = url
        self.vars = {"AURA_DATA_DIR": str(data_dir), "AURA_REDIS_URL": url, **QUEUE_ENV}
        self.workers: list[subprocess.Popen[bytes]] = []  # stopped after each test
        self.shared: list[subprocess.Popen[bytes]] = []  # stopped with the module

    def apply(self, mp: pytest.MonkeyPatch) -> None:
        mp.delenv("AURA_DB_URL", raising=False)
        for k, v in self.vars.items():
            mp.setenv(k, v)
        _reset()

    def use_redis(self, url: str, mp: pytest.MonkeyPatch) -> None:
        self.redis_url = self.vars["AURA_REDIS_URL"] = url
        mp.setenv("AURA_REDIS_URL", url)
        _reset()

    def worker(self, *args: str, shared: bool = False, **extra_env: str
               ) -> subprocess.Popen[bytes]:
        """Starts ``aura worker ARGS`` in its own process group; it is killed after the
        test (or with the module when ``shared``)."""
        env = {**os.environ, **self.vars, **extra_env}
        n = len(list(self.data_dir.glob("worker-*.log")))
        out = open(self.data_dir / f"worker-{n}.log", "ab")  # noqa: SIM115
        proc = subprocess.Popen([sys.executable, "-m", "engine", "worker", *args], env=env,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        out.close()
        (self.shared if shared else self.workers).append(proc)
        return proc

    def stop_workers(self, *, shared: bool = False) -> None:
        for p in self.workers + (self.shared if shared else []):
            if p.poll() is None:
                for pid in [p.pid, *descendants(p.pid)]:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                p.wait(timeout=10)
        self.workers.clear()
        if shared:
            self.shared.clear()

    def logs(self) -> str:
        return "\n".join(f.read_text(errors="replace")[-3000:]
                         for f in sorted(self.data_dir.glob("worker-*.log")))


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory, redis_url: str  # noqa: F811
        ) -> Iterator[Env]:
    """A module-wide queue environment (no worker started)."""
    e = Env(tmp_path_factory.mktemp("queue") / "data", redis_url)
    e.data_dir.mkdir(parents=True)
    with pytest.MonkeyPatch.context() as mp:
        e.apply(mp)
        import redis

        redis.Redis.from_url(redis_url).flushdb()
        from engine.services.store import get_store

        get_store()  # migrate once, before workers open it
        try:
            yield e
        finally:
            e.stop_workers(shared=True)
            _reset()
    _reset()


@pytest.fixture(autouse=True)
def _stop_test_workers(request: pytest.FixtureRequest) -> Iterator[None]:
    """Workers a test started die with the test, even when it fails."""
    yield
    if "env" in request.fixturenames:
        request.getfixturevalue("env").stop_workers()


def wait_until(check: Callable[[], Any], timeout: float = 20.0, what: str = "condition",
               env: Env | None = None) -> Any:
    """Polls ``check`` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}" + (f"\n{env.logs()}" if env else ""))


def workflow(*nodes: dict[str, Any], **settings: Any) -> dict[str, Any]:
    """A linear workflow: a Manual Trigger followed by ``nodes``."""
    all_nodes = [{"name": "Start", "type": "core.manual_trigger"}, *nodes]
    conns = [{"source": a["name"], "target": b["name"]}
             for a, b in itertools.pairwise(all_nodes)]
    return {"name": "queue test", "nodes": all_nodes, "connections": conns,
            "settings": settings}


def set_node(name: str = "Set") -> dict[str, Any]:
    return {"name": name, "type": "core.set", "parameters": {}}


def wait_node(seconds: float, name: str = "Wait") -> dict[str, Any]:
    return {"name": name, "type": "core.wait",
            "parameters": {"amount": seconds, "unit": "seconds"}}


def store_workflow(definition: dict[str, Any]) -> str:
    from engine.services.store import get_store

    return str(get_store().workflows.create(definition).id)


def status_of(execution_id: str) -> str:
    from engine.services.store import get_store

    return str(get_store().executions.get(execution_id).status)


def descendants(pid: int) -> list[int]:
    """Pids of every process below ``pid`` (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for p in Path("/proc").iterdir():
        if not p.name.isdigit():
            continue
        try:
            ppid = int((p / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(p.name))
    out, todo = [], [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out
