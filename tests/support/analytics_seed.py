"""A known set of executions, node runs and LLM usage in two projects, for the tests of
the Analytics page (state and browser): every figure the page shows follows from it.

Project Alpha: "Orders" ran 4 times (100, 200, 300 ms succeeded; 2 s failed at its
``core.http_request`` node), started by webhooks after 100 ms in the queue; "Reports"
ran twice (5 s and 7 s, succeeded), scheduled, after 3 s in the queue; 2 model calls of
``gpt-small`` (1,000 tokens in, 200 out, $0.12). Project Beta: "Payroll" failed twice
and crashed once at ``core.send_email`` (900 ms each); 1 model call ($1.50).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

__all__ = ["seed"]


def _run(
    s: Any,
    at: datetime,
    project: str,
    wf: tuple[str, str],
    mode: str,
    status: str,
    wait_ms: float,
    ms: float,
    nodes: list[tuple[str, str, str]],
) -> None:
    from engine.store.models import Execution, NodeRun

    started = at + timedelta(milliseconds=wait_ms)
    finished = started + timedelta(milliseconds=ms)
    ex = Execution(
        workflow_id=wf[0],
        workflow_name=wf[1],
        status=status,
        mode=mode,
        project_id=project,
        created_at=at,
        started_at=started,
        finished_at=finished,
    )
    s.add(ex)
    s.flush()
    for name, node_type, node_status in nodes:
        s.add(
            NodeRun(
                execution_id=ex.id,
                node_name=name,
                node_type=node_type,
                status=node_status,
                started_at=started,
                finished_at=started + timedelta(milliseconds=10),
            )
        )


def seed(store: Any, alpha: str, beta: str, now: datetime | None = None) -> None:
    """Writes the set (see the module) into ``store``, within the first half hour of the
    hour that began two hours before ``now``."""
    from engine.store.models_agents import UsageEntry

    # the start of the hour two hours back: every run falls in that one hour's bar
    base = ((now or datetime.now(UTC)) - timedelta(hours=2)).replace(
        minute=0, second=0, microsecond=0
    )
    orders, reports, payroll = (
        ("wf-orders", "Orders"),
        ("wf-reports", "Reports"),
        ("wf-payroll", "Payroll"),
    )
    start = ("Start", "core.manual_trigger", "succeeded")
    with store.db.write() as s:
        for i, ms in enumerate((100.0, 200.0, 300.0)):
            _run(
                s,
                base + timedelta(minutes=i),
                alpha,
                orders,
                "webhook",
                "succeeded",
                100,
                ms,
                [start, ("Charge", "core.http_request", "succeeded")],
            )
        _run(
            s,
            base + timedelta(minutes=5),
            alpha,
            orders,
            "webhook",
            "failed",
            100,
            2000,
            [start, ("Charge", "core.http_request", "failed")],
        )
        for i, ms in enumerate((5000.0, 7000.0)):
            _run(
                s,
                base + timedelta(minutes=10 + i),
                alpha,
                reports,
                "schedule",
                "succeeded",
                3000,
                ms,
                [("Build", "core.code", "succeeded")],
            )
        for i, status in enumerate(("failed", "failed", "crashed")):
            _run(
                s,
                base + timedelta(minutes=20 + i),
                beta,
                payroll,
                "manual",
                status,
                50,
                900,
                [("Send", "core.send_email", status)],
            )
        for project, wf, tin, tout, cost in (
            (alpha, orders[0], 600, 120, 0.07),
            (alpha, reports[0], 400, 80, 0.05),
            (beta, payroll[0], 4000, 1000, 1.5),
        ):
            s.add(
                UsageEntry(
                    project_id=project,
                    workflow_id=wf,
                    model="gpt-small",
                    tokens_in=tin,
                    tokens_out=tout,
                    cost=cost,
                    created_at=base + timedelta(minutes=30),
                )
            )
