"""Analytics for the HTTP layer and the console: the executions of a period, aggregated
by the database (:mod:`engine.observability.analytics`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

__all__ = ["get_analytics"]


def get_analytics(
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    bucket: Literal["minute", "hour", "day"] | None = None,
    project_id: str | None = None,
    workflow_id: str | None = None,
) -> dict[str, Any]:
    """Totals, a series per hour or day, per-workflow and per-node-type figures and the
    most failing nodes of the executions created in the period (default: the last 24
    hours).

    Raises:
        ValidationError: the period is empty or has too many buckets.
    """
    from engine.observability.analytics import Period, analytics
    from engine.store.current import get_store

    period = Period.of(since, until, bucket)
    return analytics(get_store(), period, project_id=project_id, workflow_id=workflow_id)
