"""Canned answers of the knowledge API (``/api/v1/knowledge-bases...``) and of
``/api/v1/projects`` for the console snapshots: two bases, the documents of the first,
and an ingest into it half done."""

from __future__ import annotations

import httpx

UPDATED = "2025-03-14T09:20:00+00:00"
PROJECTS = [{"id": "prj-ops-0001", "name": "Operations", "kind": "team"}]
BASES = [
    {
        "id": "kb-handbook-01",
        "name": "Operator handbook",
        "project_id": "prj-ops-0001",
        "model": "wordllama/l2_supercat_256",
        "dims": 256,
        "documents": 3,
        "chunks": 41,
        "chunking": {"size": 256, "overlap": 32},
        "created_at": UPDATED,
        "updated_at": UPDATED,
    },
    {
        "id": "kb-runbook-002",
        "name": "Runbook",
        "project_id": "prj-ops-0001",
        "model": "wordllama/l2_supercat_256",
        "dims": 256,
        "documents": 0,
        "chunks": 0,
        "chunking": {"size": 256, "overlap": 32},
        "created_at": UPDATED,
        "updated_at": UPDATED,
    },
]
DOCUMENTS = [
    {
        "id": f"doc-{i}",
        "name": name,
        "content_type": kind,
        "chars": chars,
        "chunks": chunks,
        "meta": {},
        "updated_at": UPDATED,
    }
    for i, (name, kind, chars, chunks) in enumerate(
        [
            ("retries.md", "text/markdown", 5120, 14),
            ("webhooks.html", "text/html", 9030, 21),
            ("faq.txt", "text/plain", 2210, 6),
        ]
    )
]
INGEST = {
    "id": "7f3a9c2e" + "0" * 24,
    "kb_id": "kb-handbook-01",
    "status": "running",
    "kind": "ingest",
    "model": "",
    "documents_total": 5,
    "documents_done": 2,
    "documents_failed": 0,
    "chunks_total": 48,
    "chunks_done": 30,
    "current": "deploy.pdf",
    "current_done": 9,
    "current_total": 17,
    "results": [],
    "error": "",
    "by": "operator@example.com",
    "created_at": UPDATED,
}


def knowledge_route(path: str) -> httpx.Response | None:
    """The answer to ``path`` if it is a knowledge (or projects) route, else None."""
    if path == "/api/v1/projects":
        return httpx.Response(200, json={"items": PROJECTS})
    if path == "/api/v1/knowledge-bases":
        return httpx.Response(200, json={"items": BASES})
    if not path.startswith("/api/v1/knowledge-bases/"):
        return None
    kb, _, what = path.removeprefix("/api/v1/knowledge-bases/").partition("/")
    first = kb == BASES[0]["id"]
    if what == "documents":
        return httpx.Response(200, json={"items": DOCUMENTS if first else []})
    if what == "ingests":
        return httpx.Response(200, json={"items": [INGEST] if first else []})
    return None
