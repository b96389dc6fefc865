"""The SQLite node: a database in the data directory, parameters bound, other files unreachable."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from engine.sdk.testing import NodeHarness


@pytest.fixture
def db(data_dir: Path) -> NodeHarness:
    return NodeHarness("core.sqlite")


def _run(db: NodeHarness, params: dict[str, Any], items: Any = None) -> Any:
    return db.run({"database": "shop", **params}, items if items is not None else [{}])


def test_rows_and_summaries_with_bound_parameters(db: NodeHarness, data_dir: Path) -> None:
    made = _run(db, {"query": "CREATE TABLE seen (id TEXT PRIMARY KEY, meta TEXT)", "mode": "once"})
    assert made.error is None, made.error
    assert (data_dir / "sqlite" / "shop.db").is_file()
    evil = "1'); DROP TABLE seen; --"
    ins = _run(
        db,
        {
            "query": "INSERT INTO seen VALUES ($1, $2)",
            "parameters": ["{{ $json.id }}", "{{ $json.meta }}"],
        },
        [{"id": "a", "meta": {"n": 1}}, {"id": evil, "meta": None}],
    )
    assert ins.json() == [
        {"affected_rows": 1, "last_row_id": 1},
        {"affected_rows": 1, "last_row_id": 2},
    ]
    rows = _run(
        db,
        {
            "query": "SELECT id, meta FROM seen WHERE id = $1 OR id LIKE 'a%' ORDER BY rowid",
            "parameters": [evil],
            "mode": "once",
        },
    )
    assert rows.json() == [{"id": "a", "meta": '{"n": 1}'}, {"id": evil, "meta": None}]


def test_a_failing_item_rolls_back_the_run(db: NodeHarness) -> None:
    _run(db, {"query": "CREATE TABLE t (n INTEGER PRIMARY KEY)", "mode": "once"})
    bad = _run(
        db,
        {"query": "INSERT INTO t VALUES ($1)", "parameters": ["{{ $json.n }}"]},
        [{"n": 1}, {"n": 1}],
    )
    assert bad.error is not None and "Item 1: SQLite refused" in bad.error.message
    count = _run(db, {"query": "SELECT count(*) AS n FROM t", "mode": "once"})
    assert count.json() == [{"n": 0}]


@pytest.mark.parametrize(
    "query",
    [
        "ATTACH DATABASE '/tmp/pwn-sqlite.db' AS x",
        "VACUUM INTO '/tmp/pwn-sqlite-copy.db'",
        "PRAGMA journal_mode = OFF",
        "SELECT load_extension('/tmp/x')",
    ],
)
def test_statements_cannot_reach_other_files(db: NodeHarness, query: str) -> None:
    res = _run(db, {"query": query, "mode": "once"})
    assert res.error is not None
    assert not Path("/tmp/pwn-sqlite.db").exists()
    assert not Path("/tmp/pwn-sqlite-copy.db").exists()


def test_names_cannot_be_paths_and_missing_databases_are_named(db: NodeHarness) -> None:
    res = db.run({"database": "../etc/passwd", "query": "SELECT 1"}, [{}])
    assert res.error is not None and "database" in res.error.message.lower()
    res = db.run({"database": "nothere", "create": False, "query": "SELECT 1"}, [{}])
    assert res.error is not None and "no SQLite database 'nothere'" in res.error.message
