"""MySQL: run a parameterised SQL statement against MySQL or MariaDB, per item or once."""

from __future__ import annotations

from engine.sdk import CredentialSlot, NodeSpec, load_docs
from nodes.core.postgres.spec import SqlQueryParams


class MySqlParams(SqlQueryParams):
    """Parameters of the MySQL node: a statement, its parameters, the mode."""


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
