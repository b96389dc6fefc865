"""The processes: 'aura worker' stops warmly on SIGTERM; 'aura up' starts an embedded
Redis, a worker (and the scheduler and API when installed) and stops them all."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.runtime.conftest import QUEUE_ENV, Env, status_of, wait_node, wait_until, workflow
from tests.support.aura_up import start_up, stop_up, up_env

pytestmark = pytest.mark.redis


def test_worker_finishes_the_running_execution_on_sigterm(env: Env) -> None:
    from engine.runtimes import wait_for
    from tests.support.runs import submit

    proc = env.worker("--processes", "1")
    eid = submit(definition=workflow(wait_node(1.5)))
    wait_until(lambda: status_of(eid) == "running", what="running", env=env)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(20) == 0, env.logs()
    assert wait_for(eid, timeout_s=1).status == "succeeded"


def _start_up(tmp_path: Path, *args: str) -> tuple[subprocess.Popen[str], list[str]]:
    # the web studio's build is tested elsewhere
    env = up_env(tmp_path / "data", QUEUE_ENV)
    return start_up(*args, "--studio-port", "0", env=env, timeout=60)


def _stop_up(proc: subprocess.Popen[str], lines: list[str]) -> str:
    text = stop_up(proc, lines)
    assert proc.returncode == 0, text
    return text


def test_up_runs_executions_on_embedded_redis_and_stops_cleanly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import redis

    from engine.runtimes.embedded import embedded_url

    proc, lines = _start_up(tmp_path, "--no-api", "--no-scheduler")
    try:
        assert re.search(r"redis: redis://:\*\*\*@127.0.0.1:\d+/0 \(embedded", "\n".join(lines)), (
            lines
        )  # the password is not printed
        url = embedded_url(tmp_path / "data")
        assert url
        monkeypatch.setenv("AURA_DATA_DIR", str(tmp_path / "data"))
        monkeypatch.setenv("AURA_REDIS_URL", url)
        monkeypatch.delenv("AURA_DB_URL", raising=False)  # up's own SQLite file
        from tests.runtime.conftest import _reset

        _reset()
        from engine.runtimes import wait_for
        from tests.support.runs import submit

        eid = submit(definition=workflow(wait_node(0.1)))
        assert wait_for(eid, timeout_s=30).status == "succeeded"
    finally:
        text = _stop_up(proc, lines)
        from tests.runtime.conftest import _reset

        monkeypatch.undo()
        _reset()
    assert "stopped worker" in text and "embedded Redis stopped" in text
    assert (tmp_path / "data" / "redis" / "appendonlydir").is_dir()
    assert embedded_url(tmp_path / "data") is None
    with pytest.raises(redis.exceptions.ConnectionError):
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()


def test_up_starts_the_api_and_scheduler_when_installed(tmp_path: Path) -> None:
    import importlib.util

    if importlib.util.find_spec("studio.api") is None:
        pytest.skip("the HTTP API is not installed")
    import httpx

    from engine.runtimes.embedded import free_port

    port = free_port()
    proc, lines = _start_up(tmp_path, "--port", str(port))
    try:
        text = "\n".join(lines)
        assert f"http://127.0.0.1:{port}/api/v1" in text
        assert "started scheduler" in text and "started worker" in text

        def healthy() -> bool:
            try:
                return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).is_success
            except httpx.HTTPError:
                return False

        wait_until(healthy, timeout=30, what="the API to answer")
    finally:
        text = _stop_up(proc, lines)
    assert "stopped api" in text and "stopped scheduler" in text


@pytest.mark.postgres
def test_a_wrong_database_url_is_a_clear_message_not_a_bug(tmp_path: Path, redis_url: str) -> None:
    """``aura worker``, ``aura scheduler`` and ``aura db upgrade`` with a database they
    cannot use say what to check (exit 2), never 'This is a bug in AURA', and never print
    the password."""
    from engine.runtimes.embedded import free_port

    closed = f"postgres://aura:s3cret-pw@127.0.0.1:{free_port()}/aura"
    cases = [
        (["worker", "--burst"], closed, "Cannot use the database"),
        (["scheduler"], closed, "Cannot use the database"),
        (["db", "upgrade"], closed, "Cannot use the database"),
        (["worker", "--burst"], "mysql://aura@127.0.0.1/aura", "SQLite or PostgreSQL"),
    ]
    for args, url, expected in cases:
        env = {
            **os.environ,
            "AURA_DATA_DIR": str(tmp_path / "data"),
            "AURA_DB_URL": url,
            "AURA_REDIS_URL": redis_url,
        }
        done = subprocess.run(
            [sys.executable, "-m", "engine", *args],
            env=env,
            timeout=60,
            capture_output=True,
            text=True,
        )
        out = done.stdout + done.stderr
        assert done.returncode == 2, (args, url, out)
        assert expected in out and "bug in AURA" not in out, out
        assert "s3cret-pw" not in out


def test_an_unreachable_redis_is_a_clear_message_not_a_bug(tmp_path: Path) -> None:
    """``aura worker`` / ``aura scheduler`` with no Redis answering: what to check, exit 2,
    the password hidden."""
    from engine.runtimes.embedded import free_port

    url = f"redis://:r3dis-pw@127.0.0.1:{free_port()}/0"
    for args in (["worker", "--burst"], ["scheduler"]):
        env = {**os.environ, "AURA_DATA_DIR": str(tmp_path / "data"), "AURA_REDIS_URL": url}
        done = subprocess.run(
            [sys.executable, "-m", "engine", *args],
            env=env,
            timeout=60,
            capture_output=True,
            text=True,
        )
        out = done.stdout + done.stderr
        assert done.returncode == 2, (args, out)
        assert "Cannot reach Redis" in out and "AURA_REDIS_URL" in out, out
        assert "bug in AURA" not in out and "r3dis-pw" not in out, out


@pytest.mark.postgres
def test_postgres_urls_as_hosting_providers_write_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``postgres://`` (Heroku, Render, Supabase...) and ``postgresql://`` both open
    PostgreSQL through psycopg 3."""
    from sqlalchemy.engine import make_url

    from engine.store import open_store
    from tests.support.env import database_url

    monkeypatch.setenv("AURA_DATA_DIR", str(tmp_path / "data"))
    with database_url("postgres") as url:
        assert url is not None
        for scheme in ("postgres", "postgresql"):
            plain = make_url(url).set(drivername=scheme).render_as_string(hide_password=False)
            with open_store(plain) as store:
                assert store.dialect == "postgresql" and store.revision()
