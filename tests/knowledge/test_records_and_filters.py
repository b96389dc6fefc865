"""CSV, JSON and Word documents, documents fetched from a URL, and searches narrowed by
metadata — on SQLite and PostgreSQL, with the real embedding model."""

from __future__ import annotations

import base64
import io
import json
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType

import pytest

from engine.auth.types import Principal
from engine.errors import ValidationError

TICKETS = """id,product,priority,summary
1,Router,high,The router reboots every night and drops all connections
2,Printer,low,The printer prints pages with faint grey stripes
3,Router,low,The router's status light blinks orange after a firmware update
4,Laptop,high,The laptop battery drains within an hour of unplugging
"""

PLANETS = {"planets": [
    {"name": "Mars", "moons": 2, "note": "A cold desert world with the tallest volcano"},
    {"name": "Venus", "moons": 0, "note": "Thick clouds of sulfuric acid and crushing heat"},
]}


def _docx() -> bytes:
    from docx import Document

    doc = Document()
    doc.core_properties.title = "Leave policy"
    doc.add_heading("Holidays", level=1)
    doc.add_paragraph("Every employee gets twenty-five paid days off each calendar year.")
    doc.add_heading("Sick leave", level=2)
    doc.add_paragraph("Tell your manager before ten in the morning when you are ill.")
    table = doc.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Country", "Public holidays"
    table.cell(1, 0).text, table.cell(1, 1).text = "France", "Eleven"
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def test_csv_rows_are_records_found_and_filtered_by_their_fields(
        kb: ModuleType, erin: Principal) -> None:
    base = kb.create_base(erin, "Tickets")
    added = kb.add_documents(erin, base.id, [{"name": "tickets.csv", "text": TICKETS}])
    assert (added[0]["status"], added[0]["chunks"]) == ("added", 4)  # a chunk per row
    hits = kb.search(erin, base.id, "network device restarts at night", k=4)
    assert hits[0]["text"].startswith("id: 1\nproduct: Router")
    assert hits[0]["meta"]["priority"] == "high" and hits[0]["meta"]["record"] == 0
    # the best low-priority router ticket, although a high one matches the words better
    low = kb.search(erin, base.id, "router problem", k=3,
                    filters={"product": "Router", "priority": "low"})
    assert [h["meta"]["id"] for h in low] == ["3"]
    several = kb.search(erin, base.id, "broken hardware", k=4,
                        filters={"product": ["Printer", "Laptop"]})
    assert {h["meta"]["product"] for h in several} == {"Printer", "Laptop"}
    # ranked exactly among the matching chunks, with the same cosine as the whole-base
    # search gives them (best first)
    unfiltered = {h["chunk_id"]: h["similarity"]
                  for h in kb.search(erin, base.id, "broken hardware", k=4)}
    ids = [h["chunk_id"] for h in several]
    assert ids == sorted(ids, key=lambda c: -unfiltered[c])
    assert all(abs(h["similarity"] - unfiltered[h["chunk_id"]]) < 1e-4 for h in several)
    words = kb.search(erin, base.id, "router", mode="text", k=4, filters={"id": 3})
    assert [h["meta"]["id"] for h in words] == ["3"]  # "3" in the CSV matches the number 3
    assert kb.search(erin, base.id, "router", filters={"product": "Toaster"}) == []
    with pytest.raises(ValidationError, match="Filter field 'product'"):
        kb.search(erin, base.id, "router", filters={"product": {"$ne": "x"}})


def test_json_objects_are_records_and_document_metadata_filters(
        kb: ModuleType, erin: Principal) -> None:
    base = kb.create_base(erin, "Space")
    added = kb.add_documents(erin, base.id, [
        {"name": "planets.json", "text": json.dumps(PLANETS), "meta": {"source": "atlas"}},
        {"name": "notes.md", "text": "Venus has a day longer than its year.",
         "meta": {"source": "notebook"}},
    ])
    assert [r["status"] for r in added] == ["added", "added"]
    hot = kb.search(erin, base.id, "acid clouds and terrible heat", k=3)
    assert hot[0]["text"].startswith("name: Venus")
    atlas = kb.search(erin, base.id, "Venus", k=5, filters={"source": "atlas"})
    assert {h["document"] for h in atlas} == {"planets.json"}
    assert kb.search(erin, base.id, "Venus", k=5, filters={"document": "notes.md"})[0][
        "text"].startswith("Venus has a day")
    both = kb.search(erin, base.id, "Venus", k=5,
                     filters={"document": ["notes.md", "planets.json"]})
    assert {h["document"] for h in both} == {"notes.md", "planets.json"}
    mixed = kb.search(erin, base.id, "Venus", k=5, mode="hybrid",
                      filters={"document": ["notes.md", "planets.json"], "source": "atlas"})
    assert {h["document"] for h in mixed} == {"planets.json"}
    assert kb.search(erin, base.id, "Venus", filters={"document": "missing.md"}) == []
    bad = kb.add_documents(erin, base.id, [{"name": "x.json", "text": "[1, 2"},
                                           {"name": "y.json", "text": "[1, 2]"}])
    assert "not valid JSON" in bad[0]["error"] and "line 1" in bad[0]["error"]
    assert "array of objects" in bad[1]["error"]


def test_word_documents_keep_headings_and_tables(kb: ModuleType, erin: Principal) -> None:
    base = kb.create_base(erin, "HR", chunking={"size": 30, "overlap": 0})
    added = kb.add_documents(erin, base.id, [{"name": "leave.docx", "data": _b64(_docx())}])
    assert added[0]["status"] == "added", added
    hit = kb.search(erin, base.id, "what do I do when I am sick?", k=1)[0]
    assert "manager before ten" in hit["text"] and hit["heading"] == "Sick leave"
    table = kb.search(erin, base.id, "France public holidays", mode="text", k=1)[0]
    assert "France | Eleven" in table["text"]
    docs = kb.list_documents(erin, base.id)
    assert docs[0]["meta"]["title"] == "Leave policy"
    broken = kb.add_documents(erin, base.id, [{"name": "old.docx", "data": _b64(b"PK\x03\x04")}])
    assert "not a readable Word document" in broken[0]["error"]


@pytest.fixture
def site(tmp_path: Path) -> Iterator[str]:
    (tmp_path / "guide.html").write_text(
        "<html><head><title>Guide</title></head><body><nav>Home | Pricing</nav><main>"
        "<h1>Returns</h1><p>Parcels can be returned within thirty days of delivery.</p>"
        "</main></body></html>")
    handler = partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *a: None  # type: ignore[attr-defined]
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def test_a_url_is_fetched_through_the_ssrf_guard(
        kb: ModuleType, erin: Principal, site: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.config import reset_settings

    base = kb.create_base(erin, "Web")
    monkeypatch.delenv("AURA_HTTP_ALLOW", raising=False)
    reset_settings()
    refused = kb.add_documents(erin, base.id, [{"url": f"{site}/guide.html"}])
    assert refused[0]["status"] == "failed" and "loopback address" in refused[0]["error"]
    assert "allow-list" in refused[0]["error"]
    monkeypatch.setenv("AURA_HTTP_ALLOW", "127.0.0.1/32")
    reset_settings()
    added = kb.add_documents(erin, base.id, [{"url": f"{site}/guide.html"},
                                             {"url": f"{site}/missing.html"},
                                             {"url": "file:///etc/passwd"}])
    assert [r["status"] for r in added] == ["added", "failed", "failed"]
    assert "HTTP 404" in added[1]["error"] and "http:// or https://" in added[2]["error"]
    hit = kb.search(erin, base.id, "how long can I send a parcel back?", k=1)[0]
    assert hit["document"] == f"{site}/guide.html" and "thirty days" in hit["text"]
    assert hit["meta"]["url"] == f"{site}/guide.html" and "Pricing" not in hit["text"]
