"""Analytics: what the executions of a period add up to, aggregated by the database (the
same SQL on SQLite and PostgreSQL; percentiles by rank with window functions).

:func:`analytics` answers, for a period (default: the last 24 hours) and optionally one
project or workflow:

- ``totals``: executions by status, failure rate, p50/p95 duration;
- ``series``: executions per minute, hour or day by status, every bucket present (zeros
  too);
- ``workflows``: per workflow, executions, failures, failure rate, p50/p95 duration;
- ``node_types``: per node type, runs, failures, failure rate, p50/p95 duration;
- ``failing_nodes``: the nodes that failed most (workflow, node, type, failures);
- ``queue_wait`` and ``llm``: queue wait percentiles and LLM tokens and cost
  (:mod:`.analytics_usage`).

Failure rate is failed and crashed executions over finished ones (succeeded, failed,
crashed, cancelled). Durations are from start to end, in milliseconds.

A project's figures (:func:`counted_in`) are its own executions (``project_id``: the
workflow's home project, whoever started the run) and the runs of workflows shared into
it that its members started, in person or with an API key (a shared workflow's run
keeps its owner's ``project_id``). So the owner's project counts every run of its
workflows, a project a workflow is shared into counts the runs its people started, and
the figures of all projects together count each execution once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Table, and_, case, func, literal, or_, select
from sqlalchemy.sql import ColumnElement

from engine.observability.analytics_usage import USAGE, llm_usage, queue_wait
from engine.store.models import Execution, NodeRun
from engine.store.models_auth import ProjectMember, ResourceShare

__all__ = ["FAILED", "FINISHED", "Period", "analytics", "counted_in"]

FAILED = ("failed", "crashed")
FINISHED = ("succeeded", "failed", "crashed", "cancelled")
Bucket = Literal["minute", "hour", "day"]
_STEP = {"minute": timedelta(minutes=1), "hour": timedelta(hours=1), "day": timedelta(days=1)}
MAX_BUCKETS = 24 * 62
TOP = 10
EXECUTION: Table = Execution.__table__  # type: ignore[attr-defined]
NODE_RUN: Table = NodeRun.__table__  # type: ignore[attr-defined]
EX, NR = EXECUTION.c, NODE_RUN.c
SHARE: Table = ResourceShare.__table__  # type: ignore[attr-defined]
MEMBER: Table = ProjectMember.__table__  # type: ignore[attr-defined]
STARTED_BY_A_PERSON = ("user", "api_key")


@dataclass(frozen=True)
class Period:
    """The executions created in ``[start, end)``, counted per ``bucket``."""

    start: datetime
    end: datetime
    bucket: Bucket

    @classmethod
    def of(cls, since: datetime | None, until: datetime | None, bucket: Bucket | None) -> Period:
        """A period from optional bounds (default: the 24 hours up to now); the bucket
        defaults to hours for up to three days, else days."""
        from engine.errors import ValidationError

        end = (until or datetime.now(UTC)).astimezone(UTC)
        start = (since or end - timedelta(hours=24)).astimezone(UTC)
        if start >= end:
            raise ValidationError("The period starts after it ends; give since before until.")
        chosen: Bucket = bucket or ("hour" if end - start <= timedelta(days=3) else "day")
        if (end - start) / _STEP[chosen] > MAX_BUCKETS:
            raise ValidationError(
                f"That period has more than {MAX_BUCKETS} {chosen}s; "
                "choose a shorter one or bucket by day."
            )
        return cls(start, end, chosen)

    def buckets(self) -> list[datetime]:
        """The start of every bucket of the period, oldest first."""
        first = self.start.replace(second=0, microsecond=0)
        if self.bucket != "minute":
            first = first.replace(minute=0)
        if self.bucket == "day":
            first = first.replace(hour=0)
        step = _STEP[self.bucket]
        out, t = [], first
        while t < self.end:
            out.append(t)
            t += step
        return out


def _through_share(projects: list[str]) -> ColumnElement[bool]:
    """Executions of a workflow shared into one of ``projects`` that a member of that
    same project started (the user, or one of their API keys)."""
    sh, pm = SHARE.c, MEMBER.c
    member_of_share = (
        select(sh.id)
        .select_from(SHARE.join(MEMBER, pm.project_id == sh.project_id))
        .where(
            sh.resource_type == "workflow",
            sh.resource_id == EX.workflow_id,
            sh.project_id.in_(projects),
            pm.user_id == EX.principal_user_id,
        )
        .exists()
    )
    return and_(EX.principal_kind.in_(STARTED_BY_A_PERSON), member_of_share)


def counted_in(projects: list[str]) -> ColumnElement[bool]:
    """The executions the analytics of ``projects`` count: their own, and the runs of
    workflows shared into them that their members started (see the module)."""
    return or_(EX.project_id.in_(projects), _through_share(projects))


def _usage_counted_in(projects: list[str]) -> ColumnElement[bool]:
    """The LLM usage of :func:`counted_in`'s executions (and the projects' own)."""
    shared_runs = select(EX.id).where(_through_share(projects))
    return or_(USAGE.c.project_id.in_(projects), USAGE.c.execution_id.in_(shared_runs))


def _ms(dialect: str, start: Any, end: Any) -> ColumnElement[Any]:
    if dialect == "sqlite":
        return (func.julianday(end) - func.julianday(start)) * 86_400_000.0
    return func.extract("epoch", end - start) * 1000.0


def _bucket(dialect: str, column: Any, unit: Bucket) -> ColumnElement[Any]:
    if dialect == "sqlite":
        fmt = {"minute": "%Y-%m-%dT%H:%M:00", "hour": "%Y-%m-%dT%H:00:00"}.get(
            unit, "%Y-%m-%dT00:00:00"
        )
        return func.strftime(fmt, column)
    utc = func.timezone("UTC", column)  # the session's time zone must not matter
    return func.to_char(func.date_trunc(unit, utc), 'YYYY-MM-DD"T"HH24:MI:SS')


def _percentiles(rows: Any, key: Any, value: Any, extra: list[Any] | None = None) -> Any:
    """p50 and p95 (nearest rank) of ``value`` per ``key`` from the subquery ``rows``."""
    ranked = (
        select(
            key.label("key"),
            value.label("v"),
            func.row_number().over(partition_by=key, order_by=value).label("rn"),
            func.count().over(partition_by=key).label("n"),
            *(extra or []),
        )
        .select_from(rows)
        .subquery()
    )
    return select(
        ranked.c.key,
        func.min(case((ranked.c.rn >= ranked.c.n * 0.5, ranked.c.v))).label("p50"),
        func.min(case((ranked.c.rn >= ranked.c.n * 0.95, ranked.c.v))).label("p95"),
    ).group_by(ranked.c.key)


def _rate(failed: int, finished: int) -> float | None:
    return round(failed / finished, 4) if finished else None


def _round(v: Any) -> float | None:
    return None if v is None else round(float(v), 3)


def analytics(
    store: Any,
    period: Period,
    *,
    project_id: str | None = None,
    workflow_id: str | None = None,
    project_ids: list[str] | None = None,
) -> dict[str, Any]:
    """The figures of the executions created in ``period`` (see the module).

    Args:
        project_id: only what this project's figures count (:func:`counted_in`).
        workflow_id: only this workflow's executions.
        project_ids: only what these projects' figures count (a caller's scope); None: all.
    """
    dialect = store.engine.dialect.name
    where: list[Any] = [EX.created_at >= period.start, EX.created_at < period.end]
    usage: list[Any] = []
    for projects in ([project_id] if project_id is not None else None, project_ids):
        if projects is not None:
            where.append(counted_in(projects))
            usage.append(_usage_counted_in(projects))
    if workflow_id is not None:
        where.append(EX.workflow_id == workflow_id)
    cond = and_(*where)
    ex_ms = _ms(dialect, EX.started_at, EX.finished_at)
    timed = and_(
        cond,
        EX.started_at.is_not(None),
        EX.finished_at.is_not(None),
        EX.status.in_(FINISHED),
    )
    with store.db.read() as s:
        bucket = _bucket(dialect, EX.created_at, period.bucket).label("t")
        series_rows = s.execute(
            select(bucket, EX.status, func.count()).where(cond).group_by(bucket, EX.status)
        ).all()
        wf_rows = s.execute(
            select(
                EX.workflow_id,
                func.max(EX.workflow_name),
                func.count(),
                func.sum(case((EX.status.in_(FAILED), 1), else_=0)),
                func.sum(case((EX.status.in_(FINISHED), 1), else_=0)),
            )
            .where(cond)
            .group_by(EX.workflow_id)
        ).all()
        timed_rows = select(EX.workflow_id, ex_ms.label("ms")).where(timed).subquery()
        wf_pct = {
            r.key: r
            for r in s.execute(_percentiles(timed_rows, timed_rows.c.workflow_id, timed_rows.c.ms))
        }
        all_rows = select(literal("all").label("k"), ex_ms.label("ms")).where(timed).subquery()
        total_pct = s.execute(_percentiles(all_rows, all_rows.c.k, all_rows.c.ms)).first()
        nr_ms = _ms(dialect, NR.started_at, NR.finished_at)
        runs = (
            select(
                NR.node_type,
                NR.node_name,
                NR.status,
                nr_ms.label("ms"),
                EX.workflow_name,
                EX.workflow_id,
            )
            .join(EXECUTION, EX.id == NR.execution_id)
            .where(cond, NR.status != "reused")
            .subquery()
        )
        type_rows = s.execute(
            select(
                runs.c.node_type,
                func.count(),
                func.sum(case((runs.c.status.in_(FAILED), 1), else_=0)),
            ).group_by(runs.c.node_type)
        ).all()
        type_pct = _node_type_percentiles(s, runs)
        failing = s.execute(
            select(
                runs.c.workflow_id,
                func.max(runs.c.workflow_name),
                runs.c.node_name,
                runs.c.node_type,
                func.count().label("failures"),
            )
            .where(runs.c.status.in_(FAILED))
            .group_by(runs.c.workflow_id, runs.c.node_name, runs.c.node_type)
            .order_by(func.count().desc(), runs.c.node_name)
            .limit(TOP)
        ).all()
        more = {
            "queue_wait": queue_wait(
                s, EXECUTION, cond, lambda a, b: _ms(dialect, a, b), _percentiles
            ),
            "llm": llm_usage(s, period.start, period.end, workflow_id=workflow_id, where=usage),
        }
    answer = _answer(period, series_rows, wf_rows, wf_pct, total_pct, type_rows, type_pct, failing)
    return {**answer, **more}


def _node_type_percentiles(s: Any, runs: Any) -> dict[Any, Any]:
    timed = select(runs.c.node_type, runs.c.ms).where(runs.c.ms.is_not(None)).subquery()
    return {r.key: r for r in s.execute(_percentiles(timed, timed.c.node_type, timed.c.ms))}


def _answer(
    period: Period,
    series_rows: Any,
    wf_rows: Any,
    wf_pct: dict[Any, Any],
    total_pct: Any,
    type_rows: Any,
    type_pct: dict[Any, Any],
    failing: Any,
) -> dict[str, Any]:
    by_bucket: dict[str, dict[str, int]] = {}
    by_status: dict[str, int] = {}
    for t, status, n in series_rows:
        key = str(t)[:19]
        by_bucket.setdefault(key, {})[status] = int(n)
        by_status[status] = by_status.get(status, 0) + int(n)
    series = []
    for start in period.buckets():
        counts = by_bucket.get(start.strftime("%Y-%m-%dT%H:%M:%S"), {})
        series.append({"t": start.isoformat(), "total": sum(counts.values()), "by_status": counts})
    failed = sum(by_status.get(s, 0) for s in FAILED)
    finished = sum(by_status.get(s, 0) for s in FINISHED)
    workflows = []
    for wid, name, n, nf, nfin in wf_rows:
        pct = wf_pct.get(wid)
        workflows.append(
            {
                "workflow_id": wid,
                "workflow_name": name or "",
                "executions": int(n),
                "failed": int(nf or 0),
                "failure_rate": _rate(int(nf or 0), int(nfin or 0)),
                "p50_ms": _round(pct.p50) if pct else None,
                "p95_ms": _round(pct.p95) if pct else None,
            }
        )
    workflows.sort(key=lambda w: (-w["executions"], w["workflow_name"]))
    node_types = []
    for node_type, n, nf in type_rows:
        pct = type_pct.get(node_type)
        node_types.append(
            {
                "node_type": node_type,
                "runs": int(n),
                "failed": int(nf or 0),
                "failure_rate": _rate(int(nf or 0), int(n)),
                "p50_ms": _round(pct.p50) if pct else None,
                "p95_ms": _round(pct.p95) if pct else None,
            }
        )
    node_types.sort(key=lambda t: (-t["runs"], t["node_type"]))
    return {
        "period": {
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "bucket": period.bucket,
        },
        "totals": {
            "executions": sum(by_status.values()),
            "by_status": by_status,
            "failed": failed,
            "failure_rate": _rate(failed, finished),
            "p50_ms": _round(total_pct.p50) if total_pct else None,
            "p95_ms": _round(total_pct.p95) if total_pct else None,
        },
        "series": series,
        "workflows": workflows,
        "node_types": node_types,
        "failing_nodes": [
            {
                "workflow_id": wid,
                "workflow_name": name or "",
                "node": node,
                "node_type": node_type,
                "failures": int(n),
            }
            for wid, name, node, node_type, n in failing
        ],
    }
