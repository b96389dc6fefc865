"""Range filters on knowledge searches: numbers (CSV fields are text, compared as
numbers) and dates (ISO dates and date-times with or without a zone, compared as
instants), bounds combined, a field that is not a number or date outside every range,
and bad ranges refused in words. On SQLite and PostgreSQL, with the real model."""

from __future__ import annotations

from types import ModuleType

import pytest

from engine.auth.types import Principal
from engine.errors import ValidationError

ORDERS = """id,item,price,shipped
1,Red kettle,12.50,2026-01-15
2,Blue kettle,30,2026-02-01T09:00:00+01:00
3,Steel kettle,45.99,2026-03-20
4,Glass kettle,unknown,not yet
5,Copper kettle,99,2025-12-31T23:30:00Z
"""


def _ids(hits: list[dict]) -> list[str]:
    return sorted(str(h["meta"].get("id", h["document"])) for h in hits)


def test_numbers_and_dates_in_ranges(kb: ModuleType, erin: Principal) -> None:
    base = kb.create_base(erin, "Orders")
    added = kb.add_documents(
        erin,
        base.id,
        [
            {"name": "orders.csv", "text": ORDERS},
            {"name": "note.md", "text": "The kettle catalogue.", "meta": {"price": 5}},
        ],
    )
    assert [r["status"] for r in added] == ["added", "added"]

    def find(filters: dict) -> list[str]:
        return _ids(kb.search(erin, base.id, "kettle", k=10, filters=filters))

    assert find({"price": {"$gte": 30, "$lt": 99}, "document": "orders.csv"}) == ["2", "3"]
    assert find({"price": {"$gt": 45.99}}) == ["5"]
    assert find({"price": {"$lte": 12.5}, "item": ["Red kettle", "Blue kettle"]}) == ["1"]
    # dates: the blue kettle shipped at 08:00 UTC on 1 February; the copper one in 2025
    assert find({"shipped": {"$gte": "2026-01-01"}}) == ["1", "2", "3"]
    assert find({"shipped": {"$lt": "2026-02-01T08:30:00Z"}}) == ["1", "2", "5"]
    assert find({"shipped": {"$gt": "2026-02-01T08:00:00Z", "$lte": "2026-12-31"}}) == ["3"]
    # "unknown" and "not yet" are in no range; the Markdown note's number is
    assert "4" not in find({"price": {"$gte": 0}}) + find({"shipped": {"$gte": "1900-01-01"}})
    notes = kb.search(erin, base.id, "kettle", k=10, filters={"price": {"$lt": 10}})
    assert [h["document"] for h in notes] == ["note.md"]


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        ({"price": {"$between": [1, 2]}}, "operators: $gt, $gte, $lt, $lte"),
        ({"price": {}}, "a range such as"),
        ({"price": {"$gt": "cheap"}}, 'needs a number or an ISO date such as "2026-03-01"'),
        ({"price": {"$gt": True}}, "needs a number or an ISO date"),
        ({"price": {"$gt": 1, "$lt": "2026-01-01"}}, "all numbers or all dates"),
    ],
)
def test_bad_ranges_are_refused_in_words(
    kb: ModuleType, erin: Principal, bad: dict, words: str
) -> None:
    base = kb.create_base(erin, "Refused")
    with pytest.raises(ValidationError) as refused:
        kb.search(erin, base.id, "kettle", filters=bad)
    assert words in refused.value.message and refused.value.http_status == 422
