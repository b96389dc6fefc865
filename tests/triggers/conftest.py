"""Fixtures of the schedule and durable-wait tests: a real Redis, a real SQLite file
shared with real ``aura scheduler`` and ``aura worker`` processes, short timings."""

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
    reset_process_state,
)

FAST_ENV = {
    "AURA_QUEUE_HEARTBEAT_INTERVAL_S": "0.5",
    "AURA_QUEUE_HEARTBEAT_TIMEOUT_S": "5",
    "AURA_QUEUE_REAP_INTERVAL_S": "1",
    "AURA_QUEUE_ORPHAN_GRACE_S": "1",
    "AURA_QUEUE_CANCEL_POLL_S": "0.1",
    "AURA_SCHEDULER_TICK_S": "0.1",
    "AURA_SCHEDULER_LOCK_TTL_S": "1.5",
    "AURA_SCHEDULER_REFRESH_S": "0.2",
    "AURA_PUBLIC_URL": "http://aura.test",
}


class Env:
    """One data directory + Redis URL, set in this process and given to subprocesses."""

    def __init__(self, data_dir: Path, url: str) -> None:
        self.data_dir = data_dir
        self.redis_url = url
        self.vars = {"AURA_DATA_DIR": str(data_dir), "AURA_REDIS_URL": url, **FAST_ENV}
        self.procs: list[subprocess.Popen[bytes]] = []

    def spawn(self, command: str, *args: str) -> subprocess.Popen[bytes]:
        """Starts ``aura COMMAND ARGS`` in its own process group, logging to a file."""
        env = {**os.environ, **self.vars}
        log = self.data_dir / f"{command}-{len(self.procs)}.log"
        with open(log, "ab") as out:
            proc = subprocess.Popen([sys.executable, "-m", "engine", command, *args],
                                    env=env, stdout=out, stderr=subprocess.STDOUT,
                                    start_new_session=True)
        self.procs.append(proc)
        return proc

    def kill(self, proc: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, sig)
        proc.wait(timeout=15)

    def stop_all(self) -> None:
        for p in self.procs:
            self.kill(p)
        self.procs.clear()

    def logs(self) -> str:
        return "\n".join(f"--- {f.name}\n" + f.read_text(errors="replace")[-3000:]
                         for f in sorted(self.data_dir.glob("*.log")))


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory, redis_url: str  # noqa: F811
        ) -> Iterator[Env]:
    """A module-wide environment (no process started)."""
    e = Env(tmp_path_factory.mktemp("triggers") / "data", redis_url)
    e.data_dir.mkdir(parents=True)
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("AURA_DB_URL", raising=False)
        for k, v in e.vars.items():
            mp.setenv(k, v)
        reset_process_state()
        import redis

        redis.Redis.from_url(redis_url).flushdb()
        from engine.services.store import get_store

        get_store()  # migrate once, before subprocesses open it
        try:
            yield e
        finally:
            e.stop_all()
            reset_process_state()
    reset_process_state()


@pytest.fixture
def clean(env: Env) -> Iterator[Env]:
    """The environment, with every process this test started killed afterwards, every
    workflow deactivated and the Redis keys of the scheduler gone."""
    yield env
    env.stop_all()
    from engine.services.store import get_store

    store = get_store()
    for rec in store.workflows.list(active=True, limit=500)[0]:
        store.workflows.set_active(rec.id, False)
    import redis

    r = redis.Redis.from_url(env.redis_url)
    for key in r.scan_iter("aura:scheduler:*"):
        r.delete(key)


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


def schedule_workflow(name: str, *, every_s: int = 1, cron: str | None = None,
                      timezone: str = "", nodes: list[dict[str, Any]] | None = None
                      ) -> dict[str, Any]:
    """A Schedule Trigger (every N seconds, or a cron rule) followed by ``nodes``."""
    rule: dict[str, Any] = ({"interval": "cron", "cron_expression": cron} if cron
                            else {"interval": "seconds", "every": every_s})
    all_nodes = [{"name": "Every", "type": "core.schedule_trigger",
                  "parameters": {"rules": [rule], "timezone": timezone}}, *(nodes or [])]
    conns = [{"source": a["name"], "target": b["name"]}
             for a, b in itertools.pairwise(all_nodes)]
    return {"name": name, "nodes": all_nodes, "connections": conns}


def create_active(definition: dict[str, Any]) -> str:
    """Stores and activates a workflow (publishing its draft)."""
    from engine.services.store import get_store
    from engine.triggers import webhooks

    wid = str(get_store().workflows.create(definition).id)
    webhooks.activate(wid)
    return wid


def schedule_slots(workflow_id: str) -> list[str]:
    """The slot timestamps of the workflow's schedule executions (one per execution)."""
    from engine.services.store import get_store

    rows, _ = get_store().executions.list(workflow_id=workflow_id, mode="schedule",
                                          limit=500)
    return sorted(str((r.trigger or {}).get("slot")) for r in rows)
