"""Knowledge bases on an OpenAI-compatible embeddings API (the ``openai`` SDK against a
real local server speaking ``POST /v1/embeddings``), with the key from AURA's vault:
the model and its dimension are recorded, documents are embedded there and searches
find them; the key goes in the Authorization header and nowhere else (not in messages,
logs or the base's view); a refused key or someone else's credential is a clear 4xx.
On SQLite (sqlite-vec) and PostgreSQL (pgvector)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from types import ModuleType

import pytest

from engine.auth.types import Principal
from engine.errors import NotFoundError
from tests.knowledge.conftest import DOCS
from tests.knowledge.embedding_server import EmbeddingServer

KEY = "sk-local-7d1f0c2b9e"


@pytest.fixture
def server(kb: ModuleType, monkeypatch: pytest.MonkeyPatch) -> Iterator[EmbeddingServer]:
    from engine.config import reset_settings

    monkeypatch.setenv("AURA_HTTP_ALLOW", "127.0.0.1")  # the local server (loopback)
    reset_settings()
    with EmbeddingServer(key=KEY, dims=128) as s:
        yield s


def _credential(who: Principal, server: EmbeddingServer, key: str = KEY) -> str:
    from engine.services import credentials

    view = credentials.create_credential(
        who,
        "Local embeddings",
        "openai_compatible",
        {"base_url": server.base_url, "api_key": key, "model": "bow-128"},
    )
    return str(view.id)


def test_a_base_on_an_openai_compatible_server(
    kb: ModuleType, owner: Principal, server: EmbeddingServer, caplog: pytest.LogCaptureFixture
) -> None:
    from engine.knowledge.embedders_openai import model_name

    caplog.set_level(logging.DEBUG)
    model = model_name("bow-128", _credential(owner, server))
    base = kb.create_base(owner, "Handbook", model=model)
    assert (base.model, base.dims) == (model, 128)

    out = kb.add_documents(owner, base.id, [{"name": n, "text": t} for n, t in DOCS.items()])
    assert [r["status"] for r in out] == ["added"] * 4, out
    sent = [r for r in server.requests if r["body"]["input"] != ["dimension probe"]]
    assert sent and all(r["headers"]["authorization"] == f"Bearer {KEY}" for r in sent)
    assert all(r["body"]["model"] == "bow-128" for r in sent)
    assert any("pg_dump" in t for r in sent for t in r["body"]["input"])

    hits = kb.search(owner, base.id, "run pg_dump every night", k=2)
    assert hits[0]["document"] == "backup.md" and hits[0]["similarity"] > 0.3, hits
    assert server.requests[-1]["body"]["input"] == ["run pg_dump every night"]

    # the key is in the vault only
    shown = json.dumps(
        [kb.get_base(owner, base.id).to_dict(), kb.list_documents(owner, base.id), hits]
    )
    assert KEY not in shown and KEY not in caplog.text


def test_a_refused_key_says_so_without_the_key(
    kb: ModuleType, owner: Principal, server: EmbeddingServer, caplog: pytest.LogCaptureFixture
) -> None:
    from engine.knowledge.embedders_openai import EmbeddingError, model_name

    caplog.set_level(logging.DEBUG)
    wrong = "sk-wrong-5b8e44"
    model = model_name("bow-128", _credential(owner, server, key=wrong))
    with pytest.raises(EmbeddingError) as refused:
        kb.create_base(owner, "Refused", model=model)
    assert refused.value.http_status == 422
    assert "answered HTTP 401" in refused.value.message
    assert wrong not in refused.value.message and "***" in refused.value.message
    assert wrong not in caplog.text
    assert kb.list_bases(owner) == []  # nothing was created


def test_someone_elses_credential_cannot_be_used(
    kb: ModuleType, owner: Principal, bob: Principal, server: EmbeddingServer
) -> None:
    from engine.knowledge.embedders_openai import model_name

    model = model_name("bow-128", _credential(owner, server))
    with pytest.raises(NotFoundError):
        kb.create_base(bob, "Borrowed", model=model)
    from engine.errors import ValidationError

    with pytest.raises(ValidationError) as bad:
        kb.create_base(owner, "Typo", model="openai:bow-64")
    assert "openai:<model>@<credential id>" in bad.value.message
