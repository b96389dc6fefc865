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
