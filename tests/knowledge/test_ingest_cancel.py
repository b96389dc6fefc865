"""Cancelling an ingest: a running one on a real ``aura worker`` process (real Redis) stops
in the middle of a big document; the documents added before it stay, the big one leaves
no chunk, the ones after it are not added, and the job ends ``cancelled`` saying who
cancelled it. A queued one is taken off the queue at once. On SQLite and PostgreSQL."""

from __future__ import annotations

import time
from typing import Any

import pytest

from engine.auth.types import Principal
from engine.errors import ConflictError, NotFoundError, PermissionDenied
from tests.auth.conftest import OWNER_EMAIL, add_user
from tests.knowledge.test_ingest_jobs import big_markdown, owner, workers  # noqa: F401
from tests.support.env import Env
from tests.support.fixtures import redis_for_tests, redis_url  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.slow, pytest.mark.redis]


def _chunk_count(kb_id: str) -> dict[str, int]:
    """Chunks stored per document name (read from the database, not the progress)."""
    from sqlmodel import select

    from engine.services.store import get_store
    from engine.store.models_knowledge import KnowledgeChunk, KnowledgeDocument

    with get_store().db.read() as s:
        rows = s.exec(
            select(KnowledgeDocument.name, KnowledgeChunk.id)
            .join(KnowledgeChunk, KnowledgeChunk.document_id == KnowledgeDocument.id, isouter=True)
            .where(KnowledgeDocument.kb_id == kb_id)
        ).all()
    out: dict[str, int] = {}
    for name, cid in rows:
        out[name] = out.get(name, 0) + (cid is not None)
    return out


def test_cancelling_a_running_ingest_keeps_the_finished_documents_only(
    workers: Env,  # noqa: F811
    owner: Principal,  # noqa: F811
) -> None:
    from engine.runtimes import redis_connection
    from engine.services import knowledge, knowledge_ingest

    base = knowledge.create_base(owner, "Handbook", chunking={"size": 30, "overlap": 0})
    docs: list[dict[str, Any]] = [
        {"name": "first.md", "text": "# First\n\nThe first document, about invoices."},
        {"name": "handbook.md", "text": big_markdown(3000)},
        {"name": "last.md", "text": "# Last\n\nThe last document, about parking."},
    ]
    job = knowledge_ingest.start_ingest(owner, base.id, docs)
    sub = redis_connection().pubsub()
    sub.subscribe(knowledge_ingest.progress_channel(job.id))
    workers.worker()
    seen: list[Any] = []
    asked: Any = None
    deadline = time.monotonic() + 180
    try:
        while time.monotonic() < deadline:
            msg = sub.get_message(ignore_subscribe_messages=True, timeout=1)
            if msg is None:
                continue
            p = knowledge_ingest.IngestProgress.from_json(msg["data"])
            seen.append(p)
            if asked is None and p.current == "handbook.md" and p.current_done > 0:
                asked = knowledge_ingest.cancel_ingest(owner, base.id, job.id)
                assert asked.status == "running" and asked.cancel_requested
                # what viewers read meanwhile says a cancel is on its way
                now = knowledge_ingest.ingest_progress(owner, base.id, job.id)
                assert now.finished or now.cancel_requested
            if p.finished:
                break
    finally:
        sub.close()
    assert asked is not None, f"never saw the handbook being embedded: {seen[-3:]}"
    done = seen[-1]
    assert done.status == "cancelled", (done, workers.logs())
    assert done.finished and not done.cancel_requested
    assert OWNER_EMAIL in done.error, done.error
    assert "handbook.md" in done.error and "1 of 3" in done.error
    # the handbook was cut in the middle: part of its chunks had been embedded
    assert any(p.current == "handbook.md" and 0 < p.current_done < p.current_total for p in seen)
    assert [r["name"] for r in done.results] == ["first.md"]
    assert (done.documents_done, done.chunks_done) == (1, done.results[0]["chunks"])

    # in the database: the first document with its chunks, nothing of the others
    stored = _chunk_count(base.id)
    assert stored == {"first.md": done.results[0]["chunks"]}
    view = knowledge.get_base(owner, base.id)
    assert (view.documents, view.chunks) == (1, done.results[0]["chunks"])
    hits = knowledge.search(owner, base.id, "rule number invoices", k=5, mode="text")
    assert [h["document"] for h in hits] == ["first.md"]
    # nothing of the job stays staged in Redis
    r = redis_connection()
    assert not r.keys(f"aura:kb:ingest:{job.id}:data:*")
    assert not r.exists(f"aura:kb:ingest:{job.id}:docs")

    # it ended: cancelling again says so; the listing shows it cancelled
    with pytest.raises(ConflictError, match="already ended"):
        knowledge_ingest.cancel_ingest(owner, base.id, job.id)
    assert knowledge_ingest.list_ingests(owner, base.id)[0].status == "cancelled"

    # the same documents again: the handbook and the last one are added in full
    again = knowledge_ingest.start_ingest(owner, base.id, docs)
    deadline = time.monotonic() + 180
    while not (p := knowledge_ingest.ingest_progress(owner, base.id, again.id)).finished:
        assert time.monotonic() < deadline, workers.logs()
        time.sleep(0.2)
    assert p.status == "succeeded", p.error
    assert [r["status"] for r in p.results] == ["unchanged", "added", "added"]
    assert set(_chunk_count(base.id)) == {"first.md", "handbook.md", "last.md"}


def test_a_queued_ingest_is_cancelled_at_once_and_never_runs(
    workers: Env,  # noqa: F811
    owner: Principal,  # noqa: F811
) -> None:
    from engine.runtimes import redis_connection
    from engine.services import auth, knowledge, knowledge_ingest

    base = knowledge.create_base(owner, "Waiting")
    job = knowledge_ingest.start_ingest(owner, base.id, [{"name": "a.md", "text": "# A\n\nHi."}])

    # someone who cannot see the base cannot cancel it; a viewer cannot either
    bob = add_user(auth, owner, "bob@example.com", "editor")
    with pytest.raises(NotFoundError):
        knowledge_ingest.cancel_ingest(bob, base.id, job.id)
    vera = add_user(auth, owner, "vera@example.com", "viewer")
    with pytest.raises((PermissionDenied, NotFoundError)):
        knowledge_ingest.cancel_ingest(vera, base.id, job.id)
    with pytest.raises(NotFoundError):
        knowledge_ingest.cancel_ingest(owner, base.id, "0" * 32)

    p = knowledge_ingest.cancel_ingest(owner, base.id, job.id)
    assert p.status == "cancelled" and "0 of 1" in p.error
    assert not redis_connection().keys(f"aura:kb:ingest:{job.id}:*data*")

    # a worker started now has nothing of it to do; had it taken the job anyway, the job
    # would end at once
    workers.worker("--burst").wait(timeout=120)
    from engine.services.knowledge_ingest import run_ingest_job

    assert run_ingest_job(job.id) == "cancelled"
    assert knowledge_ingest.ingest_progress(owner, base.id, job.id).status == "cancelled"
    assert knowledge.get_base(owner, base.id).documents == 0


def test_a_cancel_racing_the_worker_taking_the_job_still_cancels_it(
    workers: Env,  # noqa: F811
    owner: Principal,  # noqa: F811
) -> None:
    """The cancel asked for just as a worker took the queued job (the progress still says
    queued): the worker sees the request before its first document."""
    from engine.runtimes import redis_connection
    from engine.services import knowledge, knowledge_ingest
    from engine.services.knowledge_jobs import request_cancel

    base = knowledge.create_base(owner, "Raced")
    docs = [{"name": "a.md", "text": "# A\n\nHi."}, {"name": "b.md", "text": "# B\n\nHo."}]
    job = knowledge_ingest.start_ingest(owner, base.id, docs)
    request_cancel(redis_connection(), job.id, OWNER_EMAIL)
    assert knowledge_ingest.run_ingest_job(job.id) == "cancelled"
    p = knowledge_ingest.ingest_progress(owner, base.id, job.id)
    assert p.status == "cancelled" and "after 0 of 2" in p.error and not p.results
    assert knowledge.get_base(owner, base.id).documents == 0
