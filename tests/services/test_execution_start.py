"""The one door to start executions (``engine.services.executions.start``): a run spec
naming its principal, on the workers (a real worker on a real Redis) or in this process,
and a handle with events, result and cancel."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from engine.errors import ValidationError
from engine.executor import ExecutionHooks
from engine.services.executions import RunSpec, start
from engine.services.principals import RunAs
from tests.support.env import LONG_WAIT_WORKFLOW, Env, worker_env
from tests.support.fixtures import redis_for_tests, redis_url  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.redis, pytest.mark.slow]

FLOW: dict[str, Any] = {
    "name": "Three steps",
    "nodes": [
        {"name": "Start", "type": "core.manual_trigger"},
        {
            "name": "A",
            "type": "core.set",
            "parameters": {"assignments": [{"name": "a", "value": "{{ $json.n + 1 }}"}]},
        },
        {
            "name": "B",
            "type": "core.set",
            "parameters": {"assignments": [{"name": "b", "value": 2}]},
        },
    ],
    "connections": [{"source": "Start", "target": "A"}, {"source": "A", "target": "B"}],
}


@pytest.fixture(scope="module")
def workers(
    tmp_path_factory: pytest.TempPathFactory,
    redis_url: str,  # noqa: F811
) -> Iterator[Env]:
    with worker_env(tmp_path_factory.mktemp("start") / "data", redis_url) as env:
        yield env


def _stored(definition: dict[str, Any]) -> str:
    from engine.graph import load_workflow
    from engine.services.store import get_store

    return str(get_store().workflows.create(load_workflow(definition)).id)


def _items(n: int) -> list[Any]:
    from engine.sdk.items import Item

    return [Item(json={"n": n})]


def test_start_on_the_workers_streams_and_answers(workers: Env) -> None:
    wid = _stored(FLOW)
    me = RunAs("user", "u1" * 16, None, None)
    handle = start(
        RunSpec(principal=me, workflow_id=wid, input_items=_items(1), runtime="rq"), watch=True
    )
    kinds = [e["type"] for e in handle.events(timeout=30)]
    assert kinds[0] in ("execution.queued", "execution.started")
    assert kinds[-1] == "execution.finished" and kinds.count("node.finished") == 3
    row = handle.result(timeout=30)
    assert row.status == "succeeded" and row.mode == "manual"
    assert (row.principal_kind, row.principal_user_id) == ("user", me.user_id)
    assert handle.outcome is None  # it ran on a worker


def test_cancel_through_the_handle(workers: Env) -> None:
    handle = start(RunSpec(principal=RunAs.trigger(), definition=LONG_WAIT_WORKFLOW, runtime="rq"))
    from engine.services.store import get_store
    from tests.support.env import wait_until

    wait_until(
        lambda: get_store().executions.get(handle.id).status == "running",
        what="the run to start",
        env=workers,
    )
    handle.cancel()
    assert handle.result(timeout=30).status == "cancelled"


class _Seen(ExecutionHooks):
    def __init__(self) -> None:
        self.nodes: list[str] = []

    def node_finished(self, result: Any, run: Any) -> None:
        self.nodes.append(run.node)


def test_partial_runs_and_observed_runs_run_here(workers: Env) -> None:
    wid = _stored(FLOW)
    seen = _Seen()
    handle = start(
        RunSpec(
            principal=RunAs.trigger(),
            workflow_id=wid,
            destination="A",
            input_items=_items(41),
            runtime="inline",
        ),
        hooks=seen,
    )
    assert seen.nodes == ["Start", "A"]  # B is past the destination
    assert handle.outcome is not None and handle.outcome.output[0].json["a"] == 42
    assert handle.result(timeout=1).status == "succeeded"
    with pytest.raises(ValidationError, match="in this process"):
        start(RunSpec(principal=RunAs.trigger(), workflow_id=wid, runtime="rq"), hooks=seen)


def test_a_partial_run_on_the_workers_takes_its_reused_data_along(workers: Env) -> None:
    """Run up to B reusing A's output from an earlier run: the worker runs B on the data
    it was given (not on what A would compute), and the carried data is gone after."""
    import os

    from engine.sdk.items import Item
    from engine.services.store import get_store

    wid = _stored(
        {
            **FLOW,
            "nodes": [*FLOW["nodes"], {"name": "C", "type": "core.set"}],
            "connections": [*FLOW["connections"], {"source": "B", "target": "C"}],
        }
    )
    earlier = {"main": [Item(json={"a": 1000, "from": "the editor"})]}
    handle = start(
        RunSpec(
            principal=RunAs.trigger(),
            workflow_id=wid,
            destination="B",
            reuse={"Start": {"main": [Item(json={"n": 0})]}, "A": earlier},
            runtime="rq",
        )
    )
    row = handle.result(timeout=30)
    assert row.status == "succeeded", row.error
    assert row.worker_id and row.worker_id.split(":")[-1] != str(os.getpid())
    runs = {r.node_name: r for r in get_store().node_runs.list(row.id)}
    assert set(runs) == {"Start", "A", "B"}  # C is past the destination
    assert runs["A"].status == "reused"
    assert runs["B"].output["main"][0]["json"] == {"a": 1000, "from": "the editor", "b": 2}
    assert row.checkpoint is None  # the carried data does not outlive the run


def test_a_snapshot_of_a_stored_workflow_runs_on_the_workers(workers: Env) -> None:
    """The editor's canvas: the definition it shows, recorded against the workflow."""
    wid = _stored(FLOW)
    canvas = {**FLOW, "nodes": [*FLOW["nodes"][:2]], "connections": FLOW["connections"][:1]}
    handle = start(
        RunSpec(
            principal=RunAs.trigger(),
            workflow_id=wid,
            definition=canvas,
            input_items=_items(1),
            runtime="rq",
        )
    )
    row = handle.result(timeout=30)
    assert row.status == "succeeded" and row.workflow_id == wid
    from engine.services.store import get_store

    assert [r.node_name for r in get_store().node_runs.list(row.id)] == ["Start", "A"]


def test_variables_reach_runs_on_the_workers(workers: Env) -> None:
    from engine.services.store import get_store

    get_store().variables.set("GREETING", "hello from $vars")
    flow = {
        **FLOW,
        "nodes": [
            FLOW["nodes"][0],
            {
                "name": "A",
                "type": "core.set",
                "parameters": {"assignments": [{"name": "g", "value": "{{ $vars.GREETING }}"}]},
            },
        ],
        "connections": FLOW["connections"][:1],
    }
    handle = start(RunSpec(principal=RunAs.trigger(), definition=flow, runtime="rq"))
    row = handle.result(timeout=30)
    [a] = [r for r in get_store().node_runs.list(row.id) if r.node_name == "A"]
    assert a.output["main"][0]["json"]["g"] == "hello from $vars"


def test_a_retry_runs_the_same_version_as_its_project(workers: Env) -> None:
    from engine.graph import load_workflow
    from engine.services.executions import retry_spec
    from engine.services.store import get_store

    failing = {
        **FLOW,
        "nodes": [
            FLOW["nodes"][0],
            {"name": "A", "type": "core.stop_and_error", "parameters": {"message": "v1 fails"}},
        ],
        "connections": FLOW["connections"][:1],
    }
    wid = _stored(failing)
    me = RunAs("user", "u2" * 16, None, None)
    first = start(RunSpec(principal=me, workflow_id=wid, runtime="rq")).result(timeout=30)
    assert first.status == "failed"
    get_store().workflows.save(wid, load_workflow(FLOW), "v2 works")  # a newer draft
    again = start(retry_spec(first.id, "rq")).result(timeout=30)
    assert (again.status, again.retry_of, again.attempt) == ("failed", first.id, 2)
    assert again.workflow_version_id == first.workflow_version_id  # v1, not the new draft
    assert (again.principal_kind, again.principal_user_id) == ("project", None)
    with pytest.raises(Exception, match="only failed, crashed or cancelled"):
        ok = start(RunSpec(principal=me, workflow_id=wid, input_items=_items(1), runtime="inline"))
        retry_spec(ok.id)
