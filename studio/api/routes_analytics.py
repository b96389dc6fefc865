"""``GET /api/v1/analytics``: what the executions of a period add up to, computed by the
database (counts per hour or day and status, failure rates, p50/p95 durations per
workflow and node type, the most failing nodes) for the studio's Analytics page and the
console's dashboard. Owners and admins see every project; everyone else the projects
they are a member of."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from engine.services.analytics import get_analytics
from studio.api.routing import Call, Router
from studio.api.schemas import In, Out

__all__ = ["router", "routers"]

router = Router("Analytics")


class AnalyticsQuery(In):
    since: datetime | None = Field(None, description="Start (ISO 8601); default 24 h ago.")
    until: datetime | None = Field(None, description="End (ISO 8601); default now.")
    bucket: Literal["minute", "hour", "day"] | None = Field(
        None, description="Series step; default hours up to 3 days, else days."
    )
    project_id: str | None = Field(None, max_length=32, description="Only this project.")
    workflow_id: str | None = Field(None, max_length=32, description="Only this workflow.")


class PeriodOut(BaseModel):
    start: str
    end: str
    bucket: str


class TotalsOut(BaseModel):
    executions: int
    by_status: dict[str, int]
    failed: int = Field(description="Failed and crashed executions.")
    failure_rate: float | None = Field(description="Failed over finished (None: none).")
    p50_ms: float | None
    p95_ms: float | None


class BucketOut(BaseModel):
    t: str = Field(description="Start of the minute, hour or day (UTC).")
    total: int
    by_status: dict[str, int]


class WorkflowFigures(BaseModel):
    workflow_id: str | None
    workflow_name: str
    executions: int
    failed: int
    failure_rate: float | None
    p50_ms: float | None
    p95_ms: float | None


class NodeTypeFigures(BaseModel):
    node_type: str
    runs: int
    failed: int
    failure_rate: float | None
    p50_ms: float | None
    p95_ms: float | None


class FailingNode(BaseModel):
    workflow_id: str | None
    workflow_name: str
    node: str
    node_type: str
    failures: int


class ModeWait(BaseModel):
    mode: str
    executions: int
    p50_ms: float | None
    p95_ms: float | None
    max_ms: float | None


class QueueWaitOut(BaseModel):
    executions: int = Field(description="Executions that started (queued ones not yet).")
    p50_ms: float | None = Field(description="Median time from queued to started.")
    p95_ms: float | None
    max_ms: float | None
    modes: list[ModeWait]


class ModelUsage(BaseModel):
    model: str
    calls: int
    tokens_in: int
    tokens_out: int
    cost: float


class LlmOut(BaseModel):
    calls: int = Field(description="Model calls recorded in the usage ledger.")
    tokens_in: int
    tokens_out: int
    cost: float
    models: list[ModelUsage]


class AnalyticsOut(Out):
    period: PeriodOut
    totals: TotalsOut
    series: list[BucketOut]
    workflows: list[WorkflowFigures]
    node_types: list[NodeTypeFigures]
    failing_nodes: list[FailingNode]
    queue_wait: QueueWaitOut
    llm: LlmOut


@router.get(
    "/analytics",
    action="analytics:read",
    summary="Execution analytics",
    query=AnalyticsQuery,
    response=AnalyticsOut,
)
def show_analytics(call: Call) -> dict[str, Any]:
    """Figures of the executions created in the period, aggregated by the database."""
    q = call.query
    return get_analytics(
        call.principal,
        since=q.since,
        until=q.until,
        bucket=q.bucket,
        project_id=q.project_id,
        workflow_id=q.workflow_id,
    )


def routers() -> list[Router]:
    """The analytics router."""
    return [router]
