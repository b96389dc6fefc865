"""MySQL: one PyMySQL connection per run to a checked address, one transaction.

Placeholders are rewritten as for Postgres (``$n`` → a named parameter, ``%`` doubled)
and PyMySQL escapes the values it binds; the statement text never carries data.
"""

from __future__ import annotations

import datetime
import decimal
import json
from typing import Any

from engine.sdk import Item, NodeContext, NodeExecutionError
from engine.sdk.tls import client_tls_context
from nodes.core.mysql.spec import MySqlParams
from nodes.core.postgres.run import _statement, each_statement
from nodes.core.postgres.spec import SqlQueryParams

_MAX_ROWS = 100_000


def _json(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, bytes | bytearray):
        try:
            return bytes(value).decode()
        except UnicodeDecodeError:
            return bytes(value).hex()
    return value


def _param(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value


def _connect(ctx: NodeContext) -> Any:
    import pymysql

    cred = ctx.credentials("mysql")
    host, port = str(cred.get("host", "")), int(cred.get("port") or 3306)
    mode = cred.get("ssl") or "disable"
    context = client_tls_context(
        mode,
        ca_pem=cred.get("ca_certificate"),
        cert_pem=cred.get("client_certificate"),
        key_pem=cred.get("client_key"),
        what="The MySQL credential",
    )
    tls: dict[str, Any] = {"ssl": context} if context is not None else {}
    try:
        address = ctx.addresses(host, port)[0]
        return pymysql.connect(
            host=host if mode == "verify" else address,
            port=port,
            user=cred.get("user"),
            password=cred.get("password") or "",
            database=cred.get("database"),
            charset="utf8mb4",
            connect_timeout=10,
            autocommit=False,
            **tls,
        )
    except pymysql.MySQLError as exc:
        raise NodeExecutionError(f"Could not connect to MySQL at {host}:{port}: {exc}.") from None


def _run(conn: Any, text: str, values: dict[str, Any], i: int) -> list[dict[str, Any]]:
    import pymysql

    try:
        with conn.cursor() as cur:
            affected = cur.execute(text, values)
            if cur.description is None:
                return [{"affected_rows": affected, "last_row_id": cur.lastrowid}]
            names = [d[0] for d in cur.description]
            rows = cur.fetchmany(_MAX_ROWS + 1)
    except pymysql.MySQLError as exc:
        raise NodeExecutionError(
            f"Item {i}: MySQL refused the statement: {exc}.", details={"item_index": i}
        ) from None
    if len(rows) > _MAX_ROWS:
        raise NodeExecutionError(
            f"Item {i}: the query returned more than {_MAX_ROWS} rows; add a LIMIT."
        )
    return [{n: _json(v) for n, v in zip(names, row, strict=True)} for row in rows]


def execute(ctx: NodeContext) -> dict[str, list[Item]]:
    """Runs the statement per item (or once): rows, or affected_rows / last_row_id."""
    first = ctx.params(0)
    assert isinstance(first, MySqlParams)
    text, needed = _statement(first.query)
    conn = _connect(ctx)

    def run(p: SqlQueryParams, i: int) -> list[dict[str, Any]]:
        return _run(conn, text, {f"p{n + 1}": _param(v) for n, v in enumerate(p.parameters)}, i)

    try:
        out = each_statement(ctx, first, needed, run)
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    finally:
        conn.close()
    return {"main": out}
