"""Long ingests on the workers: a batch of documents (one of them big, one unreadable)
goes to a real ``aura worker`` process through a real Redis; its progress (documents and
chunks done of the total) is readable while it runs and says at the end what was added
and what failed and why. On SQLite (sqlite-vec) and on PostgreSQL (pgvector)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.auth.types import Principal
from engine.errors import NotFoundError
from tests.auth.conftest import OWNER_EMAIL, OWNER_PASSWORD, add_user
from tests.knowledge.conftest import DOCS
from tests.support.env import Env, queue_env
from tests.support.fixtures import redis_for_tests, redis_url  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.slow, pytest.mark.redis]

TOPICS = ["invoices", "backups", "holidays", "parking", "webhooks", "passwords", "printers"]


def big_markdown(sections: int = 400) -> str:
    """A long handbook: ``sections`` sections of a few sentences each."""
    parts = []
    for n in range(sections):
        topic = TOPICS[n % len(TOPICS)]
        parts.append(
            f"## Rule {n} about {topic}\n\nRule number {n} says how the team handles "
            f"{topic} on day {n % 31 + 1}. Ask the office manager about {topic} rule {n} "
            "before you change anything, and write down what you did in the log book."
        )
    return "# Office handbook\n\n" + "\n\n".join(parts)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def workers(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    redis_url: str,  # noqa: F811
) -> Iterator[Env]:
    """A store of the database asked for and a real Redis; tests start the real worker
    process (``env.worker()``) when they are ready for it."""
    with queue_env(request.param, tmp_path / "data", redis_url) as env:
        yield env


@pytest.fixture
def owner(workers: Env) -> Principal:
    from engine.services import auth

    auth.reset()
    auth.create_owner(OWNER_EMAIL, OWNER_PASSWORD, "Olivia")
    tokens = auth.login(OWNER_EMAIL, OWNER_PASSWORD).tokens
    assert tokens is not None
    return auth.principal_from_access_token(tokens.access_token)


def _follow(owner: Principal, kb_id: str, job_id: str, env: Env) -> list[Any]:
    """Starts a worker and returns every progress published until the job finished
    (subscribed first, so none is missed)."""
    from engine.runtimes import redis_connection
    from engine.services import knowledge_ingest

    sub = redis_connection().pubsub()
    sub.subscribe(knowledge_ingest.progress_channel(job_id))
    env.worker()
    seen: list[Any] = []
    deadline = time.monotonic() + 180
    try:
        while time.monotonic() < deadline:
            msg = sub.get_message(ignore_subscribe_messages=True, timeout=1)
            if msg is None:
                continue
            seen.append(knowledge_ingest.IngestProgress.from_json(msg["data"]))
            if seen[-1].finished:
                # what anyone reads afterwards is the same
                assert knowledge_ingest.ingest_progress(owner, kb_id, job_id) == seen[-1]
                return seen
    finally:
        sub.close()
    raise AssertionError(f"the ingest did not finish: {seen[-1:]}\n{env.logs()}")


def test_a_long_ingest_runs_on_a_worker_with_progress(workers: Env, owner: Principal) -> None:
    from engine.services import knowledge, knowledge_ingest

    base = knowledge.create_base(owner, "Handbook", chunking={"size": 40, "overlap": 5})
    docs: list[dict[str, Any]] = [{"name": n, "text": t} for n, t in DOCS.items()]
    docs.insert(1, {"name": "handbook.md", "text": big_markdown()})
    docs.append({"name": "broken.pdf", "data": b"%PDF-1.4 nothing else"})
    job = knowledge_ingest.start_ingest(owner, base.id, docs)
    assert job.status == "queued" and job.documents_total == 6

    seen = _follow(owner, base.id, job.id, workers)
    done = seen[-1]
    assert done.status == "succeeded", done.error
    assert (done.documents_done, done.documents_failed) == (6, 1)
    by_name = {r["name"]: r for r in done.results}
    assert by_name["broken.pdf"]["status"] == "failed" and by_name["broken.pdf"]["error"]
    assert by_name["handbook.md"]["chunks"] > 300
    assert done.chunks_done == done.chunks_total == sum(r["chunks"] for r in done.results)

    # the progress moved forward while the worker ran: never backwards, and at least
    # once part of the way through the big document
    chunks = [p.chunks_done for p in seen]
    assert chunks == sorted(chunks)
    assert any(p.status == "running" and 0 < p.chunks_done < p.chunks_total for p in seen)
    assert any(p.current == "handbook.md" and 0 < p.current_done < p.current_total for p in seen)

    # it is all searchable, and the base counts it
    view = knowledge.get_base(owner, base.id)
    assert (view.documents, view.chunks) == (5, done.chunks_total)
    hits = knowledge.search(owner, base.id, "123", k=3, mode="text")
    assert hits[0]["document"] == "handbook.md" and "Rule number 123" in hits[0]["text"]
    assert [j.id for j in knowledge_ingest.list_ingests(owner, base.id)] == [job.id]


def test_others_do_not_see_an_ingest_and_a_base_gone_fails_it(
    workers: Env, owner: Principal
) -> None:
    from engine.services import auth, knowledge, knowledge_ingest

    bob = add_user(auth, owner, "bob@example.com", "editor")
    base = knowledge.create_base(owner, "Private")
    job = knowledge_ingest.start_ingest(owner, base.id, [{"name": "a.txt", "text": "Hello."}])
    with pytest.raises(NotFoundError):
        knowledge_ingest.ingest_progress(bob, base.id, job.id)
    done = _follow(owner, base.id, job.id, workers)[-1]
    assert done.status == "succeeded"

    # the base is deleted before a worker takes the job: the job says so
    workers.stop_all()  # the worker _follow started
    other = knowledge.create_base(owner, "Short-lived")
    job = knowledge_ingest.start_ingest(owner, other.id, [{"name": "b.txt", "text": "Hi."}])
    from engine.knowledge import bases
    from engine.services.store import get_store

    bases.delete(get_store(), other.id)
    from engine.services.knowledge_ingest import run_ingest_job

    assert run_ingest_job(job.id) == "failed"
    from engine.runtimes import redis_connection
    from engine.services.knowledge_ingest import _load

    stored = _load(redis_connection(), job.id)
    assert stored is not None and "No knowledge base" in stored.error
