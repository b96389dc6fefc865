"""SQLite: run a parameterised SQL statement against a SQLite database kept by AURA."""

from __future__ import annotations

from engine.sdk import Field, NodeSpec, load_docs
from nodes.core.postgres.spec import SqlQueryParams


class SqliteParams(SqlQueryParams):
    """Parameters of the SQLite node."""

    database: str = Field(
        "workflows",
        description="The database's name: a file '<name>.db' in AURA's data directory "
        "(letters, digits, '-' and '_' only). Workflows using the same name share it.",
        pattern=r"^[A-Za-z0-9_-]{1,64}$",
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
    tool=True,
)
