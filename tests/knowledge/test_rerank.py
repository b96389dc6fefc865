"""The re-ranking hook of knowledge searches: the built-in ``keywords`` re-ranker puts
the chunks holding the query's words first; a registered re-ranker gets the query and
the search's wider pool of candidates and decides the order; an unknown name is refused
in words. On SQLite and PostgreSQL, with the real model."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest

from engine.auth.types import Principal
from engine.errors import ValidationError
from tests.knowledge.conftest import DOCS

MORE = {
    "restore.md": "# Restoring\n\nTo bring the database back after a loss, stop the server "
    "and load the most recent nightly copy.",
    "dump.md": "# Dumps\n\nThe pg_restore tool reads what pg_dump wrote.",
}


def _base(kb: ModuleType, who: Principal) -> str:
    base = kb.create_base(who, "Ops")
    docs = [{"name": n, "text": t} for n, t in {**DOCS, **MORE}.items()]
    assert all(r["status"] == "added" for r in kb.add_documents(who, base.id, docs))
    return str(base.id)


def test_keywords_puts_chunks_with_the_words_asked_for_first(
    kb: ModuleType, erin: Principal
) -> None:
    kb_id = _base(kb, erin)
    query = "how do I get my database back from last night's pg_dump file?"
    plain = kb.search(erin, kb_id, query, k=3)
    ranked = kb.search(erin, kb_id, query, k=3, rerank="keywords")
    # by meaning, the backup advice comes first; by the words asked for ("database",
    # "back"), the chunk on bringing the database back does
    assert plain[0]["document"] == "backup.md"
    assert ranked[0]["document"] == "restore.md"
    assert "database back" in ranked[0]["text"]
    scores = [h["rerank_score"] for h in ranked]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0
    assert all(h["rerank_score"] is None for h in plain)
    # the vector search's own scores stay as they were
    assert ranked[0]["similarity"] is not None and ranked[0]["matched"] == ["vector"]


def test_a_registered_reranker_decides_the_order(
    kb: ModuleType, erin: Principal, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataclasses import replace

    from engine.knowledge import rerank

    seen: list[tuple[str, int]] = []

    def shortest_first(query: str, hits: list[Any]) -> list[Any]:
        seen.append((query, len(hits)))
        out = sorted(hits, key=lambda h: len(h.text))
        return [replace(h, rerank_score=-float(len(h.text))) for h in out]

    monkeypatch.setitem(rerank._RERANKERS, "shortest", shortest_first)
    kb_id = _base(kb, erin)
    hits = kb.search(erin, kb_id, "database", k=2, mode="hybrid", rerank="shortest")
    assert seen == [("database", 6)]  # every chunk of the six documents was a candidate
    lengths = [len(h["text"]) for h in hits]
    assert len(hits) == 2 and lengths == sorted(lengths)
    everything = kb.search(erin, kb_id, "database", k=6, mode="hybrid")
    assert lengths == sorted(len(h["text"]) for h in everything)[:2]

    with pytest.raises(ValidationError) as unknown:
        kb.search(erin, kb_id, "database", rerank="cross-encoder")
    assert "Unknown re-ranker 'cross-encoder'" in unknown.value.message
    assert "keywords" in unknown.value.message
