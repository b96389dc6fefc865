"""The analytics figures beside the executions' own (see :mod:`.analytics`): how long
executions waited in the queue, and the LLM tokens and cost the usage ledger recorded.

- ``queue_wait``: for executions that started, the time from creation (queued) to start:
  count, p50, p95 and max in milliseconds, overall and per mode (manual, webhook, ...);
- ``llm``: model calls, tokens in and out and cost, overall and per model, from
  ``usage_entry`` rows created in the period (filtered by project and workflow the same
  way as the executions: the caller passes the project conditions).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, and_, func, literal, select

from engine.store.models_agents import UsageEntry

__all__ = ["USAGE", "llm_usage", "queue_wait"]

USAGE: Table = UsageEntry.__table__  # type: ignore[attr-defined]
US = USAGE.c


def _r(v: Any) -> float | None:
    return None if v is None else round(float(v), 3)


def queue_wait(s: Any, execution: Table, cond: Any, ms: Any, percentiles: Any) -> dict[str, Any]:
    """Queue wait of the started executions matching ``cond``.

    Args:
        ms: a function ``(start, end) -> SQL milliseconds`` for this database.
        percentiles: the p50/p95 query builder of :mod:`.analytics`.
    """
    ex = execution.c
    wait = ms(ex.created_at, ex.started_at)
    rows = (
        select(ex.mode.label("mode"), wait.label("ms"))
        .where(and_(cond, ex.started_at.is_not(None)))
        .subquery()
    )
    every = select(literal("all").label("k"), rows.c.ms).select_from(rows).subquery()
    total = s.execute(percentiles(every, every.c.k, every.c.ms)).first()
    counts = s.execute(select(func.count(), func.max(rows.c.ms)).select_from(rows)).first() or (
        0,
        None,
    )
    per_mode = {r.key: r for r in s.execute(percentiles(rows, rows.c.mode, rows.c.ms))}
    mode_counts = s.execute(
        select(rows.c.mode, func.count(), func.max(rows.c.ms)).group_by(rows.c.mode)
    ).all()
    modes = [
        {
            "mode": mode,
            "executions": int(n),
            "p50_ms": _r(per_mode[mode].p50) if mode in per_mode else None,
            "p95_ms": _r(per_mode[mode].p95) if mode in per_mode else None,
            "max_ms": _r(top),
        }
        for mode, n, top in mode_counts
    ]
    modes.sort(key=lambda m: (-m["executions"], m["mode"]))
    return {
        "executions": int(counts[0] or 0),
        "p50_ms": _r(total.p50) if total else None,
        "p95_ms": _r(total.p95) if total else None,
        "max_ms": _r(counts[1]),
        "modes": modes,
    }


def llm_usage(
    s: Any,
    start: Any,
    end: Any,
    *,
    workflow_id: str | None,
    where: list[Any],
) -> dict[str, Any]:
    """Model calls, tokens and cost recorded in ``[start, end)`` matching ``where``
    (conditions on ``usage_entry``), overall and per model."""
    where = [US.created_at >= start, US.created_at < end, *where]
    if workflow_id is not None:
        where.append(US.workflow_id == workflow_id)
    rows = s.execute(
        select(
            US.model,
            func.count(),
            func.sum(US.tokens_in),
            func.sum(US.tokens_out),
            func.sum(US.cost),
        )
        .where(and_(*where))
        .group_by(US.model)
    ).all()
    models: list[dict[str, Any]] = [
        {
            "model": model or "",
            "calls": int(n),
            "tokens_in": int(tin or 0),
            "tokens_out": int(tout or 0),
            "cost": round(float(cost or 0.0), 6),
        }
        for model, n, tin, tout, cost in rows
    ]
    models.sort(key=lambda m: (-m["cost"], -(m["tokens_in"] + m["tokens_out"]), m["model"]))
    return {
        "calls": sum(m["calls"] for m in models),
        "tokens_in": sum(m["tokens_in"] for m in models),
        "tokens_out": sum(m["tokens_out"] for m in models),
        "cost": round(sum(m["cost"] for m in models), 6),
        "models": models,
    }
