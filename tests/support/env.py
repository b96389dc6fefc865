"""A queue environment for tests that run real AURA processes: one data directory, one
Redis URL and one database (``db``: ``"sqlite"`` — a file in the data directory — or
``"postgres"`` — a fresh database on the session's embedded PostgreSQL, see
:mod:`tests.support.postgres`, whose sessions use the time zone :data:`PG_TIMEZONE`),
set in this process and handed to the ``aura worker``, ``aura scheduler`` and
``python -m studio.api`` processes a test starts::

    with queue_env("postgres", tmp_path / "data", redis_url) as env:
        env.worker("--burst")                 # a real process, its output in a log file
        eid = submit(definition=...)          # tests.support.runs: this process shares them
        wait_until(lambda: ..., what="...", env=env)   # failures print the process logs

The schema comes from the product's Alembic migrations (``get_store()`` migrates the new
database before any process opens it).

Test modules choose the databases with :data:`both_databases` (ids ``sqlite`` and
``postgres``) on a test that takes the ``db`` fixture; a conftest that defines ``db``
imports :func:`pytest_generate_tests` so every other test gets ``db="sqlite"`` (one
module-wide environment per database instead of one per parametrization).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.fixtures import reset_process_state

__all__ = [
    "DATABASES",
    "DEFAULT_ENV",
    "FAILING_WORKFLOW",
    "FAST_ENV",
    "LONG_WAIT_WORKFLOW",
    "PG_TIMEZONE",
    "Env",
    "both_databases",
    "database_url",
    "default_db",
    "descendants",
    "pytest_generate_tests",
    "queue_env",
    "wait_until",
    "worker_env",
]

DATABASES = ("sqlite", "postgres")
PG_TIMEZONE = "Asia/Kathmandu"
"""Session time zone of the test PostgreSQL databases: not UTC (the server's default),
with an odd offset (+05:45), so code that mixes up local and UTC times shows."""
DEFAULT_ENV = "AURA_TEST_DB"

FAST_ENV = {
    "AURA_QUEUE_HEARTBEAT_INTERVAL_S": "0.5",
    "AURA_QUEUE_HEARTBEAT_TIMEOUT_S": "3",
    "AURA_QUEUE_REAP_INTERVAL_S": "1",
    "AURA_QUEUE_ORPHAN_GRACE_S": "1",
    "AURA_QUEUE_CANCEL_POLL_S": "0.1",
    "AURA_SCHEDULER_TICK_S": "0.1",
    "AURA_SCHEDULER_LOCK_TTL_S": "1.5",
    "AURA_SCHEDULER_REFRESH_S": "0.2",
    "AURA_PUBLIC_URL": "http://aura.test",
    "AURA_PASSWORD_HASH_TIME_COST": "1",
    "AURA_PASSWORD_HASH_MEMORY_KIB": "1024",
    "AURA_PASSWORD_HASH_PARALLELISM": "1",
}
"""Short heartbeat, reaping, scheduler and password-hashing timings for tests."""

both_databases = pytest.mark.parametrize(
    "db",
    [
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ],
    indirect=True,
)
"""Runs a test (that takes the ``db`` fixture) on SQLite and on PostgreSQL."""


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Gives ``db="sqlite"`` (or ``AURA_TEST_DB``, e.g. ``postgres`` to run a whole
    directory on PostgreSQL) to every test that takes ``db`` without choosing databases
    (import this into a conftest that defines a ``db`` fixture)."""
    if "db" not in metafunc.fixturenames:
        return
    for mark in metafunc.definition.iter_markers("parametrize"):
        names = mark.args[0] if mark.args else mark.kwargs.get("argnames", "")
        if "db" in (
            [n.strip() for n in names.split(",")] if isinstance(names, str) else list(names)
        ):
            return
    default = default_db()
    marks = [pytest.mark.postgres] if default == "postgres" else []
    metafunc.parametrize("db", [pytest.param(default, id=default, marks=marks)], indirect=True)


def default_db() -> str:
    """The database of tests that do not choose: ``AURA_TEST_DB``, else ``sqlite``."""
    return os.environ.get(DEFAULT_ENV, "sqlite")


@contextlib.contextmanager
def database_url(db: str) -> Iterator[str | None]:
    """``None`` for ``"sqlite"`` (the data directory's file), else the URL of a fresh
    PostgreSQL database, dropped afterwards."""
    if db == "sqlite":
        yield None
    elif db == "postgres":
        from tests.support.postgres import postgres_database

        with postgres_database() as url:
            _set_timezone(url, PG_TIMEZONE)
            yield url
    else:
        raise ValueError(f"unknown test database {db!r}; use one of {DATABASES}")


def _set_timezone(url: str, zone: str) -> None:
    import psycopg
    from psycopg import sql
    from sqlalchemy.engine import make_url

    u = make_url(url)
    with psycopg.connect(
        u.set(drivername="postgresql").render_as_string(hide_password=False), autocommit=True
    ) as conn:
        conn.execute(
            sql.SQL("ALTER DATABASE {} SET timezone TO {}").format(
                sql.Identifier(u.database or ""), sql.Literal(zone)
            )
        )


class Env:
    """One data directory + Redis URL + database, set in this process and given to the
    processes it starts. ``procs`` die after each test (:meth:`stop_all`), ``shared``
    ones with the environment (``stop_all(shared=True)``)."""

    def __init__(
        self,
        data_dir: Path,
        redis_url: str,
        db: str = "sqlite",
        db_url: str | None = None,
        **overrides: str,
    ) -> None:
        self.data_dir = data_dir
        self.redis_url = redis_url
        self.db = db
        self.db_url = db_url
        self.vars: dict[str, str] = {
            "AURA_DATA_DIR": str(data_dir),
            "AURA_REDIS_URL": redis_url,
            **FAST_ENV,
            **overrides,
        }
        if db_url:
            self.vars["AURA_DB_URL"] = db_url
        self.procs: list[subprocess.Popen[bytes]] = []
        self.shared: list[subprocess.Popen[bytes]] = []
        self._logs = 0

    # -- this process ---------------------------------------------------------------------
    def apply(self, mp: pytest.MonkeyPatch) -> None:
        """Sets the variables in this process and forgets cached settings and stores."""
        mp.delenv("AURA_DB_URL", raising=False)
        for k, v in self.vars.items():
            mp.setenv(k, v)
        reset_process_state()

    def use_redis(self, url: str, mp: pytest.MonkeyPatch) -> None:
        """Points this process and the processes started from now on at ``url``."""
        self.redis_url = self.vars["AURA_REDIS_URL"] = url
        mp.setenv("AURA_REDIS_URL", url)
        reset_process_state()

    # -- processes ------------------------------------------------------------------------
    def spawn(
        self,
        command: str,
        *args: str,
        shared: bool = False,
        module: str = "engine",
        **extra_env: str,
    ) -> subprocess.Popen[bytes]:
        """Starts ``python -m MODULE COMMAND ARGS`` (``aura worker``, ``aura scheduler``;
        ``module="studio.api"`` with ``command=""`` for the API) in its own process
        group, its output in ``<data dir>/<command>-N.log``."""
        env = {**os.environ, **self.vars, **extra_env}
        name = command or module.replace(".", "-")
        log = self.data_dir / f"{name}-{self._logs}.log"
        self._logs += 1
        argv = [sys.executable, "-m", module, *([command] if command else []), *args]
        with open(log, "ab") as out:
            proc = subprocess.Popen(
                argv, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        (self.shared if shared else self.procs).append(proc)
        return proc

    def worker(self, *args: str, shared: bool = False, **extra_env: str) -> subprocess.Popen[bytes]:
        """Starts ``aura worker ARGS``."""
        return self.spawn("worker", *args, shared=shared, **extra_env)

    def api(self, port: int, *args: str, **extra_env: str) -> subprocess.Popen[bytes]:
        """Starts the HTTP API and webhooks (``python -m studio.api``, rq runtime)."""
        return self.spawn(
            "",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--runtime",
            "rq",
            "--log-level",
            "warning",
            *args,
            module="studio.api",
            **extra_env,
        )

    def kill(self, proc: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
        """Sends ``sig`` to the process and everything below it; waits for it to end."""
        if proc.poll() is None:
            pids = [proc.pid, *descendants(proc.pid)]
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, sig)
            if sig == signal.SIGKILL:
                for pid in pids:  # children that left the group
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, sig)
        proc.wait(timeout=20)

    def stop_all(self, *, shared: bool = False) -> None:
        """Kills (SIGKILL) the processes this test started (and the shared ones)."""
        for p in self.procs + (self.shared if shared else []):
            self.kill(p)
        self.procs.clear()
        if shared:
            self.shared.clear()

    stop_workers = stop_all

    def logs(self) -> str:
        """The end of every process log (for assertion messages)."""
        return "\n".join(
            f"--- {f.name}\n" + f.read_text(errors="replace")[-3000:]
            for f in sorted(self.data_dir.glob("*.log"))
        )


@contextlib.contextmanager
def queue_env(
    db: str, data_dir: Path, redis_url: str, *, flush: bool = True, **overrides: str
) -> Iterator[Env]:
    """An :class:`Env` on database ``db``, applied to this process, its schema migrated;
    every process it started is killed and this process's state reset afterwards."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with database_url(db) as url, pytest.MonkeyPatch.context() as mp:
        env = Env(data_dir, redis_url, db, url, **overrides)
        env.apply(mp)
        if flush:
            import redis

            redis.Redis.from_url(redis_url).flushdb()
        from engine.services.store import get_store

        store = get_store()  # migrate once, before other processes open it
        assert store.dialect == ("postgresql" if db == "postgres" else "sqlite"), store
        try:
            yield env
        finally:
            env.stop_all(shared=True)
            reset_process_state()  # closes this process's pool before the db is dropped
    reset_process_state()


@contextlib.contextmanager
def worker_env(data_dir: Path, redis_url: str) -> Iterator[Env]:
    """A SQLite :func:`queue_env` with one long-running ``aura worker`` process (for a
    module of tests that submit runs)."""
    with queue_env("sqlite", data_dir, redis_url) as env:
        env.worker(shared=True)
        yield env


FAILING_WORKFLOW: dict[str, Any] = {
    "name": "Fails",
    "nodes": [
        {"name": "Start", "type": "core.manual_trigger"},
        {"name": "Stop", "type": "core.stop_and_error", "parameters": {"message": "out of stock"}},
    ],
    "connections": [{"source": "Start", "target": "Stop"}],
}
"""Fails in its node 'Stop' with "out of stock"."""

LONG_WAIT_WORKFLOW: dict[str, Any] = {
    "name": "Long",
    "nodes": [
        {"name": "Start", "type": "core.manual_trigger"},
        {"name": "Nap", "type": "core.wait", "parameters": {"amount": 60, "unit": "seconds"}},
    ],
    "connections": [{"source": "Start", "target": "Nap"}],
}
"""Waits 60 s in its node 'Nap' (something to cancel)."""


def wait_until(
    check: Callable[[], Any], timeout: float = 20.0, what: str = "condition", env: Env | None = None
) -> Any:
    """Polls ``check`` until it returns something truthy; fails after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}" + (f"\n{env.logs()}" if env else ""))


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
