"""MySQL: run a parameterised SQL statement against MySQL or MariaDB, per item or once."""

from __future__ import annotations

from typing import Any, Literal

from engine.sdk import CredentialSlot, Field, NodeSpec, Params, load_docs, ui


class MySqlParams(Params):
    """Parameters of the MySQL node."""

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
        description="'each_item': run once per input item with its parameters; 'once': run "
        "once with the first item's parameters.",
    )


SPEC = NodeSpec(
    type="core.mysql",
    version=1,
    title="MySQL",
    description="Run a parameterised SQL statement against a MySQL or MariaDB database.",
    category="Data",
    icon="database",
    params=MySqlParams,
    credentials=(
        CredentialSlot(
            "mysql", ("mysql",), required=True, description="The database to connect to."
        ),
    ),
    run="nodes.core.mysql.run:execute",
    docs=load_docs(__file__),
)
