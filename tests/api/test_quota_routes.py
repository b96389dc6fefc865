"""``/api/v1/quotas`` with a real worker on real Redis: the owner sees every project's
quota and waiting counts and sets one; an editor sees only their own project's and
cannot change any."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.api._helpers import wait_execution
from tests.api.test_queue_runtime import queue_client  # noqa: F401 (fixture)
from tests.support.env import wait_until
from tests.support.fixtures import redis_for_tests, redis_url  # noqa: F401 (fixtures)

pytestmark = pytest.mark.redis
PASSWORD = "another long password"


def _ok(r: Any, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json()


def _quota(c: TestClient, project_id: str) -> dict[str, Any] | None:
    items = _ok(c.get("/api/v1/quotas"))["items"]
    return next((p for p in items if p["project_id"] == project_id), None)


def _editor(c: TestClient) -> tuple[TestClient, str]:
    """A second user, an editor with only their personal project."""
    inv = _ok(
        c.post("/api/v1/invitations", json={"email": "ed@example.com", "role": "editor"}), 201
    )
    ed = TestClient(c.app)
    ed.__enter__()
    _ok(
        ed.post(
            "/api/v1/auth/invitations/accept",
            json={"token": inv["token"], "password": PASSWORD, "name": "ed"},
        ),
        201,
    )
    tok = _ok(ed.post("/api/v1/auth/login", json={"email": "ed@example.com", "password": PASSWORD}))
    ed.cookies.clear()
    ed.headers["Authorization"] = f"Bearer {tok['access_token']}"
    return ed, _ok(ed.get("/api/v1/auth/me"))["personal_project_id"]


@pytest.fixture
def second_worker(queue_client: TestClient) -> Iterator[None]:  # noqa: F811
    """Another worker on the app's queue: two workers, so a quota of 1 binds."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "engine", "worker", "--queues", os.environ["AURA_QUEUE_NAME"]],
        env=dict(os.environ),
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    yield
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(10)


def test_quotas_are_listed_set_and_hold_runs_back(
    queue_client: TestClient,  # noqa: F811
    second_worker: None,
) -> None:
    c = queue_client
    listed = _ok(c.get("/api/v1/quotas"))
    assert listed["default_quota"] == 8
    team = _ok(c.post("/api/v1/projects", json={"name": "Busy team"}), 201)["id"]
    assert _quota(c, team) == {
        "project_id": team,
        "name": "Busy team",
        "quota": 8,
        "overridden": False,
        "running": 0,
        "queued": 0,
        "held": 0,
    }

    assert _ok(c.put("/api/v1/quotas", json={"project_id": team, "quota": 1}))["quota"] == 1
    queue = os.environ["AURA_QUEUE_NAME"]
    wait_until(
        lambda: (
            len([w for w in _ok(c.get("/api/v1/workers"))["items"] if queue in w["queues"]]) >= 2
        ),
        timeout=120,
        what="two workers",
    )
    napping = {
        "name": "Nap",
        "nodes": [
            {"name": "Start", "type": "core.manual_trigger"},
            {"name": "Nap", "type": "core.wait", "parameters": {"amount": 2, "unit": "seconds"}},
        ],
        "connections": [{"source": "Start", "target": "Nap"}],
    }
    wid = _ok(c.post("/api/v1/workflows", params={"project_id": team}, json=napping), 201)["id"]
    runs = [
        _ok(c.post(f"/api/v1/workflows/{wid}/run", json={}), 202)["execution_id"] for _ in range(3)
    ]
    seen = wait_until(
        lambda: (q := _quota(c, team)) and q["running"] == 1 and q["held"] >= 1 and q,
        what="one run, others held",
    )
    assert seen["overridden"] and seen["queued"] == 2
    for eid in runs:
        assert wait_execution(c, eid, timeout=60)["status"] == "succeeded"
    assert _quota(c, team)["running"] == 0

    back = _ok(c.put("/api/v1/quotas", json={"project_id": team, "quota": None}))
    assert (back["quota"], back["overridden"]) == (8, False)

    ed, own = _editor(c)
    try:
        mine = _ok(ed.get("/api/v1/quotas"))["items"]
        assert [p["project_id"] for p in mine] == [own]  # not the team's
        r = ed.put("/api/v1/quotas", json={"project_id": own, "quota": 100})
        assert r.status_code == 403 and r.json()["error"] == "forbidden"
    finally:
        ed.__exit__(None, None, None)

    r = c.put("/api/v1/quotas", json={"project_id": "0" * 32, "quota": 1})
    assert r.status_code == 404 and "No project" in r.json()["message"]
    r = c.put("/api/v1/quotas", json={"project_id": team, "quota": -1})
    assert r.status_code == 422 and r.json()["error"] == "validation_error"
