"""Postgres: run a parameterised SQL statement against PostgreSQL, per item or once.

:class:`SqlQueryParams` (statement, ``$n`` parameters, mode) is shared with the MySQL
and SQLite nodes.
"""

from __future__ import annotations

from typing import Any, Literal

from engine.sdk import CredentialSlot, Field, NodeSpec, Params, load_docs, ui


class SqlQueryParams(Params):
    """A parameterised statement, run per item or once (the SQL nodes' common fields)."""

    query: str = Field(
        "SELECT $1 AS answer",
        description="The SQL statement. Values go in as parameters $1, $2, ... (never "
        "pasted into the text), from 'Parameters'. Not evaluated as an expression.",
        json_schema_extra=ui("code", language="sql", expression=False),
    )
    parameters: list[Any] = Field(
        default_factory=list,
        description="The values of $1, $2, ... in order; usually expressions such as "
        "'{{ $json.email }}', evaluated for each item. Objects and lists are sent as JSON.",
    )
    mode: Literal["each_item", "once"] = Field(
        "each_item",
        description="'each_item': run the statement once per input item (with that item's "
        "parameters); 'once': run it once (with the first item's parameters).",
    )


class PostgresParams(SqlQueryParams):
    """Parameters of the Postgres node."""

    output: Literal["rows", "summary"] = Field(
        "rows",
        description="'rows': one item per returned row; 'summary': one item per statement "
        "with the number of affected rows.",
    )
    transaction: Literal["single", "per_statement"] = Field(
        "single",
        description="'single': all statements of the run in one transaction (any failure "
        "rolls them all back); 'per_statement': each statement commits on its own.",
    )


SPEC = NodeSpec(
    type="core.postgres",
    version=1,
    title="Postgres",
    description="Run a parameterised SQL statement against a PostgreSQL database.",
    category="Data",
    icon="database",
    params=PostgresParams,
    credentials=(
        CredentialSlot(
            "postgres", ("postgres",), required=True, description="The database to connect to."
        ),
    ),
    run="nodes.core.postgres.run:execute",
    docs=load_docs(__file__),
)
