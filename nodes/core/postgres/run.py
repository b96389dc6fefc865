"""Postgres: one connection per run, to a checked address; ``$n`` placeholders bound by psycopg.

``$1``-style placeholders (as in n8n and PostgreSQL itself) become psycopg's named
placeholders, and a literal ``%`` is doubled, so the statement text never carries a
value: values are always sent as bound parameters.
"""

from __future__ import annotations

import datetime
import decimal
import re
import uuid
from collections.abc import Callable
from typing import Any

from engine.sdk import Item, NodeContext, NodeExecutionError
from nodes.core.postgres.spec import PostgresParams, SqlQueryParams

_PLACEHOLDER = re.compile(r"\$(\d+)")
_MAX_ROWS = 100_000


def _statement(query: str) -> tuple[str, int]:
    """The query with ``$n`` as ``%(pn)s`` and ``%`` escaped; the highest ``n`` used."""
    highest = 0

    def repl(m: re.Match[str]) -> str:
        nonlocal highest
        highest = max(highest, int(m.group(1)))
        return f"%(p{m.group(1)})s"

    return _PLACEHOLDER.sub(repl, query.replace("%", "%%")), highest


def _json(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, uuid.UUID | datetime.timedelta):
        return str(value) if isinstance(value, uuid.UUID) else value.total_seconds()
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in value.items()}
    return value


def _connect(ctx: NodeContext) -> Any:
    import psycopg

    cred = ctx.credentials("postgres")
    host, port = str(cred.get("host", "")), int(cred.get("port") or 5432)
    try:
        address = ctx.addresses(host, port)[0]
        return psycopg.connect(
            host=host,
            hostaddr=address,
            port=port,
            dbname=cred.get("database"),
            user=cred.get("user"),
            password=cred.get("password") or None,
            sslmode=cred.get("ssl") or "prefer",
            connect_timeout=10,
        )
    except OSError as exc:
        raise NodeExecutionError(f"Could not reach PostgreSQL at {host}:{port}: {exc}.") from None
    except psycopg.Error as exc:
        raise NodeExecutionError(
            f"Could not connect to PostgreSQL at {host}:{port}: {str(exc).strip()}"
        ) from None


def _run(
    conn: Any, text: str, values: dict[str, Any], p: PostgresParams, i: int
) -> list[dict[str, Any]]:
    import psycopg

    try:
        with conn.cursor() as cur:
            cur.execute(text, values)
            if p.output == "summary" or cur.description is None:
                return [{"statement": cur.statusmessage, "affected_rows": max(cur.rowcount, 0)}]
            names = [c.name for c in cur.description]
            rows = cur.fetchmany(_MAX_ROWS + 1)
    except psycopg.Error as exc:
        diag = getattr(exc, "diag", None)
        hint = f" Hint: {diag.message_hint}." if diag is not None and diag.message_hint else ""
        raise NodeExecutionError(
            f"Item {i}: PostgreSQL refused the statement: {str(exc).strip()}{hint}",
            details={"item_index": i, "sqlstate": exc.sqlstate},
        ) from None
    if len(rows) > _MAX_ROWS:
        raise NodeExecutionError(
            f"Item {i}: the query returned more than {_MAX_ROWS} rows; "
            "add a LIMIT or page through the results."
        )
    return [{n: _json(v) for n, v in zip(names, row, strict=True)} for row in rows]


def each_statement(
    ctx: NodeContext,
    first: SqlQueryParams,
    needed: int,
    run: Callable[[SqlQueryParams, int], list[dict[str, Any]]],
) -> list[Item]:
    """Calls ``run(params, index)`` for each item (or the first, in 'once' mode), after
    checking that ``$needed`` has a value; its rows become items linked to that item."""
    items = ctx.items or [Item(json={})]
    out: list[Item] = []
    for i, item in enumerate(items[:1] if first.mode == "once" else items):
        ctx.check_cancelled()
        p = ctx.params(i) if i else first
        assert isinstance(p, SqlQueryParams)
        if len(p.parameters) < needed:
            raise NodeExecutionError(
                f"The statement uses ${needed} but only "
                f"{len(p.parameters)} parameters are given. Add them "
                "under 'Parameters', in order."
            )
        out.extend(item.derive(row, index=i, keep_binary=False) for row in run(p, i))
    return out


def execute(ctx: NodeContext) -> dict[str, list[Item]]:
    """Runs the statement per item (or once) and outputs rows or summaries."""
    first = ctx.params(0)
    assert isinstance(first, PostgresParams)
    text, needed = _statement(first.query)
    conn = _connect(ctx)

    def run(p: SqlQueryParams, i: int) -> list[dict[str, Any]]:
        values = {f"p{n + 1}": _json_param(v) for n, v in enumerate(p.parameters)}
        return _run(conn, text, values, first, i)

    try:
        conn.autocommit = first.transaction == "per_statement"
        out = each_statement(ctx, first, needed, run)
        if not conn.autocommit:
            conn.commit()
    except BaseException:
        if not conn.closed and not conn.autocommit:
            conn.rollback()
        raise
    finally:
        conn.close()
    return {"main": out}


def _json_param(value: Any) -> Any:
    """Objects and lists are sent as JSON (for json/jsonb columns)."""
    if isinstance(value, dict):
        from psycopg.types.json import Jsonb

        return Jsonb(value)
    return value
