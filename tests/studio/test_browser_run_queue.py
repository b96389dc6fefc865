"""The editor's "Run here / Run on workers" choice in a real browser, with a real Redis
and a real ``aura worker`` process sharing the studio's data directory."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.env import FAST_ENV, wait_until
from tests.support.fixtures import redis_for_tests, redis_url  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.redis]

NODE = '[data-testid="aura-node"][data-name="{}"]'
SIMPLE = {
    "name": "On workers",
    "nodes": [
        {"name": "Start", "type": "core.manual_trigger", "position": [0, 0]},
        {
            "name": "Set",
            "type": "core.set",
            "position": [300, 0],
            "parameters": {"assignments": [{"name": "n", "value": "{{ 20 + 1 }}"}]},
        },
    ],
    "connections": [{"source": "Start", "target": "Set"}],
}


@pytest.fixture
def with_redis(
    studio: Any,
    redis_url: str,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Any,
) -> Iterator[None]:
    """The studio (its backend runs in this process) sees AURA_REDIS_URL, and one worker
    process serves its data directory."""
    from engine.config import reset_settings

    monkeypatch.setenv("AURA_REDIS_URL", redis_url)
    reset_settings()
    log = (tmp_path / "worker.log").open("wb")
    worker = subprocess.Popen(
        [sys.executable, "-m", "engine", "worker"],
        env={**os.environ, **FAST_ENV, "AURA_REDIS_URL": redis_url},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        yield
    finally:
        worker.kill()
        worker.wait(timeout=20)
        log.close()
        monkeypatch.delenv("AURA_REDIS_URL")
        reset_settings()


def test_run_on_workers_is_the_default_with_redis(
    page: Any, studio_url: str, with_redis: None, shot: Any
) -> None:
    from engine.auth.types import Principal
    from engine.services.store import get_store
    from studio.logic import backend

    wid = backend.create_workflow(
        Principal(user_id=None, email=None, role="owner"), definition=SIMPLE
    )
    page.goto(f"{studio_url}/workflows/{wid}")
    page.wait_for_selector('[data-testid="aura-node"]', timeout=60_000)
    page.wait_for_selector("#run-on >> text=Run on workers (queue)", timeout=10_000)
    page.click("#run-workflow")
    page.wait_for_selector(f'{NODE.format("Set")}[data-status="succeeded"]', timeout=30_000)
    page.wait_for_selector("text=Ran 2 nodes on the workers successfully.", timeout=10_000)
    shot(page, "editor-run-on-workers")
    rows, _ = get_store().executions.list(workflow_id=wid)
    assert rows and rows[0].status == "succeeded"
    assert rows[0].worker_id and rows[0].worker_id.split(":")[-1] != str(os.getpid())

    # "Run this node" reuses this editor's data, which travels with it to the workers
    page.locator(NODE.format("Set")).dblclick()
    page.wait_for_selector("#node-panel")
    page.click("#run-node")

    def second_run_ended() -> Any:
        rows, _ = get_store().executions.list(workflow_id=wid)
        return len(rows) == 2 and rows[0].status not in ("queued", "running") and rows

    # the first run's "Ran 2 nodes…" is still on screen: wait for the second run itself
    rows = wait_until(second_run_ended, timeout=60, what="the second run to end")
    page.wait_for_selector("text=Ran 2 nodes on the workers successfully.", timeout=30_000)
    page.wait_for_function(
        "document.querySelector('#out-count')?.innerText.startsWith('1 item')", timeout=10_000
    )
    page.click("#close-node-panel")
    page.wait_for_selector("#node-panel", state="detached")
    assert rows[0].status == "succeeded"
    assert rows[0].worker_id and rows[0].worker_id.split(":")[-1] != str(os.getpid())

    page.click("#run-on")
    page.get_by_role("option", name="Run here (this server)").click()
    page.click("#run-workflow")
    page.wait_for_selector("text=Ran 2 nodes successfully.", timeout=30_000)
    rows, _ = get_store().executions.list(workflow_id=wid)
    assert len(rows) == 3 and rows[0].status == "succeeded"
    assert not rows[0].worker_id or rows[0].worker_id.split(":")[-1] == str(os.getpid())


def test_without_redis_runs_stay_here(page: Any, studio_url: str) -> None:
    from engine.auth.types import Principal
    from studio.logic import backend

    wid = backend.create_workflow(
        Principal(user_id=None, email=None, role="owner"),
        definition={**SIMPLE, "name": "Here only"},
    )
    page.goto(f"{studio_url}/workflows/{wid}")
    page.wait_for_selector('[data-testid="aura-node"]', timeout=60_000)
    page.wait_for_selector("#run-on >> text=Run here (this server)", timeout=10_000)
    page.click("#run-on")
    assert page.get_by_role("option", name="Run on workers (queue)").is_disabled()
