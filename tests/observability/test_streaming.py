"""Event and log streaming: the owner points AURA at a webhook URL, a syslog server and
an OTLP collector (real local servers speaking each protocol); a run's events and log
lines arrive there with its correlation id, and never a credential's secret."""

from __future__ import annotations

import http.server
import io
import json
import re
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.observability.conftest import wait_until
from tests.observability.test_logging import _Failing, captured  # noqa: F401 (fixture)
from tests.observability.test_metrics import OWNER
from tests.support.fixtures import reset_process_state
from tests.support.otlp_receiver import OtlpReceiver

SECRET = "tok-STREAM-1a2b3c4d5e"
RFC5424 = re.compile(
    r"^<(?P<pri>\d+)>1 (?P<ts>\S+) (?P<host>\S+) (?P<app>\S+) (?P<pid>\d+) (?P<msgid>\S+) - "
    r"(?P<msg>\{.*\})$"
)


class _Hooks(http.server.BaseHTTPRequestHandler):
    bodies: list[dict[str, Any]]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).bodies.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *a: Any) -> None:
        pass


@pytest.fixture
def hook_server() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    bodies: list[dict[str, Any]] = []
    handler = type("Hooks", (_Hooks,), {"bodies": bodies})
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}/aura-events", bodies
    srv.shutdown()


@pytest.fixture
def syslog_server() -> Iterator[tuple[str, list[str]]]:
    lines: list[str] = []
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                data, _ = sock.recvfrom(65536)
            except TimeoutError:
                continue
            lines.append(data.decode())

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    yield f"udp://127.0.0.1:{sock.getsockname()[1]}", lines
    stop.set()
    t.join()
    sock.close()


@pytest.fixture
def failing_server() -> Iterator[str]:
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Failing)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}/"
    srv.shutdown()


@pytest.fixture
def owner(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    from engine.observability import streaming
    from studio.api import create_app

    monkeypatch.setenv("AURA_HTTP_ALLOW", "127.0.0.1")
    monkeypatch.setenv("AURA_PASSWORD_HASH_TIME_COST", "1")
    monkeypatch.setenv("AURA_PASSWORD_HASH_MEMORY_KIB", "1024")
    reset_process_state()
    with TestClient(create_app(runtime="inline", auth=True)) as c:
        token = c.post("/api/v1/auth/setup", json=OWNER).json()["access_token"]
        c.headers["Authorization"] = f"Bearer {token}"
        yield c
    streaming.forget()  # this process's cached streams belong to this test's database
    reset_process_state()


def test_a_runs_events_and_log_lines_reach_webhook_syslog_and_otlp(
    owner: TestClient,
    captured: io.StringIO,  # noqa: F811
    hook_server: tuple[str, list[dict[str, Any]]],
    syslog_server: tuple[str, list[str]],
    failing_server: str,
) -> None:
    from engine.observability import streaming
    from engine.observability.logging import configure_logging

    configure_logging("INFO", process="api", fmt="json", stream=captured)
    hook_url, bodies = hook_server
    syslog_url, datagrams = syslog_server
    with OtlpReceiver() as otlp:
        streams = {
            "streams": [
                {
                    "name": "ops-hook",
                    "kind": "webhook",
                    "url": hook_url,
                    "event_types": ["execution.*"],
                },
                {
                    "name": "rsyslog",
                    "kind": "syslog",
                    "url": syslog_url,
                    "events": False,
                    "logs": True,
                    "min_level": "warning",
                },
                {"name": "collector", "kind": "otlp", "url": otlp.url, "logs": True},
            ]
        }
        r = owner.put("/api/v1/streams", json=streams)
        assert r.status_code == 200, r.text
        assert [s["name"] for s in owner.get("/api/v1/streams").json()["streams"]] == [
            "ops-hook",
            "rsyslog",
            "collector",
        ]
        cred = owner.post(
            "/api/v1/credentials",
            json={
                "name": "api",
                "kind": "header_auth",
                "data": {"name": "X-Api-Token", "value": SECRET},
            },
        ).json()["id"]
        wf = {
            "name": "Streamed",
            "nodes": [
                {"name": "Start", "type": "core.manual_trigger"},
                {
                    "name": "Call",
                    "type": "core.http_request",
                    "credentials": {"auth": {"id": cred}},
                    "parameters": {"url": failing_server, "authentication": "header_auth"},
                },
            ],
            "connections": [{"source": "Start", "target": "Call"}],
        }
        wid = owner.post("/api/v1/workflows", json=wf).json()["id"]
        run = owner.post(
            f"/api/v1/workflows/{wid}/run?wait=true",
            json={},
            headers={"X-Correlation-ID": "stream-corr-9"},
        )
        assert "execution_id" in run.json(), run.text
        eid = run.json()["execution_id"]
        assert streaming.flush(10)
        wait_until(lambda: otlp.logs() and datagrams and bodies, 10, "the streams")
        logs = otlp.logs()

    records = [rec for body in bodies for rec in body["records"]]
    assert all(body["source"] == "aura-api" for body in bodies)
    mine = [rec for rec in records if rec.get("execution_id") == eid]
    assert {rec["type"] for rec in mine} == {"execution.started", "execution.finished"}
    assert all(rec["correlation_id"] == "stream-corr-9" for rec in mine)
    finished = next(rec for rec in mine if rec["type"] == "execution.finished")
    assert finished["status"] == "failed" and finished["level"] == "warning"

    parsed = [RFC5424.match(line) for line in datagrams]
    assert all(parsed), datagrams
    failed = [json.loads(m["msg"]) for m in parsed if m is not None and '"node failed"' in m["msg"]]
    assert failed and failed[0]["correlation_id"] == "stream-corr-9"
    assert failed[0]["node"] == "Call" and "***" in failed[0]["error"]
    node_line = next(m for m in parsed if m is not None and '"node failed"' in m["msg"])
    assert node_line["pri"] == str(16 * 8 + 4) and node_line["app"] == "aura-api"
    assert all(int(m["pri"]) % 8 <= 4 for m in parsed if m)  # warning or worse only

    by_body = {rec["body"]: rec for rec in logs}
    assert "node failed" in by_body and by_body["node failed"]["severity"] == "WARN"
    assert by_body["node failed"]["attributes"]["aura.correlation_id"] == "stream-corr-9"
    assert by_body["node failed"]["service"] == "aura-api"
    assert "execution.finished" in by_body  # events too (no filter on this one)

    everything = json.dumps(bodies) + "\n".join(datagrams) + json.dumps(logs)
    assert SECRET not in everything
    assert '"outputs"' not in json.dumps(bodies)


def test_only_the_owner_changes_streams_and_bad_ones_are_refused(
    owner: TestClient, hook_server: tuple[str, list[dict[str, Any]]]
) -> None:
    from engine.auth.passwords import PasswordHasher
    from engine.services.store import get_store

    hook_url, bodies = hook_server
    bad = owner.put(
        "/api/v1/streams",
        json={"streams": [{"name": "s", "kind": "syslog", "url": "http://logs.example.com"}]},
    )
    assert bad.status_code == 422
    assert "udp://" in bad.json()["message"]
    twice = owner.put(
        "/api/v1/streams",
        json={"streams": [{"name": "a", "kind": "webhook", "url": hook_url}] * 2},
    )
    assert twice.status_code == 422 and "same name" in twice.json()["message"]

    ok = {"name": "ops", "kind": "webhook", "url": hook_url}
    dead = {"name": "nobody", "kind": "webhook", "url": "http://127.0.0.1:9/"}
    assert owner.put("/api/v1/streams", json={"streams": [ok, dead]}).status_code == 200
    results = {x["name"]: x for x in owner.post("/api/v1/streams/test").json()["results"]}
    assert results["ops"]["ok"] and results["ops"]["error"] is None
    assert not results["nobody"]["ok"] and results["nobody"]["error"]
    assert any(rec["type"] == "stream.test" for body in bodies for rec in body["records"])

    hasher = PasswordHasher(time_cost=1, memory_kib=1024, parallelism=1)
    get_store().users.create(
        "admin@example.com", password_hash=hasher.hash("admin pass phrase 1"), role="admin"
    )
    admin = owner.post(
        "/api/v1/auth/login", json={"email": "admin@example.com", "password": "admin pass phrase 1"}
    ).json()["access_token"]
    as_admin = {"Authorization": f"Bearer {admin}"}
    assert owner.get("/api/v1/streams", headers=as_admin).status_code == 200
    refused = owner.put("/api/v1/streams", json={"streams": []}, headers=as_admin)
    assert refused.status_code == 403
    assert [s["name"] for s in owner.get("/api/v1/streams").json()["streams"]] == ["ops", "nobody"]


@pytest.mark.slow
@pytest.mark.redis
def test_a_worker_streams_the_events_and_lines_of_the_runs_it_ran(
    tmp_path: Path, redis_url: str, hook_server: tuple[str, list[dict[str, Any]]]
) -> None:
    """A forked work horse sends what it queued before it exits."""
    import httpx

    from engine.observability import streaming
    from engine.runtimes.embedded import free_port
    from tests.observability.conftest import queue_env
    from tests.observability.test_metrics import FAILS, _answers, _finished

    hook_url, bodies = hook_server
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with queue_env(
        "sqlite", tmp_path / "data", redis_url, AURA_HTTP_ALLOW="127.0.0.1", AURA_LOG_FORMAT="json"
    ) as env:
        streaming.save_config(
            streaming.StreamsConfig(
                streams=[streaming.Stream(name="ops", kind="webhook", url=hook_url, logs=True)]
            )
        )
        env.worker()
        env.api(port)
        wait_until(lambda: _answers(f"{base}/healthz"), 60, "the API", env)
        c = httpx.Client(base_url=base, timeout=30)
        token = c.post("/api/v1/auth/setup", json=OWNER).json()["access_token"]
        c.headers["Authorization"] = f"Bearer {token}"
        wid = c.post("/api/v1/workflows", json=FAILS).json()["id"]
        r = c.post(f"/api/v1/workflows/{wid}/run", json={}, headers={"X-Correlation-ID": "w-77"})
        eid = r.json()["execution_id"]
        wait_until(lambda: _finished(c, eid), 60, "the execution", env)

        def from_worker() -> list[dict[str, Any]]:
            return [
                rec
                for body in list(bodies)
                if body["source"] == "aura-worker"
                for rec in body["records"]
                if rec.get("execution_id") == eid
            ]

        wait_until(
            lambda: any(rec.get("type") == "execution.finished" for rec in from_worker()),
            20,
            "the worker's events",
            env,
        )
        streaming.forget()
    records = from_worker()
    assert all(rec["correlation_id"] == "w-77" for rec in records)
    kinds = {rec.get("type") or rec["message"] for rec in records}
    assert {"execution.started", "node.finished", "execution.finished", "node failed"} <= kinds
