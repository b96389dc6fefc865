"""Wait: real (short) sleeps, the interval arithmetic, cancellation mid-wait, and the
waits that park the execution (WaitRequested)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from engine.sdk import WaitRequested
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


def _parks(parameters: dict[str, Any], **kw: Any) -> WaitRequested:
    with pytest.raises(WaitRequested) as info:
        NodeHarness("core.wait").run(parameters=parameters, input=[{"x": 1}], **kw)
    return info.value


def test_specific_time_parks_until_then(slept: list[float]) -> None:
    target = datetime.now(UTC) + timedelta(seconds=30)
    wait = _parks({"resume": "specific_time", "date_time": target.isoformat()})
    assert wait.resume == "time" and wait.until == target
    assert slept == []


def test_naive_time_is_in_the_workflow_timezone() -> None:
    tz_now = datetime.now(UTC).astimezone(ZoneInfo("Asia/Tokyo"))
    naive = (tz_now + timedelta(seconds=20)).replace(tzinfo=None, microsecond=0)
    wait = _parks({"resume": "specific_time", "date_time": naive.isoformat()},
                  timezone="Asia/Tokyo")
    assert wait.until == naive.replace(tzinfo=ZoneInfo("Asia/Tokyo"))


def test_long_interval_parks_instead_of_sleeping(slept: list[float]) -> None:
    before = datetime.now(UTC)
    wait = _parks({"amount": 2, "unit": "hours"})
    assert wait.resume == "time" and wait.until is not None
    assert timedelta(hours=2) <= wait.until - before < timedelta(hours=2, seconds=5)
    assert slept == []


def test_webhook_resume_parks_with_its_options() -> None:
    before = datetime.now(UTC)
    wait = _parks({"resume": "webhook", "webhook_method": "POST", "webhook_suffix": "/ok/",
                   "response_code": 202, "limit_wait": True, "limit_amount": 1,
                   "limit_unit": "days"})
    assert (wait.resume, wait.webhook_method, wait.webhook_suffix, wait.response_code) == (
        "webhook", "POST", "ok", 202)
    assert wait.until is not None and wait.until - before >= timedelta(days=1)
    assert wait.to_json()["options"] == {"respond": "immediately"}


def test_webhook_resume_without_limit_waits_forever() -> None:
    wait = _parks({"resume": "webhook"})
    assert wait.until is None and wait.webhook_method == "GET"


def test_webhook_limit_at_a_time() -> None:
    wait = _parks({"resume": "webhook", "limit_wait": True, "limit_type": "at_time",
                   "limit_date_time": "2999-01-01T09:00:00Z"})
    assert wait.until == datetime(2999, 1, 1, 9, tzinfo=UTC)


def test_the_executor_stops_at_a_parking_wait() -> None:
    """The node run is recorded as waiting; later nodes do not run."""
    from engine.executor import Executor, RunRequest
    from engine.executor.result import ExecutionStatus, NodeRunStatus
    from engine.graph import load_workflow

    wf = load_workflow({"name": "w", "nodes": [
        {"name": "Start", "type": "core.manual_trigger", "parameters": {}},
        {"name": "Wait", "type": "core.wait", "parameters": {"amount": 3, "unit": "days"}},
        {"name": "After", "type": "core.noop", "parameters": {}}],
        "connections": [{"source": "Start", "target": "Wait"},
                        {"source": "Wait", "target": "After"}]})
    result = Executor().run(RunRequest(workflow=wf, input_items=None))
    assert result.status == ExecutionStatus.WAITING and result.finished_at is None
    assert [(r.node, r.status) for r in result.node_runs] == [
        ("Start", NodeRunStatus.SUCCEEDED), ("Wait", NodeRunStatus.WAITING)]
    assert result.checkpoint is not None and result.checkpoint.node == "Wait"


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
