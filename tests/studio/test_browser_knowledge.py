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
from typing import Any

import pytest

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
