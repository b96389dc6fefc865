"""The MySQL node against a real MariaDB server (started privately for the module)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from engine.credentials.kinds.services import MySql
from engine.sdk.testing import NodeHarness
from tests.support.mysql import mysql_server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cred() -> Iterator[dict[str, Any]]:
    with mysql_server() as db:
        yield db.credential


@pytest.fixture(scope="module")
def my() -> NodeHarness:
    return NodeHarness("core.mysql")


def _run(
    my: NodeHarness,
    cred: dict[str, Any],
    params: dict[str, Any],
    items: Any = None,
    allow: bool = True,
) -> Any:
    return my.run(
        params,
        items if items is not None else [{}],
        credentials={"mysql": cred},
        http_allow=[str(cred["host"])] if allow else [],
    )


def test_bound_parameters_rows_and_summaries(my: NodeHarness, cred: dict[str, Any]) -> None:
    made = _run(
        my,
        cred,
        {
            "query": "CREATE TABLE people (id INT AUTO_INCREMENT PRIMARY KEY, "
            "name VARCHAR(100), meta JSON, born DATE) ENGINE=InnoDB",
            "mode": "once",
        },
    )
    assert made.error is None, made.error
    evil = "x'); DROP TABLE people; -- %s"
    ins = _run(
        my,
        cred,
        {
            "query": "INSERT INTO people (name, meta, born) VALUES ($1, $2, $3)",
            "parameters": ["{{ $json.name }}", "{{ $json.meta }}", "{{ $json.born }}"],
        },
        [
            {"name": "Ann", "meta": {"a": 1}, "born": "1990-05-01"},
            {"name": evil, "meta": [], "born": None},
        ],
    )
    assert ins.error is None, ins.error
    assert ins.json() == [
        {"affected_rows": 1, "last_row_id": 1},
        {"affected_rows": 1, "last_row_id": 2},
    ]
    rows = _run(
        my,
        cred,
        {
            "query": "SELECT id, name, born FROM people WHERE name LIKE 'A%' "
            "OR name = $1 ORDER BY id",
            "parameters": [evil],
            "mode": "once",
        },
    )
    assert rows.json() == [
        {"id": 1, "name": "Ann", "born": "1990-05-01"},
        {"id": 2, "name": evil, "born": None},
    ]


def test_a_failing_item_rolls_back_the_run(my: NodeHarness, cred: dict[str, Any]) -> None:
    _run(my, cred, {"query": "CREATE TABLE t (n INT PRIMARY KEY) ENGINE=InnoDB", "mode": "once"})
    bad = _run(
        my,
        cred,
        {"query": "INSERT INTO t VALUES ($1)", "parameters": ["{{ $json.n }}"]},
        [{"n": 1}, {"n": 1}],
    )
    assert bad.error is not None and "Item 1: MySQL refused" in bad.error.message
    count = _run(my, cred, {"query": "SELECT COUNT(*) AS n FROM t", "mode": "once"})
    assert count.json() == [{"n": 0}]


def test_loopback_server_is_refused_unless_allowed(my: NodeHarness, cred: dict[str, Any]) -> None:
    res = _run(my, cred, {"query": "SELECT 1", "mode": "once"}, allow=False)
    assert res.error is not None and res.error.code == "ssrf_blocked", res.error


def test_the_credential_test_connects(
    cred: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AURA_HTTP_ALLOW", "127.0.0.1")
    from engine.config import reset_settings

    reset_settings()
    result = MySql(**cred).test()
    assert result.ok, result.message
    assert MySql(**{**cred, "password": "wrong"}).test().ok is False
