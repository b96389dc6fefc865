"""The docs site at ``/docs``: a real ``aura up`` answers at once with a page saying the
docs are being built (it reloads itself), builds them in the background and then serves
the site, every node's reference page where the studio links to it; a second start
serves the same site without building it again. Without a site, ``/docs`` says how to
build one; after a failed build, why it failed."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from tests.support.aura_up import start_up, stop_up, up_env
from tests.support.env import FAST_ENV


@pytest.fixture
def client(data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from engine.config import reset_settings
    from engine.services.store import reset_store
    from studio.api import create_app

    monkeypatch.setenv("AURA_API_DOCS_DIR", str(tmp_path / "site"))
    reset_settings()
    reset_store()
    with TestClient(create_app(runtime="inline")) as c:
        yield c
    reset_store()


def test_without_a_site_docs_says_how_to_build_it(client: TestClient, tmp_path: Path) -> None:
    r = client.get("/docs", follow_redirects=False)
    assert r.status_code == 307 and r.headers["location"] == "/docs/"
    r = client.get("/docs/")
    assert r.status_code == 404
    assert f"aura docs build --out {tmp_path / 'site'}" in r.text
    assert "pip install 'aura[docs]'" in r.text
    # the API's own reference page is not the site's
    assert client.get("/api/v1/docs").status_code == 200


def test_after_a_failed_build_docs_says_why(client: TestClient, tmp_path: Path) -> None:
    record = tmp_path / "site.state.json"  # what the builder writes beside the site
    record.write_text(json.dumps({"status": "failed", "message": "No such page <x>"}))
    r = client.get("/docs/")
    assert r.status_code == 503 and "did not build" in r.text
    assert "No such page &lt;x&gt;" in r.text and "aura docs build --out" in r.text


def test_a_build_whose_builder_died_is_not_waited_for(client: TestClient, tmp_path: Path) -> None:
    """While the builder named in the record runs, /docs says the site is being built
    (and reloads); once that process is gone (killed with 'aura up'), or the record names
    no process at all, it says how to build the site instead of reloading forever."""
    record = tmp_path / "site.state.json"
    record.write_text(json.dumps({"status": "building", "pid": os.getpid()}))
    r = client.get("/docs/")
    assert r.status_code == 503 and "being built" in r.text
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    for pid in (dead.pid, True, "12", None, -1):
        record.write_text(json.dumps({"status": "building", "pid": pid}))
        r = client.get("/docs/")
        assert r.status_code == 404 and "aura docs build --out" in r.text, pid


def _builder_runs(pid: int) -> bool:
    for task in Path(f"/proc/{pid}/task").iterdir():
        for kid in (task / "children").read_text().split():
            with contextlib.suppress(OSError):  # it may just have ended
                if b"engine.cli._docs_site" in Path(f"/proc/{kid}/cmdline").read_bytes():
                    return True
    return False


def _zombies(pid: int) -> list[str]:
    """The children of ``pid`` that ended and were never waited for."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for kid in (task / "children").read_text().split():
            with contextlib.suppress(OSError):
                stat = Path(f"/proc/{kid}/stat").read_text()
                if stat[stat.rfind(")") + 2] == "Z":
                    found.append(kid)
    return found


@pytest.mark.slow
def test_aura_up_builds_the_docs_in_the_background_and_serves_them(tmp_path: Path) -> None:
    from engine.runtimes.embedded import free_port
    from engine.sdk import get_catalog
    from engine.services.docs import node_page_url, read_record

    port = free_port()
    env = up_env(tmp_path / "data", {k: v for k, v in FAST_ENV.items() if "QUEUE" in k})
    env.pop("AURA_API_DOCS_DIR", None)
    base = f"http://127.0.0.1:{port}"
    proc, lines = start_up("--port", str(port), "--studio-port", "0", env=env)
    try:
        assert f"docs {base}/docs" in " ".join(lines).replace("\n", "")
        assert "building the site" in "\n".join(lines)
        deadline = time.monotonic() + 60
        while True:  # the API answers long before the site is built
            try:
                first = httpx.get(f"{base}/docs/", timeout=5)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the API did not answer"
                time.sleep(0.5)
        assert first.status_code == 503, first.text
        assert "being built" in first.text and 'http-equiv="refresh"' in first.text
        deadline = time.monotonic() + 300
        while (index := httpx.get(f"{base}/docs/", timeout=5)).status_code != 200:
            assert index.status_code == 503, index.text
            assert time.monotonic() < deadline, "the docs were not built in 5 minutes"
            time.sleep(2)
        assert "Getting started" in index.text and "assets/stylesheets" in index.text
        for spec in get_catalog().latest():
            page = httpx.get(base + node_page_url(spec.type), timeout=5)
            assert page.status_code == 200, spec.type
            assert spec.type in page.text
        assert httpx.get(f"{base}/docs/search/search_index.json", timeout=5).status_code == 200
        for path in ("no-such-page.html", "reference/nodes/core.gone.html"):
            missing = httpx.get(f"{base}/docs/{path}", timeout=5)
            assert missing.status_code == 404
            assert "not in the docs" in missing.text and 'href="/docs/"' in missing.text
    finally:
        stop_up(proc, lines)
    site = tmp_path / "data" / "docs-site"
    built, stamp = os.stat(site / "index.html").st_mtime_ns, read_record(site)["stamp"]

    # a second start: the site is up to date, served at once, not built again
    proc, lines = start_up("--port", str(port), "--studio-port", "0", env=env)
    try:
        assert "building the site" not in "\n".join(lines)
        deadline = time.monotonic() + 60
        while True:
            try:
                again = httpx.get(f"{base}/docs/", timeout=5)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the API did not answer"
                time.sleep(0.5)
        assert again.status_code == 200 and "Getting started" in again.text
        deadline = time.monotonic() + 120
        while _builder_runs(proc.pid):  # it finds the site fresh and leaves it
            assert time.monotonic() < deadline, "the docs check did not end"
            time.sleep(0.5)
        while _zombies(proc.pid):  # aura up waits for the ended check: no zombie left
            assert time.monotonic() < deadline, f"zombie children: {_zombies(proc.pid)}"
            time.sleep(0.5)
        # rebuilt only if what it is made of changed meanwhile (others may edit this tree)
        rebuilt = os.stat(site / "index.html").st_mtime_ns != built
        assert rebuilt == (read_record(site)["stamp"] != stamp), read_record(site)
    finally:
        stop_up(proc, lines)
