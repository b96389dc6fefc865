"""Statistics of an agent's runs as the studio shows them: how many, how many succeeded,
latency percentiles, tokens and cost — computed from the run summaries that
``engine.services.agents.list_runs`` returns (plain data in, plain data out)."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

__all__ = ["percentile", "run_stats"]

FINISHED = ("succeeded", "failed", "cancelled", "crashed")


def percentile(values: list[float], p: float) -> float | None:
    """The ``p``-th percentile (0-100) of ``values`` by nearest rank; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(p / 100 * len(ordered))))
    return ordered[rank - 1]


def _seconds(run: dict[str, Any]) -> float | None:
    start, end = run.get("started_at"), run.get("finished_at")
    if not start or not end:
        return None
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()


def run_stats(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """``runs``, ``finished``, ``succeeded``, ``success_rate`` (percent of finished runs),
    ``p50_s`` and ``p95_s`` (seconds, finished runs), ``tokens`` and ``cost`` (sums)."""
    finished = [r for r in runs if r.get("status") in FINISHED]
    ok = [r for r in finished if r.get("status") == "succeeded"]
    durations = [d for d in (_seconds(r) for r in finished) if d is not None]
    tokens = sum(int(r.get("tokens_in") or 0) + int(r.get("tokens_out") or 0) for r in runs)
    cost = sum(float(r.get("cost") or 0) for r in runs)
    return {
        "runs": len(runs),
        "finished": len(finished),
        "succeeded": len(ok),
        "success_rate": round(100 * len(ok) / len(finished), 1) if finished else None,
        "p50_s": percentile(durations, 50),
        "p95_s": percentile(durations, 95),
        "tokens": tokens,
        "cost": round(cost, 6),
    }
