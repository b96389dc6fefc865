"""The console's knowledge screen (key 7) against a real API server: the bases created
through the API with their document and chunk counts, the documents of the highlighted
one (a poll keeps the user's choice), and, on a server with Redis, an ingest started
through the API shown queued with its progress bar, then, once a real worker
(``python -m engine worker``) ran it, finished with the new counts."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Label, ProgressBar

from tests.support.redis import redis_server
from tests.tui._canned import CannedApi
from tests.tui._helpers import cells, make_app, signed_in, text_of, wait_for
from tests.tui._server import (
    EMAIL,
    PASSWORD,
    ROOT,
    Server,
    aura_cli,
    free_port,
    server_env,
    start_server,
    stop_server,
)
from tui.screens.knowledge import KnowledgeScreen

pytestmark = pytest.mark.anyio

GUIDE = (
    "# Retries\n\nA failed node is retried three times with a growing delay. "
    "Set the retry policy on the node's settings tab.\n\n"
    "# Timeouts\n\nEvery node stops after its timeout; the execution then fails."
)
FAQ = "Webhooks answer 202 at once unless the workflow asks to respond at the end."


def _base(server: Server, name: str, docs: list[dict[str, str]] | None = None) -> str:
    with server.client() as c:
        r = c.post("/knowledge-bases", json={"name": name})
        assert r.status_code == 201, r.text
        kb = str(r.json()["id"])
        if docs:
            added = c.post(f"/knowledge-bases/{kb}/documents", json={"documents": docs})
            assert added.status_code == 200, added.text
            assert all(d["status"] == "added" for d in added.json()["items"]), added.text
        return kb


def _row(table: DataTable[Any], name: str) -> list[str]:
    rows = [r for r in cells(table) if r[0] == name]
    return rows[0] if rows else []


async def test_bases_with_counts_and_documents(
    server: Server, config_file: Path, tokens: dict[str, str]
) -> None:
    kb = _base(
        server,
        "Console handbook",
        [{"name": "guide.md", "text": GUIDE}, {"name": "faq.txt", "text": FAQ}],
    )
    _base(server, "Empty shelf")
    with server.client() as c:
        expected = c.get(f"/knowledge-bases/{kb}").json()
    assert expected["documents"] == 2 and expected["chunks"] >= 2

    app = make_app(server, config_file, tokens=tokens)
    async with app.run_test(size=(80, 24)) as pilot:
        await signed_in(pilot)
        await pilot.press("7")
        screen: Any = await wait_for(
            pilot,
            lambda: (
                isinstance(app.screen, KnowledgeScreen)
                and len(app.screen.bases) >= 2
                and app.screen
            ),
            what="the knowledge screen with its bases",
        )
        table = screen.query_one("#kb-table", DataTable)
        row = _row(table, "Console handbook")
        assert row[2:4] == ["2", str(expected["chunks"])], row
        assert row[5].startswith("wordllama"), row
        assert _row(table, "Empty shelf")[2:4] == ["0", "0"]
        assert table.region.right <= 80

        names = [b.name for b in screen.bases]
        table.move_cursor(row=names.index("Console handbook"))
        docs = screen.query_one("#kb-docs", DataTable)
        await wait_for(
            pilot,
            lambda: sorted(r[0] for r in cells(docs)) == ["faq.txt", "guide.md"],
            what="the documents of the handbook",
        )
        assert "Documents of Console handbook (2)" in text_of(
            screen.query_one("#kb-docs-title", Label)
        )
        # this server has no Redis: the screen says so instead of showing an ingest
        note = text_of(screen.query_one("#kb-ingest-text", Label))
        assert "no workers" in note and not screen.query_one("#kb-ingest-bar").display

        # the user's choice survives the polls
        await pilot.press("escape")
        table.move_cursor(row=names.index("Empty shelf"))
        await wait_for(
            pilot,
            lambda: "none yet" in text_of(screen.query_one("#kb-docs-title", Label)),
            what="the empty base's documents",
        )
        assert docs.row_count == 0
        await pilot.pause(app.poll_interval * 4)
        assert screen.selected.name == "Empty shelf"
        assert "Empty shelf" in text_of(screen.query_one("#kb-docs-title", Label))


async def test_empty_state_in_plain_words(server: Server, config_file: Path) -> None:
    """A user who can read no knowledge base is told how to make one."""
    email = f"viewer-{free_port()}@example.com"
    with server.client() as c:
        token = c.post("/invitations", json={"email": email, "role": "viewer"}).json()["token"]
        assert (
            c.post(
                "/auth/invitations/accept", json={"token": token, "password": PASSWORD}
            ).status_code
            == 201
        )
        login = c.post("/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    tokens = {
        "access_token": login.json()["access_token"],
        "refresh_token": login.json()["refresh_token"],
    }
    app = make_app(server, config_file, tokens=tokens)
    async with app.run_test(size=(80, 24)) as pilot:
        await signed_in(pilot)
        await pilot.press("7")
        screen: Any = await wait_for(
            pilot,
            lambda: isinstance(app.screen, KnowledgeScreen) and app.screen,
            what="the knowledge screen",
        )
        empty = screen.query_one("#kb-empty", Label)
        await wait_for(pilot, lambda: empty.display, what="the empty state")
        assert "No knowledge bases you can read yet" in text_of(empty)
        assert "aura kb create" in text_of(empty)


async def test_a_server_without_the_knowledge_api(
    server: Server, config_file: Path, tokens: dict[str, str]
) -> None:
    canned = CannedApi(
        server.url, fleet=False, stream=False, hide=frozenset({"/api/v1/knowledge-bases"})
    )
    app = make_app(server, config_file, tokens=tokens, transport=canned.transport())
    async with app.run_test(size=(80, 24)) as pilot:
        await signed_in(pilot)
        await pilot.press("7")
        screen: Any = await wait_for(
            pilot, lambda: isinstance(app.screen, KnowledgeScreen) and app.screen
        )
        line = screen.query_one("#kb-error", Label)
        await wait_for(pilot, lambda: line.display, what="the error line")
        assert "no knowledge API" in text_of(line) and "older" in text_of(line)
        app.clear_notifications()  # the sign-in notice
        await pilot.pause(app.poll_interval * 3)
        # said on the screen, not as a notice at every poll
        assert [n.message for n in app._notifications] == []


@pytest.fixture(scope="module")
def redis_server_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A real Redis and an API server using it; no worker yet (the test starts one)."""
    base = tmp_path_factory.mktemp("tui-kb-redis")
    data_dir = base / "data"
    with redis_server() as redis:
        env = {
            **server_env(data_dir),
            "AURA_REDIS_URL": redis.url,
            "AURA_QUEUE_NAME": f"tui-kb-{os.getpid()}",
            "AURA_HTTP_ALLOW": "127.0.0.1/32",
        }
        aura_cli(
            env,
            "user",
            "create-owner",
            "--email",
            EMAIL,
            "--password",
            PASSWORD,
            "--name",
            "Operator",
        )
        out = aura_cli(env, "user", "api-key", "create", EMAIL, "--name", "kb tests")
        key = re.search(r"^(aura_\S+)$", out, re.M)
        assert key, out
        log = base / "server.log"
        port = free_port()
        proc = start_server(data_dir, port, env, log, runtime="rq")
        try:
            yield Server(f"http://127.0.0.1:{port}", data_dir, key.group(1), env, {}, log)
        finally:
            stop_server(proc)


@contextlib.contextmanager
def _slow_page() -> Iterator[tuple[str, threading.Event]]:
    """A loopback page that answers only once the event is set (an ingest reaching it
    stays half done until then)."""
    release = threading.Event()

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            release.wait(60)
            body = b"Deploys roll out one worker at a time; the queue keeps every job."
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/deploy.txt", release
    finally:
        release.set()
        httpd.shutdown()
        httpd.server_close()


@contextlib.contextmanager
def _worker(server: Server) -> Iterator[None]:
    with (server.data_dir.parent / "worker.log").open("ab") as wlog:
        worker = subprocess.Popen(
            [sys.executable, "-m", "engine", "worker", "--queues", server.env["AURA_QUEUE_NAME"]],
            cwd=ROOT,
            env=server.env,
            stdout=wlog,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(10)


@pytest.mark.redis
async def test_ingest_progress_then_finished_counts(
    redis_server_env: Server, config_file: Path
) -> None:
    server = redis_server_env
    kb = _base(server, "Runbook")
    with _slow_page() as (url, release), server.client() as c:
        job = c.post(
            f"/knowledge-bases/{kb}/ingests",
            json={
                "documents": [
                    {"name": "guide.md", "text": GUIDE},
                    {"name": "faq.txt", "text": FAQ},
                    {"url": url},
                    {"name": "empty.txt", "text": ""},
                ]
            },
        )
        assert job.status_code == 202, job.text
        job_id = job.json()["id"]

        app = make_app(server, config_file, api_key=server.api_key)
        async with app.run_test(size=(120, 40)) as pilot:
            await signed_in(pilot)
            await pilot.press("7")
            screen: Any = await wait_for(
                pilot,
                lambda: isinstance(app.screen, KnowledgeScreen) and app.screen.job and app.screen,
                what="the ingest of the runbook",
            )
            text = screen.query_one("#kb-ingest-text", Label)
            bar = screen.query_one("#kb-ingest-bar", ProgressBar)
            # no worker yet: the job waits in the queue
            assert screen.job.id == job_id
            assert f"Ingest {job_id[:8]}" in text_of(text) and "queued" in text_of(text)
            assert "0 of 4 documents" in text_of(text)
            assert bar.display and bar.total == 4 and bar.progress == 0
            assert _row(screen.query_one("#kb-table", DataTable), "Runbook")[2] == "0"

            with _worker(server):
                # the worker added the two texts and waits for the page: half done
                await wait_for(
                    pilot,
                    lambda: f"now: {url}" in text_of(text),
                    timeout=90,
                    what="the page being fetched",
                )
                assert "running" in text_of(text) and "2 of 4 documents" in text_of(text)
                assert bar.progress == 2
                await wait_for(
                    pilot,
                    lambda: _row(screen.query_one("#kb-table", DataTable), "Runbook")[2] == "2",
                    what="the list counting the documents added so far",
                )
                release.set()
                await wait_for(
                    pilot,
                    lambda: "succeeded" in text_of(text),
                    timeout=60,
                    what="the ingest finished",
                )
            line = text_of(text)
            assert "4 of 4 documents" in line and "1 failed" in line, line
            assert "empty.txt" in line  # why it failed, in the worker's words
            assert bar.progress == bar.total == 4
            counts = c.get(f"/knowledge-bases/{kb}").json()
            assert counts["documents"] == 3
            table = screen.query_one("#kb-table", DataTable)
            await wait_for(
                pilot,
                lambda: _row(table, "Runbook")[2:4] == ["3", str(counts["chunks"])],
                what="the finished counts in the list",
            )
            docs = screen.query_one("#kb-docs", DataTable)
            await wait_for(pilot, lambda: docs.row_count == 3, what="the three documents")


@pytest.mark.redis
async def test_x_cancels_the_ingest_under_way(redis_server_env: Server, config_file: Path) -> None:
    """``x`` while a worker is fetching a URL document: the job says it is cancelling,
    then ends cancelled with the document before it kept and the URL one not added."""
    server = redis_server_env
    kb = _base(server, "Cancelled runbook")
    with _slow_page() as (url, release), server.client() as c:
        job = c.post(
            f"/knowledge-bases/{kb}/ingests",
            json={
                "documents": [
                    {"name": "guide.md", "text": GUIDE},
                    {"url": url},
                    {"name": "faq.txt", "text": FAQ},
                ]
            },
        )
        assert job.status_code == 202, job.text
        app = make_app(server, config_file, api_key=server.api_key)
        async with app.run_test(size=(120, 40)) as pilot:
            await signed_in(pilot)
            await pilot.press("7")
            screen: Any = await wait_for(
                pilot,
                lambda: (
                    isinstance(app.screen, KnowledgeScreen)
                    and app.screen.job
                    and app.screen.selected
                    and app.screen.selected.name == "Cancelled runbook"
                    and app.screen
                ),
                what="the ingest of the base",
            )
            text = screen.query_one("#kb-ingest-text", Label)
            with _worker(server):
                await wait_for(
                    pilot, lambda: f"now: {url}" in text_of(text), timeout=90, what="the fetch"
                )
                await pilot.press("x")
                await wait_for(
                    pilot, lambda: "cancelling" in text_of(text), what="the cancel being asked"
                )
                release.set()
                await wait_for(
                    pilot, lambda: "cancelled" in text_of(text), timeout=60, what="it stopped"
                )
            line = text_of(text)
            assert "1 of 3 documents" in line and "Cancelled by" in line, line
            assert "was not added" in line
            assert c.get(f"/knowledge-bases/{kb}").json()["documents"] == 1
            # nothing is under way any more: x says so
            await pilot.press("x")
            await wait_for(
                pilot,
                lambda: any("No ingest" in n.message for n in app._notifications),
                what="the notice",
            )
