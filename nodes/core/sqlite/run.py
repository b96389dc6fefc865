"""SQLite: a database file under ``<data dir>/sqlite/``, statements confined to it.

An authorizer refuses ``ATTACH``/``DETACH`` (and so ``VACUUM INTO``) and every PRAGMA
but a few that only read the schema, so a statement cannot open or write another
file; extension loading stays off. All statements of a run share one transaction.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any

from engine.sdk import Item, NodeContext, NodeExecutionError
from nodes.core.postgres.run import each_statement
from nodes.core.postgres.spec import SqlQueryParams
from nodes.core.sqlite.spec import SqliteParams

_PLACEHOLDER = re.compile(r"\$(\d+)")
_MAX_ROWS = 100_000
_READ_PRAGMAS = {
    "table_info",
    "table_xinfo",
    "index_list",
    "index_info",
    "foreign_key_list",
    "user_version",
    "schema_version",
    "foreign_keys",
    "table_list",
}


def _authorizer(
    action: int, arg1: str | None, arg2: str | None, db: str | None, trigger: str | None
) -> int:
    if action in (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH):
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_PRAGMA and (arg1 or "").lower() not in _READ_PRAGMAS:
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


def database_path(name: str) -> Path:
    """``<data dir>/sqlite/<name>.db`` (the directory is created, private)."""
    from engine.config import settings

    folder = settings().ensure_data_dir() / "sqlite"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder / f"{name}.db"


def _param(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def _run(conn: sqlite3.Connection, p: SqlQueryParams, i: int) -> list[dict[str, Any]]:
    values = {str(n + 1): _param(v) for n, v in enumerate(p.parameters)}
    try:
        cur = conn.execute(p.query, values)
        if cur.description is None:
            return [{"affected_rows": max(cur.rowcount, 0), "last_row_id": cur.lastrowid}]
        names = [d[0] for d in cur.description]
        rows = cur.fetchmany(_MAX_ROWS + 1)
    except sqlite3.DatabaseError as exc:
        hint = (
            " Statements may not attach other databases or change settings with PRAGMA."
            if "not authorized" in str(exc) or "authorization" in str(exc)
            else ""
        )
        raise NodeExecutionError(
            f"Item {i}: SQLite refused the statement: {exc}.{hint}", details={"item_index": i}
        ) from None
    except sqlite3.ProgrammingError as exc:
        raise NodeExecutionError(f"Item {i}: {exc}. Use $1, $2, ... for values.") from None
    if len(rows) > _MAX_ROWS:
        raise NodeExecutionError(
            f"Item {i}: the query returned more than {_MAX_ROWS} rows; add a LIMIT."
        )
    return [dict(zip(names, row, strict=True)) for row in rows]


def execute(ctx: NodeContext) -> dict[str, list[Item]]:
    """Runs the statement per item (or once); rows, or affected_rows / last_row_id."""
    first = ctx.params(0)
    assert isinstance(first, SqliteParams)
    path = database_path(first.database)
    if not first.create and not path.exists():
        raise NodeExecutionError(
            f"There is no SQLite database '{first.database}' yet; turn on "
            "'Create' or check the name."
        )
    needed = max((int(m) for m in _PLACEHOLDER.findall(first.query)), default=0)
    conn = sqlite3.connect(path, timeout=10.0, isolation_level="DEFERRED")
    conn.set_authorizer(_authorizer)
    try:
        out = each_statement(ctx, first, needed, lambda p, i: _run(conn, p, i))
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    finally:
        conn.close()
    return {"main": out}
