"""The Knowledge pages in a real browser (Chromium + Playwright), with the real offline
embedding model: the owner creates a knowledge base from the sidebar, uploads a Markdown
file and a CSV, sees their documents and chunk counts, searches and finds the right
document first, narrows a search by a CSV field, sees a refused document's reason, and
deletes the base (its vectors go with it).

Uses the session's one production build (see conftest); ``page`` is signed in as the
owner.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.support.fixtures import redis_for_tests, redis_url  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WAIT = 60_000

HANDBOOK = b"""# Operations handbook

## Backups

Back up the database every night with pg_dump. To restore a backup, stop the server,
run pg_restore on the latest dump file and start the server again.

## Holidays

Each employee has twenty-five days of paid leave per year. Ask your manager before
booking a holiday longer than two weeks.
"""

TICKETS = b"""id,team,subject,body
1,billing,Invoice twice,The customer was charged twice for the March invoice.
2,support,Password reset,The customer cannot reset the password from the login page.
3,billing,Refund request,The customer asks for a refund of the annual plan.
4,support,Slow dashboard,The dashboard takes a minute to load the reports.
"""


def _hit_docs(page: Any) -> list[str]:
    return [t.strip() for t in page.locator(".kb-hit .kb-hit-doc").all_inner_texts()]


def _search(page: Any, query: str, filters: str = "") -> None:
    before = page.locator("#kb-hits").inner_html()
    page.fill("#kb-query", query)
    page.fill("#kb-filters", filters)
    page.click("#kb-search")
    page.wait_for_function(
        "b => document.querySelector('#kb-hits').innerHTML !== b", arg=before, timeout=WAIT
    )
    page.wait_for_selector(".kb-hit", timeout=WAIT)


def test_create_upload_search_filter_delete(page: Any, studio_url: str, shot: Any) -> None:
    name = f"Handbook {uuid.uuid4().hex[:6]}"
    page.goto(f"{studio_url}/workflows")
    page.click("#nav-knowledge", timeout=WAIT)
    page.wait_for_selector("#new-kb", timeout=WAIT)

    # create a base with its chunking policy; a too small chunk size is refused in words
    page.click("#new-kb")
    page.fill("#kb-name", name)
    page.fill("#kb-size", "5")
    page.click("#kb-create")
    page.wait_for_selector("#kb-create-error", timeout=WAIT)
    assert "size" in page.inner_text("#kb-create-error")
    page.fill("#kb-size", "60")
    page.fill("#kb-overlap", "10")
    page.click("#kb-create")
    page.wait_for_url("**/knowledge/*", timeout=WAIT)
    page.wait_for_selector("#kb-no-docs", timeout=WAIT)
    page.wait_for_function(
        "n => document.querySelector('#kb-title')?.innerText === n", arg=name, timeout=WAIT
    )
    assert "chunks of 60 tokens, 10 overlapping" in page.inner_text("#kb-summary")

    # upload a Markdown file and a CSV (one call, as a multi-file drop would)
    page.set_input_files(
        "#kb-upload input[type=file]",
        files=[
            {"name": "handbook.md", "mimeType": "text/markdown", "buffer": HANDBOOK},
            {"name": "tickets.csv", "mimeType": "text/csv", "buffer": TICKETS},
        ],
    )
    page.wait_for_selector(".kb-doc >> nth=1", timeout=WAIT * 2)
    rows = {r.split("\t")[0].strip(): r for r in page.locator(".kb-doc").all_inner_texts()}
    assert set(rows) == {"handbook.md", "tickets.csv"}
    assert "4" in rows["tickets.csv"].split("\t")  # one chunk per CSV row
    assert "2 documents" in page.inner_text("#kb-summary")
    assert "added, 4 chunks" in page.locator(".kb-result", has_text="tickets.csv").inner_text()

    # a document that cannot be read says why; the others stay
    page.set_input_files(
        "#kb-upload input[type=file]",
        files=[{"name": "empty.txt", "mimeType": "text/plain", "buffer": b"   "}],
    )
    failed = page.locator(".kb-result", has_text="empty.txt")
    failed.wait_for(timeout=WAIT)
    assert "empty" in failed.inner_text().lower()
    assert page.locator(".kb-doc").count() == 2

    # pasted text is a document too; deleting one asks first
    page.fill("#kb-paste-name", "note.md")
    page.fill("#kb-paste-text", "# Parking\n\nVisitors park on level two of the garage.")
    page.click("#kb-add-text")
    page.locator(".kb-doc", has_text="note.md").wait_for(timeout=WAIT)
    assert "added, 1 chunk" in page.locator(".kb-result", has_text="note.md").inner_text()
    page.get_by_label("Delete note.md").click()
    page.click("#kb-doc-delete-ok")
    page.locator(".kb-doc", has_text="note.md").wait_for(state="detached", timeout=WAIT)
    assert page.locator(".kb-doc").count() == 2

    # search: the handbook's backup section comes first, with its heading and score
    _search(page, "how do I restore a backup of the database?")
    first = page.locator(".kb-hit").first
    assert _hit_docs(page)[0] == "handbook.md"
    assert "Backups" in first.inner_text() and "pg_restore" in first.inner_text()
    assert "vector" in first.inner_text()  # which searches matched it
    shot(page, "knowledge-search")

    # filter by a CSV field: only billing tickets, in the vector mode
    page.click("#kb-mode")
    page.get_by_role("option", name="vector").click()
    _search(page, "customer problem", json.dumps({"team": "billing"}))
    hits = page.locator(".kb-hit").all_inner_texts()
    assert hits and all("team: billing" in h for h in hits), hits
    assert {d for d in _hit_docs(page)} == {"tickets.csv"}
    assert len(hits) == 2

    # filters that are not JSON are refused in plain words
    page.fill("#kb-filters", "{team: billing")
    page.click("#kb-search")
    page.wait_for_selector("#kb-search-error", timeout=WAIT)
    assert "not valid JSON" in page.inner_text("#kb-search-error")

    # rename it
    page.click("#kb-rename")
    name = f"{name} renamed"
    page.fill("#kb-new-name", name)
    page.click("#kb-rename-save")
    page.wait_for_function(
        "n => document.querySelector('#kb-title')?.innerText === n", arg=name, timeout=WAIT
    )

    # back to the list: counts, then delete with confirmation
    page.click("#nav-knowledge")
    row = page.locator(".kb-row", has_text=name)
    row.wait_for(timeout=WAIT)
    cells = row.locator("td").all_inner_texts()
    assert cells[1] == "2" and int(cells[2]) >= 6, cells  # documents, chunks
    shot(page, "knowledge-list")
    kb_id = row.locator("a").get_attribute("href").rsplit("/", 1)[-1]
    row.get_by_label(f"Delete {name}").click()
    page.click("#kb-delete-ok")
    page.locator(".kb-row", has_text=name).wait_for(state="detached", timeout=WAIT)

    from engine.auth.types import Principal
    from engine.services import knowledge

    admin = Principal(user_id=None, email=None, role="owner")
    assert knowledge.vector_count(admin, kb_id) == 0


@pytest.fixture
def queue_for_ingests(
    studio: Any,
    redis_url: str,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Any,
) -> Iterator[Callable[[], None]]:
    """The studio (its backend runs in this process) sees AURA_REDIS_URL; the test
    starts the one worker process (sharing the studio's data directory) when it wants."""
    import os
    import subprocess
    import sys

    from engine.config import reset_settings
    from tests.support.env import FAST_ENV

    monkeypatch.setenv("AURA_REDIS_URL", redis_url)
    reset_settings()
    procs: list[subprocess.Popen[bytes]] = []

    def start() -> None:
        log = (tmp_path / "worker.log").open("wb")
        procs.append(
            subprocess.Popen(
                [sys.executable, "-m", "engine", "worker"],
                env={**os.environ, **FAST_ENV, "AURA_REDIS_URL": redis_url},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )

    try:
        yield start
    finally:
        for p in procs:
            p.kill()
            p.wait(timeout=20)
        monkeypatch.delenv("AURA_REDIS_URL")
        reset_settings()


@pytest.mark.redis
def test_an_upload_ingests_on_the_workers_and_the_chunks_can_be_read(
    page: Any,
    studio_url: str,
    queue_for_ingests: Callable[[], None],
    shot: Any,
    owner_account: dict[str, str],
) -> None:
    from tests.knowledge.test_ingest_jobs import big_markdown

    name = f"Office {uuid.uuid4().hex[:6]}"
    page.goto(f"{studio_url}/knowledge")
    page.click("#new-kb", timeout=WAIT)
    page.fill("#kb-name", name)
    page.fill("#kb-size", "40")
    page.fill("#kb-overlap", "5")
    page.click("#kb-create")
    page.wait_for_selector("#kb-no-docs", timeout=WAIT)

    # no worker yet: the upload waits on the queue, and the page says so
    page.set_input_files(
        "#kb-upload input[type=file]",
        files=[
            {
                "name": "office.md",
                "mimeType": "text/markdown",
                "buffer": big_markdown(120).encode(),
            },
            {"name": "handbook.md", "mimeType": "text/markdown", "buffer": HANDBOOK},
        ],
    )
    page.wait_for_selector("#kb-ingest", timeout=WAIT)
    page.wait_for_function(
        "() => document.querySelector('#kb-ingest-counts')?.innerText.includes('0 of 2 documents')",
        timeout=WAIT,
    )
    assert "Waiting for a worker" in page.inner_text("#kb-ingest")
    shot(page, "knowledge-ingest-queued")

    # a worker takes it: the progress goes, then each document's result shows
    queue_for_ingests()
    page.locator(".kb-result", has_text="office.md").wait_for(timeout=WAIT * 2)
    page.wait_for_selector("#kb-ingest", state="detached", timeout=WAIT)
    office = page.locator(".kb-result", has_text="office.md").inner_text()
    chunks = int(office.split("added, ")[1].split(" chunk")[0])
    assert chunks > 100
    assert "added" in page.locator(".kb-result", has_text="handbook.md").inner_text()
    page.wait_for_function(
        "() => document.querySelector('#kb-summary')?.innerText.startsWith('2 documents')",
        timeout=WAIT,
    )

    # the chunk view: a document's chunks in order, with headings, a page at a time
    page.locator(".kb-doc-open", has_text="office.md").click()
    page.wait_for_selector("#kb-chunks .kb-chunk", timeout=WAIT)
    assert f"{chunks} chunks" in page.inner_text("#kb-chunks-total")
    first = page.locator("#kb-chunks .kb-chunk").all_inner_texts()
    assert len(first) == 50 and first[0].startswith("#0")
    assert any("Rule 3 about parking" in c for c in first)
    page.click("#kb-chunks-more")
    page.locator("#kb-chunks .kb-chunk >> nth=99").wait_for(timeout=WAIT)
    texts = page.locator("#kb-chunks .kb-chunk").all_inner_texts()
    assert [t.split()[0] for t in texts[48:52]] == ["#48", "#49", "#50", "#51"]
    shot(page, "knowledge-chunks")
    page.keyboard.press("Escape")
    page.wait_for_selector("#kb-chunks", state="detached", timeout=WAIT)

    # change the model to an OpenAI-compatible server: a warning first, then the
    # workers re-embed every chunk and the page shows the new model and dimension
    from engine.knowledge.embedders_openai import model_name
    from engine.services import auth, credentials
    from tests.knowledge.embedding_server import EmbeddingServer

    tokens = auth.login(owner_account["email"], owner_account["password"]).tokens
    assert tokens is not None
    owner = auth.principal_from_access_token(tokens.access_token)
    with EmbeddingServer(key="sk-studio", dims=128) as server:
        cred = credentials.create_credential(
            owner,
            "Local embeddings",
            "openai_compatible",
            {"base_url": server.base_url, "api_key": "sk-studio"},
        )
        model = model_name("bow-128", cred.id)
        page.click("#kb-change-model")
        page.fill("#kb-model-input", model)
        page.click("#kb-model-check")
        page.wait_for_selector("#kb-model-warning", timeout=WAIT)
        warning = page.inner_text("#kb-model-warning")
        assert "chunks of its 2 documents again" in warning, warning
        assert "128 dimensions" in warning
        assert "(256 dimensions)" in page.inner_text("#kb-summary")  # nothing changed yet
        shot(page, "knowledge-model-warning")
        page.click("#kb-model-confirm")
        page.wait_for_function(
            "() => document.querySelector('#kb-summary')?.innerText.includes('(128 dimensions)')",
            timeout=WAIT * 2,
        )
        assert model in page.inner_text("#kb-summary")
        embedded = [t for r in server.requests for t in r["body"]["input"]]
        assert any("Rule 3 about parking" in t for t in embedded)


@pytest.mark.redis
def test_an_ingest_on_the_workers_can_be_cancelled(
    page: Any, studio_url: str, queue_for_ingests: Callable[[], None], shot: Any
) -> None:
    """Cancel while a worker embeds a big document: the document before it stays, the
    big one and the one after are not added, and the page says so."""
    from tests.knowledge.test_ingest_jobs import big_markdown

    page.goto(f"{studio_url}/knowledge")
    page.click("#new-kb", timeout=WAIT)
    page.fill("#kb-name", f"Cancelled {uuid.uuid4().hex[:6]}")
    page.fill("#kb-size", "30")
    page.fill("#kb-overlap", "0")
    page.click("#kb-create")
    page.wait_for_selector("#kb-no-docs", timeout=WAIT)
    queue_for_ingests()
    page.set_input_files(
        "#kb-upload input[type=file]",
        files=[
            {"name": "a-first.md", "mimeType": "text/markdown", "buffer": HANDBOOK},
            {
                "name": "b-big.md",
                "mimeType": "text/markdown",
                "buffer": big_markdown(3000).encode(),
            },
            {"name": "c-last.md", "mimeType": "text/markdown", "buffer": HANDBOOK},
        ],
    )
    # the worker is part of the way through the big document
    page.wait_for_function(
        "() => { const t = document.querySelector('#kb-ingest')?.innerText || '';"
        " return t.includes('Now: b-big.md') && /[1-9][0-9,]* of [0-9,]+ chunks/.test(t); }",
        timeout=WAIT * 2,
    )
    page.click("#kb-ingest-cancel")
    page.wait_for_selector("#kb-ingest", state="detached", timeout=WAIT)
    assert "added" in page.locator(".kb-result", has_text="a-first.md").inner_text()
    cancelled = page.locator(".kb-result", has_text="Cancelled").inner_text()
    assert "after 1 of 3 document(s)" in cancelled and "'b-big.md' was not added" in cancelled
    page.wait_for_function(
        "() => document.querySelector('#kb-summary')?.innerText.startsWith('1 document')",
        timeout=WAIT,
    )
    assert page.locator(".kb-doc", has_text="b-big.md").count() == 0
    shot(page, "knowledge-ingest-cancelled")
