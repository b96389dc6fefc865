"""The editor's Run on the workers (no browser): ``runner.run_canvas_queued`` with a real
Redis and a real ``aura worker`` process posts the same node events as a run here."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.auth.types import Principal
from engine.errors import AuraError, PermissionDenied
from studio.logic import backend, live, runner
from tests.support.env import FAILING_WORKFLOW as FAILING
from tests.support.env import LONG_WAIT_WORKFLOW as LONG
from tests.support.env import Env, wait_until, worker_env
from tests.support.fixtures import redis_for_tests, redis_url  # noqa: F401 (fixtures)

pytestmark = pytest.mark.redis

OWNER = Principal(user_id=None, email=None, role="owner")

SIMPLE = {
    "name": "Simple",
    "nodes": [
        {"name": "Start", "type": "core.manual_trigger", "position": [0, 0]},
        {
            "name": "Set",
            "type": "core.set",
            "position": [300, 0],
            "parameters": {"assignments": [{"name": "n", "value": "{{ 20 + 1 }}"}]},
        },
    ],
    "connections": [{"source": "Start", "target": "Set"}],
}


@pytest.fixture(scope="module")
def env(
    tmp_path_factory: pytest.TempPathFactory,
    redis_url: str,  # noqa: F811
) -> Iterator[Env]:
    """One queue environment and one long-running worker process for the module."""
    with worker_env(tmp_path_factory.mktemp("studio-queue") / "data", redis_url) as e:
        yield e


def run_queued(
    definition: dict[str, Any],
    wid: str | None,
    started: threading.Event | None = None,
    principal: Principal = OWNER,
    **kw: Any,
) -> tuple[list[dict[str, Any]], Any]:
    """Runs as the editor's RunState does: events onto an asyncio queue, read as they
    come. Returns (events in arrival order, result)."""

    async def go() -> tuple[list[dict[str, Any]], Any]:
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[Any] = asyncio.Queue()
        hooks = runner.QueueHooks(loop, queue)
        job = loop.run_in_executor(
            None, lambda: runner.run_canvas_queued(principal, definition, wid, hooks, **kw)
        )
        events: list[dict[str, Any]] = []
        while not (job.done() and queue.empty()):
            try:
                ev = await asyncio.wait_for(queue.get(), 0.05)
            except TimeoutError:
                continue
            events.append(ev)
            if ev.get("kind") == "started" and started is not None:
                started.set()
        return events, job.result()

    return asyncio.run(go())


def test_node_events_arrive_in_order_with_their_data(env: Env) -> None:
    from engine.services.store import get_store

    wid = backend.create_workflow(OWNER, definition=SIMPLE)
    data, _ = backend.load_definition(OWNER, wid)
    events, result = run_queued(data, wid)
    assert result.ok, (result.error, env.logs())
    assert events[0] == {"kind": "started", "execution_id": result.id}
    rows = [e for e in events if e.get("kind") == "node"]
    live_rows = [e for e in rows if e["seq"] != live.FINAL_SEQ]
    final = [e for e in rows if e["seq"] == live.FINAL_SEQ]
    # while it runs: from the events alone (started, then finished with its data)
    assert [(e["node"], e["status"]) for e in live_rows] == [
        ("Start", "running"),
        ("Start", "succeeded"),
        ("Set", "running"),
        ("Set", "succeeded"),
    ]
    assert [e["seq"] for e in live_rows] == sorted(e["seq"] for e in live_rows)
    set_live = live_rows[-1]
    assert set_live["outputs"]["main"][0]["json"]["n"] == 21
    assert set_live["inputs"]["main"] and set_live["counts"] == {"main": 1}
    ids = {n["name"]: n["id"] for n in data["nodes"]}
    assert set_live["node_id"] == ids["Set"]  # the canvas lights up the right node
    # once over: the stored record, which the live rows already matched
    assert [(e["node"], e["status"]) for e in final] == [
        ("Start", "succeeded"),
        ("Set", "succeeded"),
    ]
    recorded = get_store().executions.node_runs(result.id)
    assert [e["outputs"] for e in final] == [r.output for r in recorded]
    assert final[1]["outputs"] == set_live["outputs"]
    assert final[1]["inputs"] == set_live["inputs"]
    row = get_store().executions.get(result.id)
    assert row.workflow_id == wid and row.mode == "manual" and row.worker_id
    assert backend.last_runs([wid])[wid]["status"] == "succeeded"


def test_pinned_data_is_used_on_the_workers(env: Env) -> None:
    pinned = {**SIMPLE, "pinned_data": {"Set": [{"json": {"n": "pinned"}}]}}
    events, result = run_queued(pinned, None)
    assert result.ok, env.logs()
    set_ev = next(e for e in events if e.get("node") == "Set" and e["status"] != "running")
    assert set_ev["status"] == "pinned"
    assert set_ev["outputs"]["main"][0]["json"] == {"n": "pinned"}


def test_a_failing_node_surfaces_its_error(env: Env) -> None:
    events, result = run_queued(FAILING, None)
    assert not result.ok and result.status == "failed"
    assert (result.error or {}).get("node") == "Stop"
    stop = next(e for e in events if e.get("node") == "Stop" and e["status"] != "running")
    assert stop["status"] == "failed" and "out of stock" in stop["error"]


def test_cancel_stops_the_run_on_the_worker(env: Env) -> None:
    from engine.services.store import get_store

    started = threading.Event()
    box: dict[str, Any] = {}
    t = threading.Thread(target=lambda: box.update(out=run_queued(LONG, None, started)))
    t.start()
    try:
        assert started.wait(20), env.logs()
        store = get_store()
        eid = wait_until(
            lambda: next(
                (
                    r.id
                    for r in store.executions.list(limit=5)[0]
                    if r.workflow_name == LONG["name"] and r.status == "running"
                ),
                None,
            ),
            what="the run to start on the worker",
            env=env,
        )
        wait_until(lambda: store.executions.node_runs(eid), what="Start done", env=env)
        runner.cancel_queued(OWNER, eid)
    finally:
        t.join(30)
    assert not t.is_alive(), "the queued run did not end after cancel"
    events, result = box["out"]
    assert result.status == "cancelled" and not result.ok
    assert ("Start", "succeeded") in [
        (e["node"], e["status"]) for e in events if e.get("kind") == "node"
    ]


def test_run_this_node_on_the_workers_reuses_the_editor_data(env: Env) -> None:
    """'Run this node' with the queue chosen: the worker runs only that node, on the
    input the editor had from its last run (not on what the nodes before would compute
    now), and the editor sees it as it would a run here."""
    import os

    from engine.services.store import get_store

    flow = {
        **SIMPLE,
        "nodes": [
            *SIMPLE["nodes"],
            {
                "name": "Twice",
                "type": "core.set",
                "position": [600, 0],
                "parameters": {"assignments": [{"name": "m", "value": "{{ $json.n * 2 }}"}]},
            },
        ],
        "connections": [*SIMPLE["connections"], {"source": "Set", "target": "Twice"}],
    }
    wid = backend.create_workflow(OWNER, definition=flow)
    data, _ = backend.load_definition(OWNER, wid)
    last = {  # what the editor kept of its last run (as RunState._data)
        "Start": {"status": "succeeded", "outputs": {"main": [{"json": {}}]}},
        "Set": {"status": "succeeded", "outputs": {"main": [{"json": {"n": 50}}]}},
    }
    reuse = runner.reuse_from(last, runner.ancestors(data, "Twice"))
    events, result = run_queued(data, wid, destination="Twice", reuse=reuse)
    assert result.ok, (result.error, env.logs())
    row = get_store().executions.get(result.id)
    assert row.worker_id and row.worker_id.split(":")[-1] != str(os.getpid())
    final = {e["node"]: e for e in events if e.get("seq") == live.FINAL_SEQ}
    assert final["Twice"]["outputs"]["main"][0]["json"] == {"n": 50, "m": 100}
    assert final["Twice"]["inputs"]["main"][0]["json"] == {"n": 50}
    assert {n: e["status"] for n, e in final.items()} == {
        "Start": "succeeded",
        "Set": "succeeded",
        "Twice": "succeeded",
    }
    assert get_store().executions.node_runs(result.id)[1].status == "reused"


def test_roles_are_checked_first(env: Env) -> None:
    from engine.services.store import get_store

    wid = backend.create_workflow(OWNER, definition=SIMPLE)
    before = get_store().executions.list(limit=1)[1]
    viewer = Principal(user_id=None, email=None, role="viewer")
    with pytest.raises(PermissionDenied):
        runner.run_canvas_queued(viewer, SIMPLE, wid, None)  # type: ignore[arg-type]
    assert get_store().executions.list(limit=1)[1] == before


def test_without_redis_the_message_says_what_to_set(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.support.fixtures import reset_process_state

    monkeypatch.delenv("AURA_REDIS_URL", raising=False)
    reset_process_state()
    try:
        with pytest.raises(AuraError) as exc:
            run_queued(SIMPLE, None)
    finally:
        reset_process_state()
    assert "AURA_REDIS_URL" in exc.value.message


def _canvas(rows: list[dict[str, Any]]) -> dict[str, str]:
    """What the canvas shows after applying ``rows`` as the editor does."""
    shown: dict[str, dict[str, Any]] = {}
    for row in rows:
        if live.supersedes(shown.get(row["node"]), row):
            shown[row["node"]] = row
    return {name: row["status"] for name, row in shown.items()}


def test_late_node_started_events_never_turn_a_finished_node_back_to_running(env: Env) -> None:
    from engine.services.store import get_store

    events, result = run_queued(FAILING, None)
    rows = [e for e in events if e.get("kind") == "node"]
    expected = {r.node_name: r.status for r in get_store().executions.node_runs(result.id)}
    assert "failed" in expected.values()
    # every 'running' row delivered last (as a slow pub/sub batch would), with and
    # without the record's final rows
    started_late = [e for e in rows if e["status"] != "running"] + [
        e for e in rows if e["status"] == "running"
    ]
    assert _canvas(started_late) == expected
    without_final = [e for e in started_late if e["seq"] != live.FINAL_SEQ]
    assert _canvas(without_final) == expected
    # and rows without a sequence number (a run here) by status alone
    assert _canvas([{**e, "seq": None} for e in without_final]) == expected


def test_run_this_node_after_a_run_up_to_it_on_the_workers(env: Env) -> None:
    """As in the editor: a run up to a node on the workers, then 'Run this node' reusing
    what the editor kept of that run (its final rows)."""
    from engine.services.store import get_store

    flow = {
        "name": "Chain",
        "nodes": [
            {"name": "Start", "type": "core.manual_trigger", "position": [0, 0]},
            {
                "name": "Make",
                "type": "core.set",
                "position": [280, 0],
                "parameters": {"assignments": [{"name": "n", "value": "{{ 20 + 1 }}"}]},
            },
            {
                "name": "Double",
                "type": "core.set",
                "position": [560, 0],
                "parameters": {"assignments": [{"name": "m", "value": "{{ $json.n * 2 }}"}]},
            },
            {"name": "After", "type": "core.set", "position": [840, 0]},
        ],
        "connections": [
            {"source": "Start", "target": "Make"},
            {"source": "Make", "target": "Double"},
            {"source": "Double", "target": "After"},
        ],
    }
    wid = backend.create_workflow(OWNER, definition=flow)
    data, _ = backend.load_definition(OWNER, wid)
    kept: dict[str, Any] = {}
    events, result = run_queued(data, wid, destination="Double")
    assert result.ok, (result.error, env.logs())
    for ev in events:  # as RunState._apply keeps node data
        if ev.get("kind") == "node" and ev["status"] != "running":
            kept[ev["node"]] = ev
    reuse = runner.reuse_from(kept, runner.ancestors(data, "Double"))
    assert set(reuse) == {"Start", "Make"}
    events, result = run_queued(data, wid, destination="Double", reuse=reuse)
    runs = {r.node_name: r for r in get_store().executions.node_runs(result.id)}
    assert result.ok, (result.error, {n: r.error for n, r in runs.items()}, env.logs())
    assert runs["Double"].output["main"][0]["json"] == {"n": 21, "m": 42}
