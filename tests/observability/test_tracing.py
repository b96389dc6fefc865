"""Traces: with ``AURA_OTEL_ENDPOINT`` set, API requests, executions and node runs are
OpenTelemetry spans sent over OTLP/HTTP, one trace from the webhook call to the nodes on
the worker, each span with the correlation id. A real local OTLP receiver decodes them.
Without the setting nothing of the tracing SDK is even imported."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.observability.conftest import queue_env, wait_until
from tests.observability.test_metrics import OWNER, _answers, _finished
from tests.support.otlp_receiver import OtlpReceiver

ERROR = 2  # opentelemetry.proto.trace.v1.Status.STATUS_CODE_ERROR
FLOW = {
    "name": "Traced",
    "settings": {"concurrency": 4},  # runs on the workers, even a webhook's
    "nodes": [
        {
            "name": "Hook",
            "type": "core.webhook_trigger",
            "parameters": {"path": "traced", "http_method": "POST"},
        },
        {
            "name": "Tag",
            "type": "core.set",
            "parameters": {"assignments": [{"name": "tagged", "value": True}]},
        },
        {"name": "Stop", "type": "core.stop_and_error", "parameters": {"message": "no stock"}},
    ],
    "connections": [{"source": "Hook", "target": "Tag"}, {"source": "Tag", "target": "Stop"}],
}


@pytest.fixture
def otlp() -> Iterator[OtlpReceiver]:
    with OtlpReceiver() as receiver:
        yield receiver


def _named(spans: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [s for s in spans if s["name"] == name]


@pytest.mark.slow
@pytest.mark.redis
def test_a_webhook_call_is_one_trace_from_the_api_to_the_nodes_on_a_worker(
    tmp_path: Path, redis_url: str, otlp: OtlpReceiver
) -> None:
    from engine.runtimes.embedded import free_port

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cid = "trace-corr-5150"
    with queue_env("sqlite", tmp_path / "data", redis_url, AURA_OTEL_ENDPOINT=otlp.url) as env:
        env.worker()
        env.api(port)
        wait_until(lambda: _answers(f"{base}/healthz"), 60, "the API", env)
        c = httpx.Client(base_url=base, timeout=30)
        token = c.post("/api/v1/auth/setup", json=OWNER).json()["access_token"]
        c.headers["Authorization"] = f"Bearer {token}"
        wid = c.post("/api/v1/workflows", json=FLOW).json()["id"]
        assert c.post(f"/api/v1/workflows/{wid}/activate").status_code == 200
        r = c.post("/webhook/traced", json={"n": 1}, headers={"X-Correlation-ID": cid})
        assert r.status_code == 202, r.text
        eid = r.json()["execution_id"]
        wait_until(lambda: _finished(c, eid), 60, "the execution", env)
        wait_until(
            lambda: (
                _named(otlp.spans(), "node Stop")
                and _named(otlp.spans(), "POST /webhook/{path:path}")
            ),
            30,
            "the spans of the API and the worker",
            env,
        )
        spans = otlp.spans()

    (request,) = [
        s
        for s in _named(spans, "POST /webhook/{path:path}")
        if s["attributes"].get("aura.correlation_id") == cid
    ]
    assert request["service"] == "aura-api"
    assert request["attributes"]["http.response.status_code"] == 202
    (execution,) = [
        s
        for s in spans
        if s["attributes"].get("aura.execution_id") == eid and s["name"].startswith("execution")
    ]
    assert execution["name"] == "execution Traced" and execution["service"] == "aura-worker"
    # across the queue: the worker's execution is a child of the API request
    assert execution["trace_id"] == request["trace_id"]
    assert execution["parent_id"] == request["span_id"]
    assert execution["status"] == ERROR and "no stock" in execution["message"]
    nodes = {s["name"]: s for s in spans if s["name"].startswith("node ")}
    assert {"node Hook", "node Tag", "node Stop"} <= set(nodes)
    for name in ("node Hook", "node Tag", "node Stop"):
        assert nodes[name]["parent_id"] == execution["span_id"]
        assert nodes[name]["attributes"]["aura.correlation_id"] == cid
    assert nodes["node Tag"]["attributes"]["aura.node_type"] == "core.set"
    assert nodes["node Stop"]["status"] == ERROR
    assert nodes["node Tag"]["status"] != ERROR


def test_spans_of_an_inline_run_nest_under_the_request(
    data_dir: Path, otlp: OtlpReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    from starlette.testclient import TestClient

    from engine.config import reset_settings
    from engine.observability import tracing
    from studio.api import create_app

    monkeypatch.setenv("AURA_OTEL_ENDPOINT", otlp.url)
    reset_settings()
    tracing.reset()
    wf = {
        "name": "Here",
        "nodes": [
            {"name": "Start", "type": "core.manual_trigger"},
            {"name": "Set", "type": "core.set", "parameters": {"assignments": []}},
        ],
        "connections": [{"source": "Start", "target": "Set"}],
    }
    try:
        with TestClient(create_app(runtime="inline", auth=False)) as c:
            wid = c.post("/api/v1/workflows", json=wf).json()["id"]
            r = c.post(
                f"/api/v1/workflows/{wid}/run?wait=true",
                json={},
                headers={"X-Correlation-ID": "inline-77"},
            )
            assert r.status_code in (200, 202), r.text
        tracing.flush()
        spans = otlp.spans()
    finally:
        tracing.reset()
        monkeypatch.delenv("AURA_OTEL_ENDPOINT")
        reset_settings()
    (request,) = [
        s for s in spans if s["attributes"].get("http.route") == "/api/v1/workflows/{id}/run"
    ]
    (execution,) = _named(spans, "execution Here")
    (node,) = _named(spans, "node Set")
    assert execution["parent_id"] == request["span_id"]
    assert node["parent_id"] == execution["span_id"]
    assert {s["trace_id"] for s in (request, execution, node)} == {request["trace_id"]}
    assert all(
        s["attributes"]["aura.correlation_id"] == "inline-77" for s in (request, execution, node)
    )


def test_without_an_endpoint_nothing_of_the_tracing_sdk_is_imported(data_dir: Path) -> None:
    """An API app and an inline run: no span, no tracing middleware, no SDK import."""
    code = """
import json, sys
from starlette.testclient import TestClient
from studio.api import create_app
app = create_app(runtime="inline", auth=False)
wf = {"name": "Off", "nodes": [{"name": "Start", "type": "core.manual_trigger"}],
      "connections": []}
with TestClient(app) as c:
    wid = c.post("/api/v1/workflows", json=wf).json()["id"]
    r = c.post(f"/api/v1/workflows/{wid}/run?wait=true", json={})
names = [m.cls.__name__ for m in app.user_middleware]
print(json.dumps({"status": r.status_code, "middleware": names,
                  "modules": [m for m in sys.modules if m.startswith(("opentelemetry.sdk.trace",
                              "opentelemetry.exporter"))]}))
"""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    found = json.loads(out.stdout.strip().splitlines()[-1])
    assert found["status"] in (200, 202)
    assert "TracingMiddleware" not in found["middleware"]
    assert found["modules"] == []
