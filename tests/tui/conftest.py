"""Fixtures for the console tests: a REAL API server (``python -m studio.api``) on a free
loopback port with its own data directory, set up the way an operator would: an owner
and an API key from the ``aura`` CLI, workflows imported with ``aura workflow import``,
and a few executions run through the API.

Each test builds an :class:`~tui.app.AuraConsole` with a private config file and drives
it with Textual's Pilot (``app.run_test``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.tui._server import (
    EMAIL,
    FIXTURES,
    PASSWORD,
    Server,
    aura_cli,
    free_port,
    server_env,
    start_server,
    stop_server,
)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One real API server for the whole console test session."""
    base = tmp_path_factory.mktemp("tui-server")
    data_dir = base / "data"
    env = server_env(data_dir)
    aura_cli(env, "user", "create-owner", "--email", EMAIL, "--password", PASSWORD,
          "--name", "Operator")
    out = aura_cli(env, "user", "api-key", "create", EMAIL, "--name", "console tests")
    key = re.search(r"^(aura_\S+)$", out, re.M)
    assert key, out
    imported = json.loads(aura_cli(env, "workflow", "import", "--input", str(FIXTURES),
                                "--separate", "--json"))
    port = free_port()
    log = base / "server.log"
    proc = start_server(data_dir, port, env, log)
    srv = Server(f"http://127.0.0.1:{port}", data_dir, key.group(1), env,
                 {w["name"]: w["id"] for w in imported}, log)
    try:
        srv.run("Greet orders", [{"customer": "Ada", "total": 150},
                                 {"customer": "Bob", "total": 20}])
        srv.run("Always fails")
        yield srv
    finally:
        stop_server(proc)
        assert "Traceback" not in log.read_text(), log.read_text()[-5000:]


@pytest.fixture(scope="session")
def tokens(server: Server) -> dict[str, str]:
    """One password sign-in for the session (the login rate limit is 10 a minute)."""
    r = httpx.post(f"{server.url}/api/v1/auth/login",
                   json={"email": EMAIL, "password": PASSWORD}, timeout=30)
    assert r.status_code == 200, r.text
    return {"access_token": r.json()["access_token"],
            "refresh_token": r.json()["refresh_token"]}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    """A private console settings file for one test."""
    return tmp_path / "config" / "console.json"
