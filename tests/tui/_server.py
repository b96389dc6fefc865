"""The real API server of the console tests: ``python -m studio.api`` on a free loopback
port with its own data directory, and the CLI calls that set it up."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
EMAIL = "operator@example.com"
PASSWORD = "correct horse battery staple"
FIXTURES = Path(__file__).parent / "workflows"


@dataclass
class Server:
    """The running server and what the fixture put in it."""

    url: str
    data_dir: Path
    api_key: str
    env: dict[str, str]
    workflows: dict[str, str] = field(default_factory=dict)  # name -> id
    log: Path | None = None

    def client(self) -> httpx.Client:
        """A synchronous client signed in with the API key (for arranging and checking)."""
        return httpx.Client(base_url=self.url + "/api/v1", timeout=30,
                            headers={"X-API-Key": self.api_key})

    def run(self, name: str, items: list[dict[str, Any]] | None = None, *,
            wait: bool = True) -> str:
        """Runs a workflow through the API; returns the execution id."""
        with self.client() as c:
            r = c.post(f"/workflows/{self.workflows[name]}/run",
                       params={"wait": str(wait).lower()}, json={"input_items": items})
            assert r.status_code in (200, 202), r.text
            return str(r.json()["execution_id"])

    def execution(self, execution_id: str) -> dict[str, Any]:
        with self.client() as c:
            r = c.get(f"/executions/{execution_id}")
            r.raise_for_status()
            return dict(r.json())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def aura_cli(env: dict[str, str], *args: str) -> str:
    result = subprocess.run([sys.executable, "-m", "engine", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def start_server(data_dir: Path, port: int, env: dict[str, str], log: Path,
                 runtime: str = "inline") -> subprocess.Popen[bytes]:
    """Starts ``python -m studio.api`` and waits until ``/healthz`` answers."""
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "studio.api", "--host", "127.0.0.1", "--port", str(port),
             "--runtime", runtime, "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        assert proc.poll() is None, log.read_text()
        assert time.monotonic() < deadline, "the API server did not start"
        time.sleep(0.1)


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def server_env(data_dir: Path) -> dict[str, str]:
    env = {**os.environ, "AURA_DATA_DIR": str(data_dir),
           "AURA_PASSWORD_HASH_TIME_COST": "1", "AURA_PASSWORD_HASH_MEMORY_KIB": "1024",
           "AURA_PASSWORD_HASH_PARALLELISM": "1", "AURA_ACCESS_TOKEN_TTL_S": "3600"}
    for name in ("AURA_REDIS_URL", "AURA_DB_URL", "AURA_RUNTIME"):
        env.pop(name, None)
    return env


