"""Analytics for the HTTP layer, the studio and the console: the executions of a period,
aggregated by the database (:mod:`engine.observability.analytics`), scoped to what the
caller may read.

Owners and admins see every project; everyone else sees the executions (and LLM usage)
of the projects they are a member of, and asking for another project's figures is
answered as for a project that does not exist. A project's figures include the runs of
workflows shared into it that its members started; the owner's project counts every run
of its workflows (:func:`engine.observability.analytics.counted_in`, docs/operations.md).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from engine.auth.rbac import authorize
from engine.auth.types import Principal

__all__ = ["get_analytics"]

ACTION = "analytics:read"


def get_analytics(
    principal: Principal,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    bucket: Literal["minute", "hour", "day"] | None = None,
    project_id: str | None = None,
    workflow_id: str | None = None,
) -> dict[str, Any]:
    """Totals, a series per hour or day, per-workflow and per-node-type figures, the most
    failing nodes, queue wait and LLM usage of the executions created in the period
    (default: the last 24 hours) that ``principal`` may read.

    Raises:
        ValidationError: the period is empty or has too many buckets.
        NotFoundError: ``project_id`` is not one of the caller's projects.
        PermissionDenied: an API key without the ``analytics:read`` scope.
    """
    from engine.observability.analytics import Period, analytics
    from engine.services import access
    from engine.store.current import get_store

    authorize(principal, ACTION)
    period = Period.of(since, until, bucket)
    scope: list[str] | None = None
    if not access.sees_all(principal, ACTION):
        if project_id is not None:
            access.project(principal, ACTION, project_id)
        found = access.execution_scope(principal)
        scope = list(found.projects) if found is not None else None
    return analytics(
        get_store(), period, project_id=project_id, workflow_id=workflow_id, project_ids=scope
    )
