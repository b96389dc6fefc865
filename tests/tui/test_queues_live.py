"""Queues and workers against a real server on the rq runtime: a real Redis, a real
``python -m studio.api --runtime rq`` and a real ``python -m engine worker``. The screen
shows the queue API's counts and workers (no fallback), and ``q`` requeues a failed
RQ job, which the worker runs (and fails) again."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from textual.widgets import DataTable, Label

from tests.support.redis import redis_server
from tests.tui._helpers import cells, make_app, signed_in, text_of, wait_for
from tests.tui._server import (
    EMAIL,
    PASSWORD,
    ROOT,
    Server,
    aura_cli,
    free_port,
    server_env,
    start_server,
    stop_server,
)
from tui.screens.queues import QueuesScreen

pytestmark = [pytest.mark.anyio, pytest.mark.redis]


@pytest.fixture(scope="module")
def rq_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A real Redis, an API server on the rq runtime and one worker on a private queue."""
    base = tmp_path_factory.mktemp("tui-rq-server")
    data_dir = base / "data"
    queue = f"tui-{os.getpid()}"
    with redis_server() as redis:
        env = {**server_env(data_dir), "AURA_REDIS_URL": redis.url,
               "AURA_QUEUE_NAME": queue}
        aura_cli(env, "user", "create-owner", "--email", EMAIL, "--password", PASSWORD,
                 "--name", "Operator")
        out = aura_cli(env, "user", "api-key", "create", EMAIL, "--name", "queue tests")
        key = re.search(r"^(aura_\S+)$", out, re.M)
        assert key, out
        log = base / "server.log"
        port = free_port()
        proc = start_server(data_dir, port, env, log, runtime="rq")
        with (base / "worker.log").open("ab") as wlog:
            worker = subprocess.Popen(
                [sys.executable, "-m", "engine", "worker", "--queues", queue],
                cwd=ROOT, env=env, stdout=wlog, stderr=subprocess.STDOUT,
                start_new_session=True)
        try:
            yield Server(f"http://127.0.0.1:{port}", data_dir, key.group(1), env, {}, log)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(10)
            stop_server(proc)


def _failing_job(server: Server) -> str:
    """A job that raises in the worker (an undecodable 'execution id')."""
    import redis
    from rq import Queue

    conn = redis.Redis.from_url(server.env["AURA_REDIS_URL"])
    job = Queue(server.env["AURA_QUEUE_NAME"], connection=conn).enqueue_call(
        "json.loads", args=("{not json",), failure_ttl=3600)
    return str(job.id)


def _failed_jobs(c: httpx.Client, queue: str) -> list[dict[str, Any]]:
    r = c.get(f"/queues/{queue}/jobs", params={"state": "failed"})
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


async def test_live_queues_workers_and_requeue(rq_server: Server, config_file: Path) -> None:
    server, queue = rq_server, rq_server.env["AURA_QUEUE_NAME"]
    job_id = _failing_job(server)
    with server.client() as c:
        deadline = time.monotonic() + 20
        while not (failed := [j for j in _failed_jobs(c, queue) if j["id"] == job_id]):
            assert time.monotonic() < deadline, "the worker did not fail the job"
            time.sleep(0.1)
        first_end = failed[0]["ended_at"]

        app = make_app(server, config_file, api_key=server.api_key)
        async with app.run_test(size=(120, 30)) as pilot:
            await signed_in(pilot)
            await pilot.press("4")
            screen: Any = await wait_for(
                pilot, lambda: isinstance(app.screen, QueuesScreen) and app.screen.jobs
                and app.screen, what="the queues screen with jobs")
            assert screen.queue_api
            assert not screen.query_one("#qs-note", Label).display, \
                text_of(screen.query_one("#qs-note", Label))
            queues = await wait_for(pilot, lambda: [
                r for r in cells(screen.query_one("#qs-queues", DataTable))
                if r[0] == queue], what="our queue listed")
            assert queues[0][4] == "1"  # failed
            workers = await wait_for(pilot, lambda: [
                r for r in cells(screen.query_one("#qs-workers", DataTable))
                if queue in r[2]], what="the worker listed")
            assert not workers[0][0].startswith("n/a")

            keys = [j.key for j in screen.jobs]
            assert job_id in keys
            screen.query_one("#qs-jobs", DataTable).move_cursor(row=keys.index(job_id))
            assert screen.selected_job.key == job_id and screen.selected_job.is_job
            await pilot.press("q")

            def ran_again() -> bool:
                again = [j for j in _failed_jobs(c, queue) if j["id"] == job_id]
                return bool(again) and again[0]["ended_at"] != first_end

            await wait_for(pilot, ran_again, timeout=20,
                           what="the requeued job run (and failed) again")
            assert [q["failed"] for q in c.get("/queues").json()["items"]
                    if q["name"] == queue] == [1]
