"""Persistence of AURA: SQLModel tables, repositories, migrations and retention.

Open it with :func:`open_store` (or :class:`Store`); SQLite in WAL mode under
``AURA_DATA_DIR`` by default, PostgreSQL through ``AURA_DB_URL``. Alembic
(:mod:`engine.store.migrate`) is the only way the schema changes.

Example::

    store = open_store()
    wf = store.workflows.create(workflow)
    ex = store.executions.create(workflow_id=wf.id, mode="manual")
    store.executions.set_status(ex.id, ExecutionStatus.RUNNING)
"""

from __future__ import annotations

from engine.store.credentials import Cipher, CredentialInfo
from engine.store.enums import FINISHED, TRANSITIONS, ExecutionMode, ExecutionStatus, NodeRunStatus
from engine.store.models import (
    Credential,
    Execution,
    NodeRun,
    Setting,
    Variable,
    Webhook,
    WorkflowRecord,
    WorkflowVersion,
    metadata,
)
from engine.store.store import Store, open_store

__all__ = [
    "FINISHED",
    "TRANSITIONS",
    "Cipher",
    "Credential",
    "CredentialInfo",
    "Execution",
    "ExecutionMode",
    "ExecutionStatus",
    "NodeRun",
    "NodeRunStatus",
    "Setting",
    "Store",
    "Variable",
    "Webhook",
    "WorkflowRecord",
    "WorkflowVersion",
    "metadata",
    "open_store",
]
