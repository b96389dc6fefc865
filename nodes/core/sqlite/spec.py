"""SQLite: run a parameterised SQL statement against a SQLite database kept by AURA."""

from __future__ import annotations

from typing import Any, Literal

from engine.sdk import Field, NodeSpec, Params, load_docs, ui


class SqliteParams(Params):
    """Parameters of the SQLite node."""

    database: str = Field(
        "workflows",
        description="The database's name: a file '<name>.db' in AURA's data directory "
        "(letters, digits, '-' and '_' only). Workflows using the same name share it.",
        pattern=r"^[A-Za-z0-9_-]{1,64}$",
    )
    query: str = Field(
        "SELECT $1 AS answer",
        description="The SQL statement. Values go in as parameters $1, $2, ... (never "
        "pasted into the text), from 'Parameters'. Not evaluated as an expression.",
        json_schema_extra=ui("code", language="sql", expression=False),
    )
    parameters: list[Any] = Field(
        default_factory=list,
        description="The values of $1, $2, ... in order; usually expressions such as "
        "'{{ $json.email }}', evaluated for each item. Objects and lists are stored as JSON.",
    )
    mode: Literal["each_item", "once"] = Field(
        "each_item",
        description="'each_item': run once per input item with its parameters; 'once': run "
        "once with the first item's parameters.",
    )
    create: bool = Field(True, description="Create the database if it does not exist yet.")


SPEC = NodeSpec(
    type="core.sqlite",
    version=1,
    title="SQLite",
    description="Run a parameterised SQL statement against a SQLite database kept by AURA.",
    category="Data",
    icon="database",
    params=SqliteParams,
    run="nodes.core.sqlite.run:execute",
    docs=load_docs(__file__),
)
