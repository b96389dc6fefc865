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


# one document per value of "n" (and one without it): numbers, texts of numbers as Python
# reads them (or not), true/false and their words, dates in many spellings, null, lists
TYPED: list[Any] = [
    10, 10.0, "10", " 10 ", "010", "1e1", "1E+01", "+10", "10.", "1_0", "\uff11\uff10",
    ".5", "+.5", "-.5e-3", "inf", "-Infinity", "nan", "NaN", "unknown", "ten", "10 kg", "",
    "1-2", "1e", "..", True, False, "true", "TRUE", "True", "false", "yes", 0, -0.0, "0",
    9007199254740993, 9007199254740992, 2**63 + 5, 1e300, "1e400", "-1e400", 3.5, 12.5,
    "12.50", 45.99, "45.99", 99, None, [10], {"a": 10},
    "2026-01-15", "2026-02-01T09:00:00+01:00", "2026-03-20", "2025-12-31T23:30:00Z",
    "2026-01-31T23:00:00-05:00", "2026-02-01T01:00:00+14:00", "2026-02-01 08:00",
    "20260201", "20260201T0800Z", "2026-W05-7", "2026-032T08:00", "2026-032", "not a date",
    "2026-13-01", "2026-02-30", "\u0662\u0660\u0662\u0666-02-01", "0001-01-01",
    "9999-12-31T23:59:59-23:59", "2026-02-01T04:00:00.000001+00:00",
]  # fmt: skip
RANGES_AND_BOOLEANS: list[dict[str, Any]] = [
    {"n": {"$gte": 10}},
    {"n": {"$gt": 10}},
    {"n": {"$lt": 10}},
    {"n": {"$gte": 10, "$lte": 10}},
    {"n": {"$lte": 10, "$gt": 0}},
    {"n": {"$gt": 0.5, "$lt": 12.5}},
    {"n": {"$gte": 12.5, "$lte": 12.5}},
    {"n": {"$gte": 45.99, "$lte": 45.99}},
    {"n": {"$lt": -0.0004, "$gt": -0.0006}},
    {"n": {"$gte": 0, "$lte": 0}},
    {"n": {"$lt": 0}},
    {"n": {"$gte": 9007199254740992}},
    {"n": {"$lte": 9007199254740992}},
    {"n": {"$gt": 9007199254740992}},
    {"n": {"$gt": 1e299}},
    {"n": {"$gte": -1e308}},
    {"n": {"$gte": "2026-01-01"}},
    {"n": {"$lt": "2026-02-01T08:30:00Z"}},
    {"n": {"$gt": "2026-02-01T08:00:00Z", "$lte": "2026-12-31"}},
    {"n": {"$gte": "2026-02-01T04:00:00Z", "$lte": "2026-02-01T04:00:00Z"}},
    {"n": {"$gte": "2026-01-31T11:00:00Z", "$lt": "2026-01-31T11:00:01Z"}},
    {"n": {"$gte": "0001-01-01"}},
    {"n": {"$lte": "9999-12-31"}},
    {"n": True},
    {"n": False},
    {"n": "true"},
    {"n": "TRUE"},
    {"n": "True"},
    {"n": "false"},
    {"n": [True, 10]},
    {"n": [False, "unknown"]},
    {"n": True, "m": "a"},
    {"n": {"$gte": 10}, "m": "b"},
    {"missing": True},
    {"missing": {"$gte": 0}},
]


def _sql_only(store: Any, kb_id: str, wanted: Any) -> set[str]:
    """The chunks the SQL condition alone keeps."""
    from sqlmodel import select

    from engine.knowledge._filter_sql import meta_condition
    from engine.store.models_knowledge import KnowledgeChunk

    condition = meta_condition(store.db.dialect, wanted)
    assert condition is not None, f"nothing of {wanted} was put into SQL"
    with store.db.read() as s:
        q = select(KnowledgeChunk.id).where(KnowledgeChunk.kb_id == kb_id, condition)
        return set(s.exec(q).all())


def test_ranges_and_true_false_in_sql_keep_exactly_the_python_matches(
    kb: ModuleType, erin: Principal
) -> None:
    from sqlmodel import select

    from engine.knowledge import filters
    from engine.services.store import get_store
    from engine.store.models_knowledge import KnowledgeChunk, KnowledgeDocument

    base = kb.create_base(erin, "Ranges")
    docs = [
        {"name": f"d{i}.txt", "text": f"Document {i}.", "meta": {"n": v, "m": "ab"[i % 2]}}
        for i, v in enumerate(TYPED)
    ]
    docs.append({"name": "none.txt", "text": "No n here.", "meta": {"m": "a"}})
    assert all(r["status"] == "added" for r in kb.add_documents(erin, base.id, docs))
    store = get_store()
    with store.db.read() as s:
        rows = s.exec(
            select(KnowledgeChunk.id, KnowledgeChunk.meta, KnowledgeDocument.name)
            .join(KnowledgeDocument, KnowledgeDocument.id == KnowledgeChunk.document_id)
            .where(KnowledgeChunk.kb_id == base.id)
        ).all()
    assert len(rows) == len(docs)
    name = {cid: n for cid, _, n in rows}
    for f in RANGES_AND_BOOLEANS:
        wanted = filters.normalise(f)
        truth = {cid for cid, meta, n in rows if filters._matches(meta, n, wanted)}
        assert filters.matching_chunks(store, base.id, wanted) == truth, f
        narrowed = _sql_only(store, base.id, wanted)  # SQL alone: all matches, few others
        assert truth <= narrowed, (f, sorted(name[c] for c in truth - narrowed))
        assert len(narrowed) < len(rows), f
        if all(isinstance(v, bool) or str(v).lower() in ("true", "false") for v in f.values()):
            # true/false and their words are exact in SQL
            assert narrowed == truth, (f, sorted(name[c] for c in narrowed - truth))

    def found(f: dict[str, Any]) -> list[Any]:
        hits = filters.matching_chunks(store, base.id, filters.normalise(f))
        return sorted((TYPED[int(name[c][1:-4])] for c in hits), key=repr)

    # what the rules say, as a user sees it: texts of numbers are numbers, true/false and
    # null are in no range, a word of true/false in any case matches true/false
    ten = [10, 10.0, "\uff11\uff10", " 10 ", "010", "10", "10.", "1E+01", "1_0", "1e1", "+10"]
    assert found({"n": {"$gte": 10, "$lte": 10}}) == sorted(ten, key=repr)
    assert found({"n": True}) == sorted(["TRUE", "True", True, "true"], key=repr)
    assert found({"n": "True"}) == sorted(["True", True], key=repr)
    assert found({"n": {"$gt": 1e299}}) == sorted([1e300, "1e400", "inf"], key=repr)
    assert found({"n": {"$lt": "2025-12-31T23:31:00Z"}}) == ["0001-01-01", "2025-12-31T23:30:00Z"]
    assert found({"missing": {"$gte": 0}}) == []
