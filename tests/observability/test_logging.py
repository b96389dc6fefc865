"""Structured logs: console or JSON, request and execution ids in the lines, and secrets
never shown — checked in the logs of real API and worker processes."""

from __future__ import annotations

import http.server
import io
import json
import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from engine.observability.logging import (
    bind_execution,
    configure_logging,
    request_context,
    unbind_execution,
)
from tests.observability.conftest import queue_env, wait_until
from tests.observability.test_metrics import OWNER, _answers, _finished


@pytest.fixture
def captured(data_dir: Path) -> Iterator[io.StringIO]:
    """Logging of this process set up as a process does, into a buffer; restored after."""
    import structlog

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    out = io.StringIO()
    yield out
    for h in list(root.handlers):
        root.removeHandler(h)
    for h in handlers:
        root.addHandler(h)
    root.setLevel(level)
    structlog.contextvars.clear_contextvars()
    structlog.reset_defaults()


def _lines(out: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]


def test_json_lines_carry_ids_and_never_secrets(
    captured: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    import structlog

    from engine.config import reset_settings

    monkeypatch.setenv("AURA_SMTP_PASSWORD", "smtp-pass-123456")
    monkeypatch.setenv("AURA_LOG_FORMAT", "json")
    reset_settings()
    configure_logging("INFO", process="worker", stream=captured)
    log = logging.getLogger("engine.test")
    with request_context("req-77"):
        log.info("connecting to %s", "redis://:r3dis-pw-x@cache:6379/0")
        log.warning("upstream said: Authorization: Bearer abcDEF123456789.xyz")
        log.warning("mail failed", extra={"password": "hunter22", "smtp": "smtp-pass-123456"})
        secrets: set[str] = set()
        bound = bind_execution("exec-1", "wf-1", secrets)
        secrets.add("cred-secret-42")  # resolved after the run started: still masked
        log.error("node said cred-secret-42 twice: cred-secret-42")
        structlog.get_logger("engine.test").warning("login", api_key="k-123456789", user="bo")
        try:
            raise RuntimeError("boom with cred-secret-42")
        except RuntimeError:
            log.exception("failed")
        unbind_execution(bound)

        log.info("after the run")
    log.info("after the request")

    text = captured.getvalue()
    for secret in (
        "r3dis-pw-x",
        "abcDEF123456789",
        "hunter22",
        "smtp-pass-123456",
        "cred-secret-42",
        "k-123456789",
    ):
        assert secret not in text, secret
    lines = _lines(captured)
    assert all(line["process"] == "worker" for line in lines)
    assert all(line["request_id"] == "req-77" for line in lines[:-1])
    assert "request_id" not in lines[-1]  # the request is over
    assert lines[0]["event"] == "connecting to redis://:***@cache:6379/0"
    assert lines[2]["password"] == "***" and lines[2]["smtp"] == "***"
    assert lines[3]["execution_id"] == "exec-1" and lines[3]["workflow_id"] == "wf-1"
    assert lines[3]["event"] == "node said *** twice: ***"
    assert lines[4]["user"] == "bo" and lines[4]["api_key"] == "***"
    assert "RuntimeError: boom with ***" in lines[5]["exception"]
    assert "execution_id" not in lines[6]
    assert {line["level"] for line in lines} == {"info", "warning", "error"}


def test_console_format_is_one_readable_line(captured: io.StringIO) -> None:
    configure_logging("WARNING", process="cli", fmt="console", stream=captured)
    logging.getLogger("engine.x").info("hidden below the level")
    logging.getLogger("engine.x").warning("disk %s full", "/data")
    text = captured.getvalue()
    assert "hidden" not in text
    assert text.count("\n") == 1
    assert "disk /data full" in text and "warning" in text and "process=cli" in text
    assert not text.lstrip().startswith("{")


# -- real processes ------------------------------------------------------------------------
class _Failing(http.server.BaseHTTPRequestHandler):
    """Answers 500 and echoes the request headers (with the credential) in its body."""

    def do_GET(self) -> None:
        body = json.dumps({"you sent": dict(self.headers)}).encode()
        self.send_response(500)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a: Any) -> None:
        pass


@pytest.mark.slow
@pytest.mark.redis
def test_worker_and_api_logs_have_ids_and_no_secret(tmp_path: Path, redis_url: str) -> None:
    from engine.runtimes.embedded import free_port

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Failing)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    secret = "tok-LOGS-5e4d3c2b1a"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with queue_env(
        "sqlite", tmp_path / "data", redis_url, AURA_LOG_FORMAT="json", AURA_HTTP_ALLOW="127.0.0.1"
    ) as env:
        env.worker("-v")
        env.api(port, "--access-log", "--log-level", "info")
        wait_until(lambda: _answers(f"{base}/healthz"), 60, "the API", env)
        c = httpx.Client(base_url=base, timeout=30)
        r = c.post(
            "/api/v1/auth/login", json={"email": OWNER["email"], "password": "wrong-Pa55-word"}
        )
        token = c.post("/api/v1/auth/setup", json=OWNER).json()["access_token"]
        c.headers["Authorization"] = f"Bearer {token}"
        cred = c.post(
            "/api/v1/credentials",
            json={
                "name": "api",
                "kind": "header_auth",
                "data": {"name": "X-Api-Token", "value": secret},
            },
        ).json()["id"]
        wf = {
            "name": "Leaky",
            "nodes": [
                {
                    "name": "Hook",
                    "type": "core.webhook_trigger",
                    "parameters": {"path": "leaky", "http_method": "POST"},
                },
                {
                    "name": "Call",
                    "type": "core.http_request",
                    "credentials": {"auth": {"id": cred}},
                    "parameters": {
                        "url": f"http://127.0.0.1:{srv.server_address[1]}/",
                        "authentication": "header_auth",
                    },
                },
            ],
            "connections": [{"source": "Hook", "target": "Call"}],
        }
        wid = c.post("/api/v1/workflows", json=wf).json()["id"]
        assert c.post(f"/api/v1/workflows/{wid}/activate").status_code == 200
        r = c.post("/webhook/leaky", json={}, headers={"X-Request-ID": "req-ops-4242"})
        assert r.status_code == 202, r.text
        eid = r.json()["execution_id"]
        wait_until(lambda: _finished(c, eid), 60, "the execution", env)
        error = c.get(f"/api/v1/executions/{eid}").json()["error"]
        wait_until(lambda: "node failed" in _log(env, "worker"), 10, "the worker's line", env)
        worker, api = _log(env, "worker"), _log(env, "studio-api")
    srv.shutdown()

    assert error and "500" in json.dumps(error)  # the node failed on the echoing server
    for text in (worker, api):
        assert secret not in text
        assert "wrong-Pa55-word" not in text
    node_lines = [line for line in _json_lines(worker) if line.get("event") == "node failed"]
    assert len(node_lines) == 1, worker[-3000:]
    line = node_lines[0]
    assert line["execution_id"] == eid and line["workflow_id"] == wid
    assert line["node"] == "Call" and line["node_type"] == "core.http_request"
    assert "***" in line["error"] and line["process"] == "worker" and line["level"] == "warning"
    ended = [x for x in _json_lines(worker) if x.get("event") == "execution failed"]
    assert ended and ended[0]["execution_id"] == eid
    access = [x for x in _json_lines(api) if x.get("request_id") == "req-ops-4242"]
    assert access and all(x["process"] == "api" for x in access)
    assert any("/webhook/leaky" in x["event"] for x in access)


def _log(env: Any, name: str) -> str:
    return "\n".join(
        f.read_text(errors="replace") for f in sorted(env.data_dir.glob(f"{name}-*.log"))
    )


def _json_lines(text: str) -> list[dict[str, Any]]:
    out = []
    for line in text.splitlines():
        if line.startswith("{"):
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return out


def test_a_request_id_stays_inside_its_request(captured: io.StringIO, data_dir: Path) -> None:
    """The app called in the caller's own task (an ASGI transport, as the studio mounts
    it): the caller's lines after the call carry no request id."""
    import asyncio

    from studio.api import create_app

    configure_logging("INFO", fmt="json", stream=captured)
    app = create_app(runtime="inline", auth=False)

    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://aura") as c:
            r = await c.get("/healthz", headers={"X-Request-ID": "req-inside-1"})
        logging.getLogger("caller").warning("after the call")
        return r

    r = asyncio.run(call())
    assert r.headers["x-request-id"] == "req-inside-1"
    last = _lines(captured)[-1]
    assert last["event"] == "after the call" and "request_id" not in last


def test_an_execution_inside_another_gives_the_outer_one_back(captured: io.StringIO) -> None:
    configure_logging("INFO", fmt="json", stream=captured)
    log = logging.getLogger("engine.test")
    outer = bind_execution("parent", "wf-p", {"parent-secret-1"})
    inner = bind_execution("child", "wf-c", {"child-secret-2"})
    log.info("in child: parent-secret-1 child-secret-2")
    unbind_execution(inner)
    log.info("in parent again: parent-secret-1 child-secret-2")
    unbind_execution(outer)
    log.info("outside: parent-secret-1")
    child, parent, outside = _lines(captured)
    assert child["execution_id"] == "child" and child["event"] == "in child: *** ***"
    assert parent["execution_id"] == "parent" and parent["workflow_id"] == "wf-p"
    assert parent["event"] == "in parent again: *** child-secret-2"
    assert "execution_id" not in outside and outside["event"] == "outside: parent-secret-1"
