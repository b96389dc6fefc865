"""The OpenAPI document and docs page, and a schemathesis run against a live server
that must find no server error (5xx)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from tests.support.fixtures import redis_for_tests, redis_url  # noqa: F401 (fixtures)

ROOT = Path(__file__).resolve().parents[2]


def test_document_is_openapi_31_from_the_routes(anon: TestClient, app: Any) -> None:
    doc = anon.get("/api/v1/openapi.json").json()
    assert doc["openapi"] == "3.1.0"
    ops = [(m.upper(), p) for p, methods in doc["paths"].items() for m in methods]
    declared = [(op.method, re.sub(r"\{(\w+)(:\w+)?\}", r"{\1}", op.path))
                for op in app.state.operations]
    assert sorted(ops) == sorted(declared)
    ids = [o["operationId"] for m in doc["paths"].values() for o in m.values()]
    assert len(ids) == len(set(ids))
    get = doc["paths"]["/api/v1/workflows/{id}"]["get"]
    assert get["x-aura-action"] == "workflow:read" and get["security"]
    assert {"401", "403", "404"} <= set(get["responses"])
    assert get["responses"]["404"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorOut"}
    listing = doc["paths"]["/api/v1/workflows"]["get"]
    names = {p["name"] for p in listing["parameters"]}
    assert {"limit", "offset", "search", "tag", "active"} <= names
    create = doc["paths"]["/api/v1/workflows"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Workflow"}
    assert "Workflow" in doc["components"]["schemas"]
    health = doc["paths"]["/healthz"]["get"]
    assert "security" not in health and health["x-aura-action"] is None
    version = doc["paths"]["/api/v1/workflows/{id}/versions/{number}"]["get"]
    number = next(p for p in version["parameters"] if p["name"] == "number")
    assert number["schema"]["type"] == "integer"


def test_docs_page_is_self_contained(anon: TestClient) -> None:
    r = anon.get("/api/v1/docs")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = r.text
    assert "/api/v1/workflows/{id}/activate" in page and "workflow:activate" in page
    assert not re.search(r"""(src|href)=['"]?(https?:)?//""", page)


@pytest.fixture
def live_server(tmp_path: Path, redis_url: str) -> Iterator[tuple[str, Path]]:  # noqa: F811
    """``python -m studio.api`` on a free loopback port, with its own data dir, running
    workflows in-process but with a real Redis (so the queue and worker routes answer
    for real; its queue is private)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "AURA_DATA_DIR": str(tmp_path / "data"),
           "AURA_PASSWORD_HASH_TIME_COST": "1", "AURA_PASSWORD_HASH_MEMORY_KIB": "1024",
           "AURA_PASSWORD_HASH_PARALLELISM": "1", "AURA_REDIS_URL": redis_url,
           "AURA_QUEUE_NAME": f"openapi-{port}"}
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "studio.api", "--host", "127.0.0.1", "--port", str(port),
             "--runtime", "inline", "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.1)
        yield url, log
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


@pytest.mark.slow
@pytest.mark.redis
def test_schemathesis_finds_no_server_error(live_server: tuple[str, Path],
                                            tmp_path: Path) -> None:
    pytest.importorskip("schemathesis")
    cli = shutil.which("schemathesis", path=str(Path(sys.executable).parent))
    if cli is None:
        pytest.skip("the schemathesis command is not installed")
    url, log = live_server
    setup = httpx.post(f"{url}/api/v1/auth/setup", json={
        "email": "owner@example.com", "password": "correct horse battery staple"})
    assert setup.status_code == 201, setup.text
    token = setup.json()["access_token"]
    # one worker: hypothesis parses lambda sources with ast, which is not thread-safe on
    # CPython 3.11 ("AST constructor recursion depth mismatch" with --workers 2)
    result = subprocess.run(
        [cli, "run", f"{url}/api/v1/openapi.json", "--checks", "not_a_server_error",
         "--max-examples", "5", "--seed", "1", "--phases", "coverage,fuzzing",
         "--max-time", "40", "--workers", "1", "--generation-database", "none",
         "--no-color", "--request-timeout", "20",
         "--header", f"Authorization: Bearer {token}"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120)
    tail = result.stdout[-4000:]
    server = log.read_text()
    assert "Traceback" not in server, server[-6000:]
    assert result.returncode == 0, tail
    assert re.search(r"\d+ generated", tail), tail
    selected = re.search(r"Selected: (\d+)/(\d+)", tail)
    tested = re.search(r"Tested: (\d+)", tail)
    assert selected and tested, tail
    assert int(tested.group(1)) == int(selected.group(2)), tail  # every operation ran
