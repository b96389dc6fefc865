"""The agent statistics the studio shows, from run summaries: success rate over finished
runs, latency percentiles by nearest rank, tokens and cost summed."""

from __future__ import annotations

from studio.logic.agent_stats import percentile, run_stats


def _run(status: str, seconds: float | None, tokens: int = 10, cost: float = 0.5) -> dict:
    start = "2026-12-06T10:00:00+00:00"
    end = None if seconds is None else f"2026-12-06T10:00:{seconds:06.3f}+00:00"
    return {"status": status, "started_at": start, "finished_at": end,
            "tokens_in": tokens, "tokens_out": tokens, "cost": cost}


def test_statistics_of_runs() -> None:
    runs = [_run("succeeded", s) for s in (1, 2, 3, 4, 5, 6, 7, 8, 9)]
    runs += [_run("failed", 30.0), _run("running", None)]
    stats = run_stats(runs)
    assert stats["runs"] == 11 and stats["finished"] == 10 and stats["succeeded"] == 9
    assert stats["success_rate"] == 90.0
    assert stats["p50_s"] == 5.0 and stats["p95_s"] == 30.0
    assert stats["tokens"] == 220 and stats["cost"] == 5.5


def test_no_runs_yet() -> None:
    assert run_stats([])["success_rate"] is None and percentile([], 50) is None
    assert percentile([4.0], 95) == 4.0
