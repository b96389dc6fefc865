"""``aura up`` as the README starts it, with the studio: a new user opens the studio in
Chromium, creates the owner account and lands on the workflows page; the studio is one
process (built, then served with its API by ``python -m studio.serve``), which also
answers the API on its own port."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.studio.conftest import OWNER

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> list[tuple[int, str]]:
    out = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for kid in (task / "children").read_text().split():
            cmd = Path(f"/proc/{kid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            out.append((int(kid), cmd))
    return out


def _answers(url: str) -> bool:
    with contextlib.suppress(httpx.HTTPError):
        return httpx.get(url, timeout=2).status_code == 200
    return False


@pytest.fixture
def aura_up(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], str, str]]:
    api, studio = _free_port(), _free_port()
    env = {**os.environ, "AURA_DATA_DIR": str(tmp_path / "data"), "AURA_LOG_LEVEL": "WARNING"}
    for key in ("AURA_REDIS_URL", "AURA_DB_URL", "AURA_RUNTIME", "AURA_STUDIO_URL",
                "REFLEX_WEB_WORKDIR", "REFLEX_API_URL"):
        env.pop(key, None)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    log = tmp_path / "up.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "engine", "up", "--port", str(api), "--studio-port",
             str(studio)],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    base, api_base = f"http://127.0.0.1:{studio}", f"http://127.0.0.1:{api}"
    try:
        deadline = time.monotonic() + 840  # a first build installs the npm packages
        while not (_answers(base + "/") and _answers(api_base + "/healthz")):
            assert proc.poll() is None, f"aura up exited:\n{log.read_text()[-3000:]}"
            assert time.monotonic() < deadline, f"no studio:\n{log.read_text()[-3000:]}"
            time.sleep(1)
        yield proc, base, api_base
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_aura_up_serves_the_studio_to_a_new_user(
    aura_up: tuple[subprocess.Popen[bytes], str, str], browser: Any
) -> None:
    proc, base, api_base = aura_up
    kids = [cmd for _, cmd in _children(proc.pid)]
    assert sum("studio.serve" in cmd for cmd in kids) == 1, kids
    assert not any("reflex run" in cmd for cmd in kids), kids
    # the studio process serves the API on its port too: no separate API process
    assert not any("studio.api" in cmd for cmd in kids), kids

    page = browser.new_context().new_page()
    page.goto(f"{base}/workflows")
    page.wait_for_selector("#setup-form", timeout=60_000)  # no owner yet
    page.fill("#f-name", OWNER["name"])
    page.fill("#f-email", OWNER["email"])
    page.fill("#f-password", OWNER["password"])
    page.fill("#f-confirm", OWNER["password"])
    page.click("#setup-submit")
    page.wait_for_selector("#user-menu >> text=owner", timeout=60_000)
    assert urlsplit(page.url).path.rstrip("/") == "/workflows"

    # the API on its own port knows the owner the studio created
    r = httpx.post(f"{api_base}/api/v1/auth/login",
                   json={"email": OWNER["email"], "password": OWNER["password"]}, timeout=30)
    assert r.status_code == 200, r.text

    # the build left the tracked files as they were (a clean work tree after aura up)
    if (ROOT / ".git").exists():
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--", "reflex.lock", ".gitignore", "rxconfig.py"],
            cwd=ROOT, capture_output=True, text=True, check=True).stdout
        assert changed == "", changed
