"""Execution indexes on columns almost always NULL become partial (``WHERE col IS NOT
NULL``): ``resume_token`` (unique), ``retry_of``, ``parent_execution_id``,
``wait_until`` and ``agent_id``. Every execution row used to add an entry to each of
them (five B-tree inserts per INSERT, NULL keys included); now only the few rows that
have a value do. Every query using them filters ``col = value``, ``col <= value`` or
``col IS NOT NULL``, which implies the predicate on SQLite and PostgreSQL alike.

Written with plain SQLAlchemy (no application imports), like 0001.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SPARSE = (
    ("resume_token", True),
    ("retry_of", False),
    ("parent_execution_id", False),
    ("wait_until", False),
    ("agent_id", False),
)


def upgrade() -> None:
    for column, unique in SPARSE:
        name = f"ix_execution_{column}"
        where = sa.text(f"{column} IS NOT NULL")
        op.drop_index(name, table_name="execution")
        op.create_index(
            name,
            "execution",
            [column],
            unique=unique,
            sqlite_where=where,
            postgresql_where=where,
        )


def downgrade() -> None:
    for column, unique in SPARSE:
        name = f"ix_execution_{column}"
        op.drop_index(name, table_name="execution")
        op.create_index(name, "execution", [column], unique=unique)
