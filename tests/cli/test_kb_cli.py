"""``aura kb``: create, ingest a folder (Markdown, HTML, PDF; one unreadable file reported),
search with sources, list, delete."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from engine.cli.app import app
from tests.knowledge.pdf import make_pdf
from tests.support.fixtures import redis_for_tests, redis_url  # noqa: F401 (fixtures)

runner = CliRunner()


@pytest.fixture(autouse=True)
def _private_store(data_dir: Path) -> Iterator[None]:
    from engine.services.store import reset_store

    reset_store()
    yield
    reset_store()


def aura(*args: str) -> Any:
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_create_ingest_search_list_delete(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    (docs / "guide").mkdir(parents=True)
    (docs / "guide" / "backup.md").write_text(
        "# Backups\n\nRun pg_dump every night and keep the dumps off the machine."
    )
    (docs / "webhooks.html").write_text(
        "<html><body><nav>Home</nav><main><h1>Webhooks</h1><p>A webhook trigger starts a "
        "workflow when another service sends an HTTP request.</p></main></body></html>"
    )
    (docs / "invoices.pdf").write_bytes(
        make_pdf(["Invoices are emailed to customers", "on the first day of every month."])
    )
    (docs / "broken.pdf").write_bytes(b"%PDF-1.4 nothing else")
    (docs / "image.png").write_bytes(b"\x89PNG")  # not a document type: skipped

    assert aura("kb", "create", "Docs", "--size", "80").exit_code == 0
    r = aura("kb", "ingest", "Docs", str(docs))
    assert r.exit_code == 1  # one file failed; the others were added
    assert "broken.pdf: failed" in r.output and "not a readable PDF" in r.output
    assert r.output.count(": added") == 3 and "image.png" not in r.output

    r = aura("kb", "search", "Docs", "when do customers get their bills?", "--json", "-k", "2")
    hits = json.loads(r.output)
    assert hits[0]["document"] == "invoices.pdf" and "first day" in hits[0]["text"]
    r = aura("kb", "search", "Docs", "how can another service start my workflow?", "--json")
    assert json.loads(r.output)[0]["document"] == "webhooks.html"

    listed = json.loads(aura("kb", "list", "--json").output)
    assert [(b["name"], b["documents"]) for b in listed] == [("Docs", 3)]
    assert aura("kb", "delete", "Docs", "--yes").exit_code == 0
    r = aura("kb", "search", "Docs", "bills")
    assert r.exit_code == 2 and "No knowledge base 'Docs'" in r.output


@pytest.mark.slow
@pytest.mark.redis
def test_ingest_on_the_workers_shows_a_progress_bar(tmp_path: Path, redis_url: str) -> None:  # noqa: F811
    """``aura knowledge ingest`` in a terminal, a real worker process doing the work."""
    import os
    import subprocess
    import sys

    from tests.knowledge.test_ingest_jobs import big_markdown
    from tests.support.env import queue_env

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "handbook.md").write_text(big_markdown(150))
    (docs / "notes.txt").write_text("Parking is on level two of the garage.")
    with queue_env("sqlite", tmp_path / "data", redis_url) as env:
        made = aura("knowledge", "create", "Handbook", "--size", "40", "--overlap", "5")
        assert made.exit_code == 0, made.output
        env.worker()
        run = subprocess.run(
            [sys.executable, "-m", "engine", "knowledge", "ingest", "Handbook", str(docs)],
            env={**os.environ, **env.vars, "TTY_COMPATIBLE": "1", "COLUMNS": "120"},
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        assert run.returncode == 0, run.stdout + run.stderr + env.logs()
        out = run.stdout
        assert "queued for the workers" in out
        assert "documents" in out and "chunks" in out and "━" in out  # the bars
        assert "handbook.md: added" in out and "notes.txt: added, 1 chunk" in out
        jobs = json.loads(aura("kb", "ingests", "Handbook", "--json").output)
        assert [(j["status"], j["documents_done"], j["by"]) for j in jobs] == [
            ("succeeded", 2, "console")
        ]
        assert f"2 of 2 document(s), {jobs[0]['chunks_done']} chunk(s)." in out

        r = aura("kb", "chunks", "Handbook", "notes.txt")
        assert r.exit_code == 0 and "#0" in r.output and "level two" in r.output


def test_changing_the_model_warns_and_reembeds(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from engine.cli.cmd_user import _operator
    from engine.config import reset_settings
    from engine.knowledge.embedders_openai import model_name
    from engine.services import credentials
    from tests.knowledge.embedding_server import EmbeddingServer

    monkeypatch.setenv("AURA_HTTP_ALLOW", "127.0.0.1")
    reset_settings()
    assert aura("kb", "create", "Notes").exit_code == 0
    r = runner.invoke(app, ["kb", "ingest", "Notes", "--here", "-"], catch_exceptions=False)
    assert r.exit_code == 2  # "-" is no file: said in words
    with EmbeddingServer(key="sk-cli", dims=128) as server:
        cred = credentials.create_credential(
            _operator(),
            "Local",
            "openai_compatible",
            {"base_url": server.base_url, "api_key": "sk-cli"},
        )
        model = model_name("bow-128", cred.id)
        notes = tmp_path / "notes.md"
        notes.write_text("# Parking\n\nVisitors park on level two of the garage.")
        note = runner.invoke(app, ["kb", "ingest", "Notes", "--here", str(notes)])
        assert note.exit_code == 0, note.output
        # asked first, and "no" changes nothing
        r = runner.invoke(app, ["kb", "model", "Notes", model], input="n\n")
        assert r.exit_code == 1 and "embeds all" in r.output and "Re-embed now?" in r.output
        listed = json.loads(aura("kb", "list", "--json").output)
        assert listed[0]["model"] == "wordllama/l2_supercat_256"
        r = aura("kb", "model", "Notes", model, "--yes", "--here")
        assert r.exit_code == 0, r.output
        assert f"with {model}" in r.output
        listed = json.loads(aura("kb", "list", "--json").output)
        assert (listed[0]["model"], listed[0]["dims"]) == (model, 128)
    r = aura("kb", "model", "Notes", model)
    assert r.exit_code == 2 and "already uses" in r.output


@pytest.mark.slow
@pytest.mark.redis
def test_ctrl_c_during_an_ingest_on_the_workers_cancels_it(
    tmp_path: Path,
    redis_url: str,  # noqa: F811
) -> None:
    """Ctrl-C while ``aura kb ingest`` follows a real worker: it asks, the answer yes
    cancels; the document finished before stays, the one in progress is not added."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from tests.knowledge.test_ingest_jobs import big_markdown
    from tests.support.env import queue_env

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a-notes.txt").write_text("Parking is on level two of the garage.")
    (docs / "b-handbook.md").write_text(big_markdown(3000))
    (docs / "c-last.txt").write_text("The last one.")
    with queue_env("sqlite", tmp_path / "data", redis_url) as env:
        assert aura("kb", "create", "Handbook", "--size", "30", "--overlap", "0").exit_code == 0
        # nothing under way: aura kb cancel says so
        r = aura("kb", "cancel", "Handbook")
        assert r.exit_code == 2 and "No ingest of this base is under way" in r.output
        env.worker()
        run = subprocess.Popen(
            [sys.executable, "-m", "engine", "kb", "ingest", "Handbook", str(docs)],
            env={**os.environ, **env.vars, "TTY_COMPATIBLE": "1", "COLUMNS": "120"},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.monotonic() + 120
        while True:  # until the worker is part of the way through the handbook
            jobs = json.loads(aura("kb", "ingests", "Handbook", "--json").output)
            if jobs and jobs[0]["current"] == "b-handbook.md" and jobs[0]["current_done"]:
                break
            assert time.monotonic() < deadline and run.poll() is None, env.logs()
            time.sleep(0.1)
        run.send_signal(signal.SIGINT)
        out, _ = run.communicate("y\n", timeout=120)
        assert run.returncode == 130, out + env.logs()
        assert "Cancel ingest" in out and "Cancelling" in out
        assert "a-notes.txt: added" in out and "b-handbook.md: added" not in out
        assert "Cancelled by console after 1 of 3 document(s)" in out
        assert "'b-handbook.md' was not added" in out
        jobs = json.loads(aura("kb", "ingests", "Handbook", "--json").output)
        assert jobs[0]["status"] == "cancelled"
        listed = json.loads(aura("kb", "list", "--json").output)
        assert [(b["documents"], b["chunks"]) for b in listed] == [(1, 1)]


@pytest.mark.redis
def test_kb_cancel_takes_a_queued_ingest_off_the_queue(
    tmp_path: Path,
    redis_url: str,  # noqa: F811
) -> None:
    from tests.support.env import queue_env

    (tmp_path / "a.md").write_text("# A\n\nHello.")
    with queue_env("sqlite", tmp_path / "data", redis_url):
        assert aura("kb", "create", "Waiting").exit_code == 0
        from engine.services import knowledge_ingest
        from engine.services.knowledge import list_bases

        who = __import__("engine.cli.cmd_user", fromlist=["_operator"])._operator()
        job = knowledge_ingest.start_ingest(who, "Waiting", [{"name": "a.md", "text": "Hi."}])
        r = aura("kb", "cancel", "Waiting")  # no worker: still queued
        assert r.exit_code == 0, r.output
        assert "Cancelled by console after 0 of 1 document(s)" in r.output
        r = aura("kb", "cancel", "Waiting", job.id)
        assert r.exit_code == 2 and "already ended (cancelled)" in r.output
        assert [b.documents for b in list_bases(who)] == [0]
