"""Reading agent runs: an agent's newest runs, one run with its recorded steps, a run as
the API shows it (status, prompt, answer, tokens, cost, error), each as the caller may
read it (another project's run is not found)."""

from __future__ import annotations

from typing import Any

from engine.auth.types import Principal
from engine.errors import ValidationError
from engine.services.agent_journal import step_dict, steps_of
from engine.services.store import get_store

__all__ = ["get_run", "list_runs", "run_dict", "run_steps"]


def run_steps(principal: Principal, execution_id: str) -> list[dict[str, Any]]:
    """The recorded steps of an agent run the caller may read, in order."""
    from engine.services import access

    access.execution(principal, execution_id)
    return [step_dict(s) for s in steps_of(get_store(), execution_id)]


def run_dict(row: Any) -> dict[str, Any]:
    """An agent run's execution row as the API shows it (without its steps)."""
    out = row.output_summary or {}
    return {
        "id": row.id,
        "agent_id": row.agent_id,
        "agent": row.workflow_name,
        "status": row.status,
        "mode": row.mode,
        "prompt": (row.input or {}).get("prompt"),
        "session": (row.input or {}).get("session"),
        "answer": out.get("answer"),
        "tokens_in": out.get("tokens_in"),
        "tokens_out": out.get("tokens_out"),
        "cost": out.get("cost"),
        "error": row.error,
        "warnings": (row.trigger or {}).get("warnings") or [],
        "created_at": row.created_at.isoformat(),
        "started_at": row.started_at.isoformat() if row.started_at else None,
        "finished_at": row.finished_at.isoformat() if row.finished_at else None,
    }


def get_run(principal: Principal, execution_id: str) -> dict[str, Any]:
    """An agent run (status, prompt, answer, tokens, cost, error) with its steps."""
    from engine.services import access

    row = access.execution(principal, execution_id)
    if row.kind != "agent":
        raise ValidationError(f"Execution {execution_id} is a workflow run, not an agent run.")
    return {**run_dict(row), "steps": run_steps(principal, execution_id)}


def list_runs(principal: Principal, ref: str, *, limit: int = 50) -> list[dict[str, Any]]:
    """The newest runs of an agent the caller may read."""
    from sqlmodel import col, select

    from engine.services.agents import find_agent
    from engine.store.models import Execution

    rec = find_agent(principal, ref)
    with get_store().db.read() as s:
        rows = s.exec(
            select(Execution)
            .where(col(Execution.agent_id) == rec.id)
            .order_by(col(Execution.created_at).desc())
            .limit(limit)
        ).all()
    return [run_dict(r) for r in rows]
