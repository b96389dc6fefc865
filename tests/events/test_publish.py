"""Runs publish their events: order (``seq``), counts, statuses, node output for live
viewers (capped, redacted, not kept in the recent list); per-execution channels and type
filters; the recent list; a Redis that is down; no Redis at all."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from engine import events
from engine.sdk.items import Item
from tests.events.conftest import (
    MARKER,
    collect,
    fail_node,
    finished,
    linear,
    set_node,
    store_workflow,
)
from tests.support.env import wait_until

ORDER = [
    "execution.started",
    "node.started",
    "node.finished",
    "node.started",
    "node.finished",
    "execution.finished",
]


def _run(wid: str, items: int = 3) -> Any:
    from engine.services.runs import load_stored, run_workflow

    wf, _ = load_stored(wid)
    return run_workflow(
        wf,
        workflow_id=wid,
        input_items=[Item(json={"secret": f"{MARKER}-{i}"}) for i in range(items)],
    )


def _check_run_events(got: list[dict[str, Any]], execution_id: str, wid: str) -> None:
    assert [e["type"] for e in got] == ORDER
    for e in got:
        assert e["execution_id"] == execution_id and e["workflow_id"] == wid
        assert e["workflow_name"] == "Orders" and e["mode"] == "manual"
        ts = datetime.fromisoformat(e["ts"])
        assert ts.tzinfo is not None and ts.utcoffset() == UTC.utcoffset(None)
    assert [e.get("node") for e in got[1:5]] == ["Start", "Start", "Set", "Set"]
    start_done, set_done, end = got[2], got[4], got[5]
    assert start_done["status"] == "succeeded" and start_done["output_counts"] == {"main": 3}
    assert set_done["input_counts"] == {"main": 3} and set_done["output_counts"] == {"main": 3}
    assert set_done["node_type"] == "core.set" and set_done["duration_ms"] >= 0
    assert end["status"] == "succeeded" and end["items"] == 3 and end["nodes"] == 2
    assert end["duration_ms"] >= set_done["duration_ms"] and end["last_node"] == "Set"
    assert len({e["id"] for e in got}) == len(got)
    seqs = [e["seq"] for e in got]
    assert seqs == sorted(set(seqs))  # strictly increasing, in the order of the run
    # node.finished carries the output a live viewer shows
    assert [i["json"]["secret"] for i in set_done["outputs"]["main"]] == [
        f"{MARKER}-{i}" for i in range(3)
    ]
    assert "outputs" not in got[1] and "outputs" not in end


def test_a_run_publishes_its_events_in_order_over_redis(redis_env: str) -> None:
    wid = store_workflow(linear("Orders", set_node()))
    with events.subscribe(workflow_id=wid) as sub:
        res = _run(wid)
        got = collect(sub, finished)
    assert str(res.status) == "succeeded"
    _check_run_events(got, res.id, wid)
    kept = events.recent(50, execution_id=res.id)
    assert [e["type"] for e in kept] == ORDER
    assert kept == [{k: v for k, v in e.items() if k not in ("outputs", "logs")} for e in got]
    assert MARKER not in json.dumps(kept)  # the recent list keeps no item data


def test_a_failed_run_says_where_and_why(redis_env: str) -> None:
    wid = store_workflow(linear("Broken", set_node(), fail_node("the order is invalid")))
    with events.subscribe(workflow_id=wid, types="node.finished,execution.finished") as sub:
        res = _run(wid, items=1)
        got = collect(sub, finished)
    assert [(e["type"], e.get("node"), e["status"]) for e in got] == [
        ("node.finished", "Start", "succeeded"),
        ("node.finished", "Set", "succeeded"),
        ("node.finished", "Fail", "failed"),
        ("execution.finished", None, "failed"),
    ]
    assert "the order is invalid" in got[2]["error"]["message"]
    assert "the order is invalid" in got[3]["error"]["message"]
    assert res.id == got[3]["execution_id"] and "details" not in got[2]["error"]


def test_error_messages_are_redacted_and_shortened() -> None:
    summary = events.error_summary(
        {
            "type": "NodeExecutionError",
            "message": "token sk-live-1234 refused " + "x" * 900,
            "details": {"item": MARKER},
        },
        {"sk-live-1234"},
    )
    assert summary is not None
    assert "sk-live-1234" not in summary["message"] and "***" in summary["message"]
    assert len(summary["message"]) <= events.publisher.MAX_MESSAGE
    assert "details" not in summary


def test_an_execution_channel_carries_only_that_execution(redis_env: str) -> None:
    from tests.support.runs import submit

    definition = linear("Orders", set_node())
    eid = uuid.uuid4().hex
    with events.subscribe(eid, types=["node.*", "execution.finished"]) as sub:
        other = submit(definition=definition, runtime="inline")
        submit(definition=definition, runtime="inline", execution_id=eid)
        got = collect(sub, finished)
    assert {e["execution_id"] for e in got} == {eid} and other != eid
    assert [e["type"] for e in got] == ORDER[1:]


def test_a_redis_that_is_down_never_fails_a_run_and_is_logged_once(
    redis_env: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from engine.config import reset_settings
    from engine.graph import load_workflow
    from engine.services.runs import run_workflow

    monkeypatch.setenv("AURA_REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens there
    reset_settings()
    events.reset()
    wf = load_workflow(linear("Orders", set_node()))
    with caplog.at_level(logging.WARNING, logger="engine.events"):
        results = [run_workflow(wf, record=True) for _ in range(3)]
        assert [str(r.status) for r in results] == ["succeeded"] * 3

        def warnings() -> list[logging.LogRecord]:
            return [r for r in caplog.records if "cannot reach Redis" in r.getMessage()]

        # the sender thread meets the dead Redis on its own time, maybe after the runs
        wait_until(warnings, what="the warning that events cannot reach Redis")
        assert len(warnings()) == 1


def test_without_redis_inline_runs_stream_in_process(local_env: None) -> None:
    assert not events.uses_redis()
    wid = store_workflow(linear("Orders", set_node()))
    with events.subscribe(workflow_id=wid) as sub:
        res = _run(wid)
        got = collect(sub, finished)
    _check_run_events(got, res.id, wid)
    assert [e["type"] for e in events.recent(10, execution_id=res.id)] == ORDER


def test_without_redis_async_subscribers_get_runs_of_other_threads(local_env: None) -> None:
    wid = store_workflow(linear("Orders", set_node()))

    async def follow() -> list[dict[str, Any]]:
        async with await events.asubscribe(types="execution.*", workflow_id=wid) as sub:
            runner = threading.Thread(target=_run, args=(wid,))
            runner.start()
            got: list[dict[str, Any]] = []
            while not got or got[-1]["type"] != "execution.finished":
                ev = await sub.get(10)
                assert ev is not None, got
                got.append(ev)
            runner.join()
            return got

    got = asyncio.run(follow())
    assert [e["type"] for e in got] == ["execution.started", "execution.finished"]
    assert not events.local_bus()._sinks  # the subscription detached when closed


def _node_run(outputs: dict[str, list[Item]], logs: list[str] | None = None) -> Any:
    from engine.executor.result import NodeRunRecord
    from engine.store.enums import NodeRunStatus

    now = datetime.now(UTC)
    return NodeRunRecord(
        node="HTTP",
        node_id="n1",
        type="core.http_request",
        type_version=1,
        index=0,
        status=NodeRunStatus.SUCCEEDED,
        started_at=now,
        finished_at=now,
        outputs=outputs,
        logs=logs or [],
    )


def _finished_event(run: Any, secrets: set[str] | None = None) -> dict[str, Any]:
    from engine.events.publisher import EventPublisher
    from engine.executor.result import ExecutionResult
    from engine.store.enums import ExecutionStatus

    got: list[Any] = []
    pub = EventPublisher(
        workflow_id=None, workflow_name="W", mode="manual", secrets=secrets, publish=got.append
    )
    pub.node_finished(
        ExecutionResult(id="e1", status=ExecutionStatus.RUNNING, started_at=datetime.now(UTC)), run
    )
    return dict(got[0])


def test_node_output_in_events_is_redacted_like_the_record() -> None:
    run = _node_run(
        {"main": [Item(json={"auth": "Bearer sk-live-1234", "n": 1})]}, logs=["sent sk-live-1234"]
    )
    ev = _finished_event(run, {"sk-live-1234"})
    assert ev["outputs"]["main"][0]["json"]["n"] == 1
    assert "sk-live-1234" not in json.dumps(ev) and "***" in json.dumps(ev)


def test_node_output_in_events_is_capped_by_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    many = {"main": [Item(json={"i": i, "pad": "x" * 100}) for i in range(300)]}
    events.reset()
    ev = _finished_event(_node_run(many))
    assert len(ev["outputs"]["main"]) == 50 and ev["output_counts"] == {"main": 300}

    monkeypatch.setenv("AURA_EVENTS_NODE_ITEMS", "3")
    events.reset()
    assert [i["json"]["i"] for i in _finished_event(_node_run(many))["outputs"]["main"]] == [
        0,
        1,
        2,
    ]

    monkeypatch.setenv("AURA_EVENTS_NODE_BYTES", "200")
    events.reset()
    ev = _finished_event(_node_run(many))
    assert ev["data_truncated"] is True and "outputs" not in ev
    assert ev["output_counts"] == {"main": 300}

    monkeypatch.setenv("AURA_EVENTS_NODE_ITEMS", "0")
    events.reset()
    ev = _finished_event(_node_run(many))
    assert "outputs" not in ev and "data_truncated" not in ev
    monkeypatch.undo()
    events.reset()
