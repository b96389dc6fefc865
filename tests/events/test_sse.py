"""``GET /api/v1/events`` on a live uvicorn server: Server-Sent Events of executions,
filters, heartbeats, Last-Event-ID replay, permissions and disconnects; over Redis and
over the in-process bus."""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from tests.events.conftest import linear, set_node

OWNER = {"email": "owner@example.com", "password": "correct horse battery staple"}
SSE = {"Accept": "text/event-stream"}


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """``app`` on a free loopback port, served by uvicorn in a thread."""
    import uvicorn

    from engine.runtimes.embedded import free_port

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


class Stream:
    """Reads an SSE response in a thread: ``frames`` get ``(event, data)`` for events and
    ``(":", text)`` for comments."""

    def __init__(self, url: str, headers: dict[str, str], **params: Any) -> None:
        self.frames: queue.Queue[tuple[str, Any]] = queue.Queue()
        self.status = 0
        self._client = httpx.Client(timeout=httpx.Timeout(10, read=None))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, args=(url, headers, params),
                                        daemon=True)
        self._thread.start()

    def _read(self, url: str, headers: dict[str, str], params: dict[str, Any]) -> None:
        try:
            with self._client.stream("GET", f"{url}/api/v1/events", params=params,
                                     headers={**SSE, **headers}) as r:
                self.status = r.status_code
                event, data = "message", ""
                for line in r.iter_lines():
                    if self._stop.is_set():
                        return
                    if line.startswith(":"):
                        self.frames.put((":", line[1:].strip()))
                    elif line.startswith("event:"):
                        event = line[6:].strip()
                    elif line.startswith("data:"):
                        data = line[5:].strip()
                    elif not line and data:
                        self.frames.put((event, json.loads(data)))
                        event, data = "message", ""
        except httpx.HTTPError:
            pass
        finally:
            self.frames.put(("closed", None))

    def next(self, timeout: float = 10.0) -> tuple[str, Any]:
        return self.frames.get(timeout=timeout)

    def wait_comment(self, prefix: str, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            kind, value = self.next(max(0.01, deadline - time.monotonic()))
            assert kind != "closed", f"stream closed (HTTP {self.status})"
            if kind == ":" and value.startswith(prefix):
                return

    def events_until_finished(self, timeout: float = 10.0) -> list[dict[str, Any]]:
        got: list[dict[str, Any]] = []
        deadline = time.monotonic() + timeout
        while True:
            kind, value = self.next(max(0.01, deadline - time.monotonic()))
            assert kind != "closed", f"stream closed after {got}"
            if kind == ":":
                continue
            assert kind == value["type"]
            got.append(value)
            if kind == "execution.finished":
                return got

    def close(self) -> None:
        self._stop.set()
        self._client.close()
        self._thread.join(5)


@pytest.fixture(params=["redis", "local"])
def server(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
           ) -> Iterator[tuple[str, dict[str, str]]]:
    """A live API server (inline runtime, events over Redis or in-process), signed in
    as the owner: yields its URL and auth headers."""
    env = request.getfixturevalue("redis_env" if request.param == "redis" else "local_env")
    assert (env is not None) == (request.param == "redis")
    for k, v in {"AURA_PASSWORD_HASH_TIME_COST": "1", "AURA_PASSWORD_HASH_MEMORY_KIB": "1024",
                 "AURA_PASSWORD_HASH_PARALLELISM": "1", "AURA_EVENTS_HEARTBEAT_S": "0.3"
                 }.items():
        monkeypatch.setenv(k, v)
    from engine import events
    from engine.config import reset_settings
    from engine.services import auth
    from studio.api import create_app

    reset_settings()
    events.reset()
    auth.reset()
    with serve(create_app(runtime="inline")) as url:
        token = httpx.post(f"{url}/api/v1/auth/setup", json=OWNER).json()["access_token"]
        yield url, {"Authorization": f"Bearer {token}"}
    auth.reset()


def _workflow(url: str, headers: dict[str, str], name: str) -> str:
    r = httpx.post(f"{url}/api/v1/workflows", json=linear(name, set_node()), headers=headers)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def _run(url: str, headers: dict[str, str], wid: str) -> str:
    r = httpx.post(f"{url}/api/v1/workflows/{wid}/run", params={"wait": "true"}, json={},
                   headers=headers, timeout=30)
    assert r.status_code == 200, r.text
    return str(r.json()["execution_id"])


def test_the_stream_carries_an_executions_events_and_filters_them(
        server: tuple[str, dict[str, str]]) -> None:
    url, auth = server
    wanted, other = _workflow(url, auth, "Wanted"), _workflow(url, auth, "Other")
    everything = Stream(url, auth)
    filtered = Stream(url, auth, workflow_id=wanted, types="node.finished,execution.finished")
    try:
        everything.wait_comment("connected")
        filtered.wait_comment("connected")
        first = _run(url, auth, other)
        eid = _run(url, auth, wanted)
        got = everything.events_until_finished()
        assert {e["execution_id"] for e in got} == {first}
        got = everything.events_until_finished()
        assert [e["type"] for e in got] == [
            "execution.started", "node.started", "node.finished", "node.started",
            "node.finished", "execution.finished"]
        assert {e["execution_id"] for e in got} == {eid}
        assert got[-1]["status"] == "succeeded" and got[-1]["workflow_name"] == "Wanted"
        only = filtered.events_until_finished()
        assert [(e["type"], e.get("node")) for e in only] == [
            ("node.finished", "Start"), ("node.finished", "Set"),
            ("execution.finished", None)]
        everything.wait_comment("keepalive", timeout=5)  # idle: heartbeat comments
    finally:
        everything.close()
        filtered.close()
    # one execution, as JSON (no event-stream Accept), and a replay after an event id
    r = httpx.get(f"{url}/api/v1/events", params={"execution_id": eid}, headers=auth)
    kept = r.json()["items"]
    assert [e["type"] for e in kept] == [e["type"] for e in got]
    replay = Stream(url, {**auth, "Last-Event-ID": kept[2]["id"]}, execution_id=eid)
    try:
        assert [e["id"] for e in replay.events_until_finished()] == [
            e["id"] for e in kept[3:]]
    finally:
        replay.close()


def test_streams_need_a_reader_and_end_when_the_client_leaves(
        server: tuple[str, dict[str, str]]) -> None:
    from studio.api.routes_events import open_streams

    url, auth = server
    assert httpx.get(f"{url}/api/v1/events", headers=SSE).status_code == 401
    assert httpx.get(f"{url}/api/v1/events", params={"execution_id": "nope"},
                     headers={**SSE, **auth}).status_code == 404
    streams = [Stream(url, auth) for _ in range(3)]
    for s in streams:
        s.wait_comment("connected")
    assert open_streams() == 3
    for s in streams:
        s.close()
    deadline = time.monotonic() + 5
    while open_streams() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert open_streams() == 0


def test_callers_only_see_executions_they_may_read(server: tuple[str, dict[str, str]]
                                                   ) -> None:
    url, auth = server
    eid = _run(url, auth, _workflow(url, auth, "Private"))
    inv = httpx.post(f"{url}/api/v1/invitations", headers=auth,
                     json={"email": "viewer@example.com", "role": "viewer"})
    assert inv.status_code == 201, inv.text
    password = "another long password"
    assert httpx.post(f"{url}/api/v1/auth/invitations/accept", json={
        "token": inv.json()["token"], "password": password, "name": "V"}).status_code == 201
    login = httpx.post(f"{url}/api/v1/auth/login", json={"email": "viewer@example.com",
                                                         "password": password})
    viewer = {"Authorization": f"Bearer {login.json()['access_token']}"}
    mine = httpx.get(f"{url}/api/v1/events", headers=auth).json()["items"]
    assert eid in {e["execution_id"] for e in mine}
    theirs = httpx.get(f"{url}/api/v1/events", headers=viewer)
    assert theirs.status_code == 200 and theirs.json()["items"] == []
    assert httpx.get(f"{url}/api/v1/events", params={"execution_id": eid},
                     headers=viewer).status_code == 404  # as for an unknown execution
    assert httpx.get(f"{url}/api/v1/services", headers=viewer).status_code == 403
