"""Changing a knowledge base's embedding model: a warning first (nothing changes), then
every chunk is embedded again by a real worker process (from the offline model to an
OpenAI-compatible server), the base records the new model and dimension, and searches
use it. On SQLite (sqlite-vec) and PostgreSQL (pgvector)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.auth.types import Principal
from tests.knowledge.conftest import DOCS
from tests.knowledge.embedding_server import EmbeddingServer
from tests.knowledge.test_ingest_jobs import _follow, owner  # noqa: F401 (a fixture)
from tests.support.env import Env, queue_env
from tests.support.fixtures import redis_for_tests, redis_url  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.slow, pytest.mark.redis]

KEY = "sk-reembed-0a9c"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def workers(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    redis_url: str,  # noqa: F811
) -> Iterator[Env]:
    """A store, a real Redis; the worker (started by the test) may reach loopback."""
    with queue_env(request.param, tmp_path / "data", redis_url, AURA_HTTP_ALLOW="127.0.0.1") as env:
        yield env


def test_changing_the_model_warns_then_reembeds_on_a_worker(
    workers: Env,
    owner: Principal,  # noqa: F811
) -> None:
    from engine.knowledge.embedders_openai import model_name
    from engine.services import credentials, knowledge
    from engine.services.knowledge_reembed import ModelChangeNeedsConfirmation, change_model

    base = knowledge.create_base(owner, "Handbook")
    assert (base.model, base.dims) == ("wordllama/l2_supercat_256", 256)
    knowledge.add_documents(owner, base.id, [{"name": n, "text": t} for n, t in DOCS.items()])
    chunks = knowledge.get_base(owner, base.id).chunks

    with EmbeddingServer(key=KEY, dims=128) as server:
        cred = credentials.create_credential(
            owner, "Local", "openai_compatible", {"base_url": server.base_url, "api_key": KEY}
        )
        model = model_name("bow-128", cred.id)

        # first a warning saying what will happen; nothing changes
        with pytest.raises(ModelChangeNeedsConfirmation) as warned:
            change_model(owner, base.id, model)
        assert warned.value.http_status == 409
        assert f"all {chunks} chunks of its 4 documents again" in warned.value.message
        assert "128 dimensions" in warned.value.message
        assert knowledge.get_base(owner, base.id).model == "wordllama/l2_supercat_256"

        # confirmed: a job on the workers; searches use the old model until it is done
        job = change_model(owner, base.id, model, confirm=True)
        assert (job.kind, job.status, job.chunks_total) == ("reembed", "queued", chunks)
        asked = len(server.requests)
        hits = knowledge.search(owner, base.id, "how do I back up the database?", k=1)
        assert hits[0]["document"] == "backup.md" and len(server.requests) == asked

        seen = _follow(owner, base.id, job.id, workers)
        done = seen[-1]
        assert done.status == "succeeded", done.error
        assert done.chunks_done == chunks
        after = knowledge.get_base(owner, base.id)
        assert (after.model, after.dims, after.chunks) == (model, 128, chunks)
        assert knowledge.vector_count(owner, base.id) == chunks

        # searches now embed the query on the server, and find by its vectors
        hits = knowledge.search(owner, base.id, "run pg_dump every night", k=1)
        assert hits[0]["document"] == "backup.md"
        assert server.requests[-1]["body"]["input"] == ["run pg_dump every night"]
        # the worker embedded every chunk there, with the key from the vault
        embedded = [t for r in server.requests for t in r["body"]["input"]]
        assert any("pg_dump" in t for t in embedded)
        assert {r["headers"]["authorization"] for r in server.requests} == {f"Bearer {KEY}"}
