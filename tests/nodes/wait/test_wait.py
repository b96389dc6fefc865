"""Wait: real (short) sleeps, the interval arithmetic, and cancellation mid-wait."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from engine.sdk.testing import NodeHarness


@pytest.fixture
def slept(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Records ctx.sleep() calls instead of sleeping."""
    from engine.executor.context import ExecContext

    calls: list[float] = []
    monkeypatch.setattr(ExecContext, "sleep", lambda self, s: calls.append(s))
    return calls


@pytest.mark.parametrize(
    ("amount", "unit", "seconds"),
    [
        (45, "seconds", 45),
        (1, "minutes", 60),
        (0.01, "hours", 36),
        (0.0005, "days", 43.2),
    ],
)
def test_interval_units(slept: list[float], amount: float, unit: str, seconds: float) -> None:
    res = NodeHarness("core.wait").run(
        parameters={"amount": amount, "unit": unit}, input=[{"x": 1}]
    )
    assert res.error is None and res.json() == [{"x": 1}]
    assert slept == [pytest.approx(seconds)]


def test_specific_time_waits_until_then(slept: list[float]) -> None:
    target = datetime.now(UTC) + timedelta(seconds=30)
    res = NodeHarness("core.wait").run(
        parameters={"resume": "specific_time", "date_time": target.isoformat()}, input=[{}]
    )
    assert res.error is None
    assert 28 < slept[0] <= 30


def test_naive_time_is_in_the_workflow_timezone(slept: list[float]) -> None:
    tz_now = datetime.now(UTC).astimezone(ZoneInfo("Asia/Tokyo"))
    naive = (tz_now + timedelta(seconds=20)).replace(tzinfo=None).isoformat()
    res = NodeHarness("core.wait").run(
        parameters={"resume": "specific_time", "date_time": naive},
        input=[{}],
        timezone="Asia/Tokyo",
    )
    assert res.error is None and 18 < slept[0] <= 20


def test_short_wait_really_sleeps_and_keeps_lineage() -> None:
    t0 = time.monotonic()
    res = NodeHarness("core.wait").run(parameters={"amount": 0.2}, input=[{"a": 1}, {"a": 2}])
    assert time.monotonic() - t0 >= 0.2
    assert [i.paired_item[0].item for i in res.outputs["main"] if i.paired_item] == [0, 1]
    assert res.logs == ["info: waiting 0.200 s"]


def test_cancel_wakes_a_waiting_execution() -> None:
    from engine.executor import Executor, RunRequest
    from engine.executor.result import ExecutionStatus
    from engine.graph import load_workflow

    wf = load_workflow(
        {
            "name": "w",
            "nodes": [
                {"name": "Start", "type": "core.manual_trigger", "parameters": {}},
                {"name": "Wait", "type": "core.wait", "parameters": {"amount": 60}},
            ],
            "connections": [
                {"source": "Start", "output": "main", "target": "Wait", "input": "main"}
            ],
        }
    )
    ev = threading.Event()
    threading.Timer(0.3, ev.set).start()
    t0 = time.monotonic()
    result: Any = Executor().run(RunRequest(workflow=wf, cancel_event=ev))
    assert time.monotonic() - t0 < 5
    assert result.status == ExecutionStatus.CANCELLED
