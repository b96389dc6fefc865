"""Parking and resuming in one process (inline runtime, no Redis): what the checkpoint
holds, how a resumed run reuses it, and who may resume."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.errors import ConflictError, NotFoundError
from engine.graph import load_workflow
from engine.runtimes import resume as resumes
from engine.sdk import Item
from engine.services.runs import run_workflow

LONG_WAIT = {"name": "Wait", "type": "core.wait", "parameters": {"amount": 2, "unit": "hours"}}


@pytest.fixture
def store(data_dir: Path) -> Iterator[Any]:
    from engine.services.store import get_store, reset_store

    reset_store()
    yield get_store()
    reset_store()


def _wf(*nodes: dict[str, Any], extra: list[tuple[str, str]] = (), **settings: Any) -> Any:
    all_nodes = [{"name": "Start", "type": "core.manual_trigger"}, *nodes]
    conns = [{"source": a["name"], "target": b["name"]}
             for a, b in itertools.pairwise(all_nodes)]
    conns += [{"source": a, "target": b} for a, b in extra]
    return load_workflow({"name": "inline wait", "nodes": all_nodes, "connections": conns,
                          "settings": settings})


def _runs(store: Any, eid: str) -> list[tuple[str, str]]:
    return [(r.node_name, r.status) for r in store.node_runs.list(eid)]


def test_the_checkpoint_keeps_every_item_even_beyond_the_saved_limit(store: Any) -> None:
    wf = _wf({"name": "Set", "type": "core.set", "parameters": {}}, LONG_WAIT,
             max_saved_items=1)
    res = run_workflow(wf, input_items=[Item(json={"i": i}) for i in range(3)])
    assert str(res.status) == "waiting"
    row = store.executions.get(res.id)
    assert row.status == "waiting" and row.checkpoint["node"] == "Wait"
    assert len(row.checkpoint["outputs"]["Set"]["main"]) == 3  # full, not bounded
    assert len(row.checkpoint["inputs"]["main"]) == 3
    assert len(store.node_runs.list(res.id, "Set")[0].output["main"]) == 1  # bounded
    assert row.checkpoint["wait"]["resume"] == "time" and row.wait_until is not None


def test_resuming_reuses_the_checkpoint_and_runs_the_rest(store: Any) -> None:
    """Start → Wait → After, plus a branch Start → Side that had not run yet."""
    wf = _wf(LONG_WAIT, {"name": "After", "type": "core.noop"},
             {"name": "Side", "type": "core.noop"}, extra=[("Start", "Side")])
    wf.connections = [c for c in wf.connections
                      if (c.source, c.target) != ("After", "Side")]
    res = run_workflow(wf, input_items=[Item(json={"a": 1})])
    assert _runs(store, res.id) == [("Start", "succeeded"), ("Wait", "waiting")]
    assert resumes.resume(res.id) == res.id  # no Redis: runs inline, now
    row = store.executions.get(res.id)
    assert row.status == "succeeded" and row.checkpoint is None
    assert _runs(store, res.id) == [("Start", "succeeded"), ("Wait", "succeeded"),
                                    ("After", "succeeded"), ("Side", "succeeded")]
    wait = store.node_runs.list(res.id, "Wait")[0]
    assert wait.output["main"][0]["json"] == {"a": 1}


def test_a_resume_url_is_set_and_a_webhook_resume_brings_its_item(store: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AURA_PUBLIC_URL", "https://flows.example.org/")
    from engine.config import reset_settings

    reset_settings()
    wf = _wf({"name": "Url", "type": "core.set", "parameters": {"assignments": [
        {"name": "url", "value": "{{ $execution.resume_url }}"}]}},
        {"name": "Wait", "type": "core.wait", "parameters": {"resume": "webhook"}},
        {"name": "After", "type": "core.noop"})
    res = run_workflow(wf)
    url = store.node_runs.list(res.id, "Url")[0].output["main"][0]["json"]["url"]
    prefix = f"https://flows.example.org/webhook-waiting/{res.id}/"
    assert url.startswith(prefix)
    token = url.removeprefix(prefix)
    row = store.executions.get(res.id)
    assert row.resume_token == token and row.wait_until is None  # waits forever
    with pytest.raises(NotFoundError):
        resumes.resume(res.id, {"kind": "webhook"}, token="not-" + token)
    item = {"json": {"body": {"ok": True}, "method": "GET"}}
    resumes.resume(res.id, {"kind": "webhook", "item": item}, token=token)
    after = store.node_runs.list(res.id, "After")[0]
    assert after.output["main"][0]["json"] == {"body": {"ok": True}, "method": "GET"}
    with pytest.raises(NotFoundError):  # used once
        resumes.resume(res.id, {"kind": "webhook", "item": item}, token=token)


def test_only_one_resume_wins_and_a_cancelled_wait_stays_cancelled(store: Any) -> None:
    from engine.runtimes import cancel

    res = run_workflow(_wf(LONG_WAIT))
    resumes.claim_resume(store, res.id, {"kind": "time"})
    with pytest.raises(ConflictError):
        resumes.claim_resume(store, res.id, {"kind": "time"})
    other = run_workflow(_wf(LONG_WAIT))
    cancel(other.id)
    assert store.executions.get(other.id).status == "cancelled"
    with pytest.raises(ConflictError):
        resumes.resume(other.id)


def test_due_waits_are_found_by_time(store: Any) -> None:
    from datetime import timedelta

    from engine.store.types import utcnow

    res = run_workflow(_wf(LONG_WAIT))
    assert res.id not in resumes.due_waits(store)
    assert res.id in resumes.due_waits(store, utcnow() + timedelta(hours=3))


def test_a_parking_wait_inside_a_sub_workflow_fails_clearly(store: Any) -> None:
    child = {"name": "child", "nodes": [
        {"name": "In", "type": "core.workflow_trigger"}, LONG_WAIT],
        "connections": [{"source": "In", "target": "Wait"}]}
    wf = _wf({"name": "Call", "type": "core.execute_workflow",
              "parameters": {"source": "json", "workflow_json": child}})
    res = run_workflow(wf)
    assert str(res.status) == "failed"
    assert "durable waits work only in the top-level workflow" in res.error["message"]
