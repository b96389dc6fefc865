"""Metadata filters narrowed in SQL find exactly what the filter's own rules find: the
same chunks as checking every chunk's metadata in Python, on SQLite and PostgreSQL, for
numbers written as numbers or text, true/false, texts, and mixed lists."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest

from engine.auth.types import Principal

VALUES: list[Any] = [
    3,
    3.0,
    "3",
    "03",
    " 3 ",
    True,
    False,
    3.5,
    "3.5",
    "x",
    "X",
    "true",
    0,
    -0.0,
    "0",
    100,
    100.0,
    "1e2",
    9007199254740993,
    "\uff13",
    "1_00",
]
FILTERS: list[dict[str, Any]] = [
    {"n": 3},
    {"n": "3"},
    {"n": 3.0},
    {"n": [3.5, "x"]},
    {"n": "x"},
    {"n": "X"},
    {"n": 0},
    {"n": -0.0},
    {"n": True},
    {"n": "true"},
    {"n": 1},
    {"n": 9007199254740992},
    {"n": "1e2"},
    {"n": 100},
    {"n": "100"},
    {"missing": 3},
    {"n": 3, "m": "a"},
    {"n": ["3", "x"], "m": ["a", "b"]},
    {"n": {"$gte": 3}, "m": "a"},
]


def test_sql_narrowing_keeps_every_match(kb: ModuleType, erin: Principal) -> None:
    from engine.knowledge import filters
    from engine.services.store import get_store

    base = kb.create_base(erin, "Typed")
    docs = [
        {"name": f"d{i}.txt", "text": f"Document {i}.", "meta": {"n": v, "m": "ab"[i % 2]}}
        for i, v in enumerate(VALUES)
    ]
    assert all(r["status"] == "added" for r in kb.add_documents(erin, base.id, docs))
    store = get_store()
    with store.db.read() as s:
        from sqlmodel import select

        from engine.store.models_knowledge import KnowledgeChunk, KnowledgeDocument

        rows = s.exec(
            select(KnowledgeChunk.id, KnowledgeChunk.meta, KnowledgeDocument.name)
            .join(KnowledgeDocument, KnowledgeDocument.id == KnowledgeChunk.document_id)
            .where(KnowledgeChunk.kb_id == base.id)
        ).all()
    assert len(rows) == len(VALUES)
    for f in FILTERS:
        wanted = filters.normalise(f)
        truth = {cid for cid, meta, name in rows if filters._matches(meta, name, wanted)}
        assert filters.matching_chunks(store, base.id, wanted) == truth, f
    # and a few the rules make plain: 3 matches 3, 3.0, "3", "03" and " 3 "
    three = filters.matching_chunks(store, base.id, filters.normalise({"n": 3}))
    named = {name for cid, _, name in rows if cid in three}
    assert named == {f"d{i}.txt" for i in (0, 1, 2, 3, 4, 19)}, named


@pytest.mark.parametrize(("value", "found"), [(1e300, ["a.txt"]), (float("nan"), [])])
def test_odd_numbers_in_a_filter(
    kb: ModuleType, erin: Principal, value: float, found: list[str]
) -> None:
    base = kb.create_base(erin, "Odd")
    kb.add_documents(erin, base.id, [{"name": "a.txt", "text": "A.", "meta": {"n": 1e300}}])
    hits = kb.search(erin, base.id, "A", filters={"n": value})
    assert [h["document"] for h in hits] == found
