"""A webhook's cached reads (its registration, workflow, ``$vars``, static data) see a
change made by another process on the very next request (:mod:`engine.store.stamps`)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests.api._helpers import webhook_workflow
from tests.support.env import both_databases, database_url, default_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def db(request: pytest.FixtureRequest) -> str:
    return str(getattr(request, "param", default_db()))


@pytest.fixture
def data_dir(data_dir: Path, db: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    with database_url(db) as url:
        if url:
            from engine.config import reset_settings

            monkeypatch.setenv("AURA_DB_URL", url)
            reset_settings()
        yield data_dir


def _elsewhere(*args: str, code: str | None = None) -> str:
    """Runs ``aura <args>`` (or Python ``code`` with ``store`` at hand) in another
    process on the same data directory and database."""
    cmd = (
        [
            sys.executable,
            "-c",
            f"from engine.services.store import get_store\nstore = get_store()\n{code}",
        ]
        if code is not None
        else [sys.executable, "-m", "engine", *args]
    )
    done = subprocess.run(
        cmd, cwd=ROOT, env=dict(os.environ), capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@both_databases
def test_the_next_request_sees_what_another_process_changed(
    client: TestClient, create: Callable[..., str]
) -> None:
    _elsewhere(code="store.variables.set('GREETING', 'hello')")
    wid = create(
        webhook_workflow(
            "greet",
            path="greet",
            response_mode="last_node",
            set_values={"greeting": "{{ $vars.GREETING }}"},
        ),
        activate=True,
    )
    assert client.post("/webhook/greet", json={}).json()["greeting"] == "hello"
    assert client.post("/webhook/greet", json={}).json()["greeting"] == "hello"  # cached

    _elsewhere(code="store.variables.set('GREETING', 'bonjour')")
    assert client.post("/webhook/greet", json={}).json()["greeting"] == "bonjour"

    # a new published version, from another process: its node answers at once
    changed = webhook_workflow(
        "greet",
        path="greet",
        response_mode="last_node",
        set_values={"greeting": "{{ $vars.GREETING }}!"},
    )
    _elsewhere(code=f"store.workflows.save({wid!r}, {changed!r}); store.workflows.publish({wid!r})")
    assert client.post("/webhook/greet", json={}).json()["greeting"] == "bonjour!"

    # deactivated with the CLI in another terminal: the next request finds nothing
    _elsewhere("workflow", "deactivate", wid)
    r = client.post("/webhook/greet", json={})
    assert r.status_code == 404, r.text
