"""The store-backed journal of an agent run: each finished step becomes an ``agent_step``
row (the run's checkpoint) and, for model calls, a ``usage_entry`` of the ledger, in one
transaction; then an ``agent.step`` event is published for live viewers.

Everything recorded is redacted first: the secret strings of the credentials the run
uses (the model's API key...) never reach a step, an event or a log line, whatever a
tool or the model echoes back.
"""

from __future__ import annotations

import threading
from typing import Any

from sqlmodel import col, select

from engine.agents.thinking import Step
from engine.agents.types import ToolCall
from engine.errors import ExecutionCancelled
from engine.store.models_agents import AgentStep, UsageEntry
from engine.vault.redact import redact

__all__ = ["AGENT_STEP_EVENT", "StoreJournal", "step_dict", "steps_of"]

AGENT_STEP_EVENT = "agent.step"
MAX_EVENT_TEXT = 4000


def steps_of(store: Any, execution_id: str) -> list[AgentStep]:
    """The recorded steps of a run, in order."""
    with store.db.read() as s:
        stmt = select(AgentStep).where(col(AgentStep.execution_id) == execution_id)
        return list(s.exec(stmt.order_by(col(AgentStep.position))).all())


def step_dict(row: AgentStep) -> dict[str, Any]:
    """A step as the API shows it."""
    duration = None
    if row.started_at is not None and row.finished_at is not None:
        duration = round((row.finished_at - row.started_at).total_seconds() * 1000, 1)
    return {
        "position": row.position,
        "kind": row.kind,
        "name": row.name,
        "status": row.status,
        "started_at": row.started_at.isoformat() if row.started_at else None,
        "finished_at": row.finished_at.isoformat() if row.finished_at else None,
        "duration_ms": duration,
        "model": row.model,
        "tokens_in": row.tokens_in,
        "tokens_out": row.tokens_out,
        "cost": row.cost,
        "input": row.input,
        "output": row.output,
        "error": row.error,
    }


def _cut(value: Any) -> Any:
    if isinstance(value, str) and len(value) > MAX_EVENT_TEXT:
        return value[:MAX_EVENT_TEXT] + " …(cut)"
    if isinstance(value, dict):
        return {k: _cut(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_cut(v) for v in value[:50]]
    return value


class StoreJournal:
    """The journal of execution ``execution_id`` (see :class:`engine.agents.thinking.Journal`).

    Args:
        attribution: ``agent_id``, ``workflow_id``, ``project_id`` for the ledger.
        secrets: strings to redact from everything recorded.
        cancel: set when the run must stop (a user cancelled it).
        decide: ``(call) -> (decision or None, approval id)`` for sensitive tools.
    """

    def __init__(
        self,
        store: Any,
        execution_id: str,
        *,
        attribution: dict[str, str | None],
        secrets: set[str],
        cancel: threading.Event | None = None,
        decide: Any = None,
    ) -> None:
        self.store = store
        self.execution_id = execution_id
        self.attribution = attribution
        self.secrets = {s for s in secrets if s}
        self.cancel = cancel
        self._decide = decide
        self._next = 0

    def recorded(self) -> list[Step]:
        rows = steps_of(self.store, self.execution_id)
        self._next = rows[-1].position + 1 if rows else 0
        return [
            Step(
                r.kind,
                r.name,
                r.input,
                r.output,
                r.status,
                r.model,
                r.tokens_in,
                r.tokens_out,
                r.cost,
                r.started_at,
                r.finished_at,
                r.error,
                r.position,
            )
            for r in rows
        ]

    def record(self, step: Step) -> None:
        step.position = self._next
        row = AgentStep(
            execution_id=self.execution_id,
            position=step.position,
            kind=step.kind,
            name=redact(step.name, self.secrets)[:200],
            status=step.status,
            started_at=step.started_at,
            finished_at=step.finished_at,
            model=step.model[:200],
            tokens_in=step.tokens_in,
            tokens_out=step.tokens_out,
            cost=step.cost,
            input=redact(step.input, self.secrets),
            output=redact(step.output, self.secrets),
            error=redact(step.error, self.secrets),
        )
        with self.store.db.write() as s:
            s.add(row)
            if step.kind in ("model", "plan") and (step.tokens_in or step.tokens_out):
                s.add(
                    UsageEntry(
                        execution_id=self.execution_id,
                        step_position=step.position,
                        model=step.model[:200],
                        tokens_in=step.tokens_in,
                        tokens_out=step.tokens_out,
                        cost=step.cost,
                        agent_id=self.attribution.get("agent_id"),
                        workflow_id=self.attribution.get("workflow_id"),
                        project_id=self.attribution.get("project_id"),
                    )
                )
        self._next += 1
        self._publish(row)

    def _publish(self, row: AgentStep) -> None:
        from engine.events import bus
        from engine.events.types import new_event

        try:
            data = step_dict(row)
            bus.publish(
                new_event(
                    AGENT_STEP_EVENT,
                    execution_id=self.execution_id,
                    agent_id=self.attribution.get("agent_id"),
                    **{k: _cut(v) for k, v in data.items()},
                )
            )
            bus.kick()
        except Exception:  # events are best effort; the step is recorded
            return

    def check(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise ExecutionCancelled("The agent run was cancelled.")

    def decision(self, call: ToolCall) -> tuple[str | None, str]:
        if self._decide is None:
            return "approved", ""
        result: tuple[str | None, str] = self._decide(call)
        return result
