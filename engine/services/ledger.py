"""The token and cost ledger: every model call of an agent run is a ``usage_entry``
(tokens in and out, cost from the price table) attributed to its run, agent, workflow
and project; :func:`usage` adds them up by any of those; budgets per agent (in its
definition) and per project (setting ``agents.budget.<project id>``) warn or stop.

A budget covers the current calendar month (UTC). Past ``stop``, new runs of the agent
(or of any agent of the project) are refused with a 409 saying which budget and how
much was spent; past ``warn``, runs go on and carry a warning (:func:`check_budget`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import func
from sqlmodel import col, select

from engine.agents.definition import Budget
from engine.agents.pricing import PriceTable, parse_prices
from engine.auth.rbac import authorize, can
from engine.auth.types import Principal
from engine.errors import ConflictError, ValidationError
from engine.services.store import get_store
from engine.store.models_agents import UsageEntry
from engine.store.types import utcnow

__all__ = [
    "PRICES_KEY",
    "budget_status",
    "check_budget",
    "price_table",
    "record_node_usage",
    "set_prices",
    "set_project_budget",
    "usage",
]

PRICES_KEY = "agents.prices"
_PROJECT_BUDGET = "agents.budget."
GROUPS = ("execution_id", "agent_id", "workflow_id", "project_id", "model")


def price_table() -> PriceTable:
    """``AURA_AGENTS_PRICES`` overlaid with the admins' run-time table."""
    from engine.config import settings

    prices = parse_prices(settings().agents.prices, where="AURA_AGENTS_PRICES")
    prices.update(parse_prices(get_store().settings.get(PRICES_KEY), where="agents.prices"))
    return PriceTable(prices)


def set_prices(principal: Principal, prices: Any) -> dict[str, dict[str, float]]:
    """Replaces the run-time price table (admins)."""
    authorize(principal, "settings:update")
    table = parse_prices(prices)
    get_store().settings.set(PRICES_KEY, table)
    return table


def record_node_usage(execution_id: str, model: str, usage: Any) -> None:
    """Records one model call of a workflow node (AI Agent, LLM...) in the ledger,
    attributed to the execution's workflow and project."""
    store = get_store()
    try:
        row = store.executions.get(execution_id)
        workflow_id, project_id = row.workflow_id, row.project_id
    except Exception:  # an unrecorded run (tests, record=False): no attribution
        workflow_id = project_id = None
        execution_id = None  # type: ignore[assignment]
    with store.db.write() as s:
        s.add(
            UsageEntry(
                execution_id=execution_id,
                workflow_id=workflow_id,
                project_id=project_id,
                model=(model or "")[:200],
                tokens_in=usage.input_tokens,
                tokens_out=usage.output_tokens,
                cost=price_table().cost(model or "", usage),
            )
        )


def _month_start() -> datetime:
    now = utcnow()
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _spent(**where: str | None) -> float:
    with get_store().db.read() as s:
        stmt = select(func.coalesce(func.sum(UsageEntry.cost), 0.0)).where(
            col(UsageEntry.created_at) >= _month_start()
        )
        for field, value in where.items():
            stmt = stmt.where(getattr(UsageEntry, field) == value)
        return float(s.exec(stmt).one())


def _project_budget(project_id: str | None) -> Budget:
    if project_id is None:
        return Budget()
    return Budget.model_validate(get_store().settings.get(_PROJECT_BUDGET + project_id) or {})


def set_project_budget(principal: Principal, project_id: str, budget: dict[str, Any]) -> Budget:
    """Sets a project's monthly budget (its admins)."""
    from engine.services import access

    access.project(principal, "project:manage", project_id)
    try:
        parsed = Budget.model_validate(budget)
    except Exception:
        raise ValidationError(
            'A budget is {"warn": amount or null, "stop": amount or null} (positive).'
        ) from None
    get_store().settings.set(_PROJECT_BUDGET + project_id, parsed.model_dump())
    return parsed


def budget_status(agent_id: str, budget: Budget, project_id: str | None) -> dict[str, Any]:
    """This month's spending of the agent and its project against their budgets."""
    agent_spent = _spent(agent_id=agent_id)
    project = _project_budget(project_id)
    project_spent = _spent(project_id=project_id) if project_id else 0.0

    def state(spent: float, b: Budget) -> str:
        if b.stop is not None and spent >= b.stop:
            return "stopped"
        if b.warn is not None and spent >= b.warn:
            return "warning"
        return "ok"

    return {
        "agent": {
            "spent": round(agent_spent, 6),
            **budget.model_dump(),
            "state": state(agent_spent, budget),
        },
        "project": {
            "spent": round(project_spent, 6),
            **project.model_dump(),
            "state": state(project_spent, project),
        },
    }


def check_budget(
    agent_id: str, budget: Budget, name: str, project_id: str | None = None
) -> list[str]:
    """Refuses (409) a new run when the agent's or its project's budget is used up;
    returns the warnings of budgets past their ``warn`` (the run records them)."""
    status = budget_status(agent_id, budget, project_id)
    warnings = []
    for who, what in (("agent", f"agent '{name}'"), ("project", "this project")):
        b = status[who]
        if b["state"] == "stopped":
            raise ConflictError(
                f"The monthly budget of {what} is used up ({b['spent']:.4f} spent, stop at "
                f"{b['stop']:g}); raise it or wait for next month.",
                details={"budget": who, **b},
            )
        if b["state"] == "warning":
            warnings.append(
                f"The monthly spending of {what} ({b['spent']:.4f}) is past its warning "
                f"level ({b['warn']:g})."
            )
    return warnings


def usage(
    principal: Principal,
    *,
    by: str = "agent_id",
    project_id: str | None = None,
    agent_id: str | None = None,
    workflow_id: str | None = None,
    execution_id: str | None = None,
    since: datetime | None = None,
) -> list[dict[str, Any]]:
    """Tokens and cost added up by ``by`` (execution_id, agent_id, workflow_id,
    project_id or model), over the projects the caller may read."""
    if by not in GROUPS:
        raise ValidationError(f"Group usage by one of {', '.join(GROUPS)}.")
    key = getattr(UsageEntry, by)
    with get_store().db.read() as s:
        stmt = sa.select(
            key,
            col(UsageEntry.project_id),
            func.count(),
            func.sum(UsageEntry.tokens_in),
            func.sum(UsageEntry.tokens_out),
            func.sum(UsageEntry.cost),
        ).group_by(key, col(UsageEntry.project_id))
        for field, value in (
            ("project_id", project_id),
            ("agent_id", agent_id),
            ("workflow_id", workflow_id),
            ("execution_id", execution_id),
        ):
            if value is not None:
                stmt = stmt.where(getattr(UsageEntry, field) == value)
        if since is not None:
            stmt = stmt.where(col(UsageEntry.created_at) >= since)
        rows = s.execute(stmt).all()
    totals: dict[Any, dict[str, Any]] = {}
    for value, pid, calls, tin, tout, cost in rows:
        if not can(principal, "execution:read", project_id=pid):
            continue
        t = totals.setdefault(
            value, {by: value, "calls": 0, "tokens_in": 0, "tokens_out": 0, "cost": 0.0}
        )
        t["calls"] += int(calls)
        t["tokens_in"] += int(tin or 0)
        t["tokens_out"] += int(tout or 0)
        t["cost"] = round(t["cost"] + float(cost or 0.0), 6)
    return sorted(totals.values(), key=lambda t: -t["cost"])
