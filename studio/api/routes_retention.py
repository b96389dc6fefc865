"""Retention for admins and the console:

* ``GET /api/v1/retention``: the limits in force and the last pass (scheduled or by
  hand), as the studio's settings page shows them;
* ``POST /api/v1/retention/run``: apply the limits now (audited), answering with what
  was deleted — what ``aura execution prune`` does.

The work is :mod:`engine.observability.retention`.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from studio.api.routing import Call, Router
from studio.api.schemas import Out

__all__ = ["router", "routers"]

router = Router("Retention")


class RetentionRunOut(Out):
    at: str = Field(description="When the pass started (ISO 8601, UTC).")
    trigger: str = Field(description="'scheduler' or 'manual'.")
    executions_deleted: int
    audit_deleted: int
    bytes_before: int | None = Field(description="SQLite file size before (None on PostgreSQL).")
    bytes_after: int | None
    reclaimed: bool = Field(description="Whether free space went back to the file system.")
    duration_s: float
    error: str | None = Field(description="Why the pass stopped early, if it did.")


class RetentionOut(Out):
    executions: str = Field(description="The execution limits, in words.")
    max_age_days: int | None = Field(description="AURA_EXEC_RETENTION_DAYS (None: off).")
    max_count: int | None = Field(description="AURA_EXEC_RETENTION_COUNT (None: off).")
    audit_days: int | None = Field(description="AURA_RETENTION_AUDIT_DAYS (None: kept).")
    scheduled: bool = Field(
        description="Whether the scheduler applies them (AURA_RETENTION_ENABLED)."
    )
    interval_s: float = Field(description="AURA_RETENTION_INTERVAL_S.")
    last_run: RetentionRunOut | None
    next_run: str | None = Field(description="When the scheduler runs the next pass.")


@router.get("/retention", action="settings:read", summary="Show retention", response=RetentionOut)
def show(call: Call) -> dict[str, Any]:
    """The retention limits in force and the last pass."""
    from engine.services.observability import retention_status

    return retention_status()


@router.post(
    "/retention/run",
    action="settings:update",
    summary="Apply retention now",
    response=RetentionRunOut,
)
def run(call: Call) -> dict[str, Any]:
    """Deletes finished executions beyond the limits and old audit events now, then gives
    SQLite space back; answers with the report (also shown as the last run)."""
    from engine.services.observability import apply_retention

    report = apply_retention(trigger="manual").to_json()
    call.audit(
        "retention.run",
        "retention",
        None,
        {
            "executions_deleted": report["executions_deleted"],
            "audit_deleted": report["audit_deleted"],
        },
    )
    return report


def routers() -> list[Router]:
    """The retention router."""
    return [router]
