"""'Run this node' from the editor's own state (no browser): the data a real ``RunState``
keeps of a run (Reflex wraps it in its mutable proxies) is reused by the next run as
plain items, so ``$json`` expressions of the node run again see the upstream values."""

from __future__ import annotations

import asyncio
from typing import Any

from engine.auth.types import Principal
from studio.logic import backend, runner
from studio.state.run import RunState

OWNER = Principal(user_id=None, email=None, role="owner")

FLOW = {
    "name": "This node",
    "nodes": [
        {"name": "Start", "type": "core.manual_trigger", "position": [0, 0]},
        {
            "name": "Make",
            "type": "core.set",
            "position": [280, 0],
            "parameters": {
                "assignments": [
                    {"name": "n", "value": "{{ 20 + 1 }}"},
                    {"name": "tags", "value": "{{ [{'k': 'a'}] }}"},
                ]
            },
        },
        {
            "name": "Double",
            "type": "core.set",
            "position": [560, 0],
            "parameters": {
                "assignments": [
                    {"name": "m", "value": "{{ $json.n * 2 }}"},
                    {"name": "k", "value": "{{ $json.tags[0].k }}"},
                ]
            },
        },
    ],
    "connections": [
        {"source": "Start", "target": "Make"},
        {"source": "Make", "target": "Double"},
    ],
}


def _run_here(state: RunState, wf: dict[str, Any], wid: str, **kw: Any) -> Any:
    """Runs here as ``RunState.run`` does, every event applied to ``state``."""

    async def go() -> Any:
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[Any] = asyncio.Queue()
        hooks = runner.QueueHooks(loop, queue)
        job = loop.run_in_executor(
            None, lambda: runner.run_canvas(OWNER, wf, wid, hooks, kw.get("dest"), kw.get("reuse"))
        )
        while not (job.done() and queue.empty()):
            try:
                state._apply(await asyncio.wait_for(queue.get(), 0.05))
            except TimeoutError:
                continue
        return job.result()

    return asyncio.run(go())


def test_run_this_node_reuses_the_kept_items_as_json_objects(data_dir: Any) -> None:
    from engine.services.store import get_store

    wid = backend.create_workflow(OWNER, definition=FLOW)
    wf, _ = backend.load_definition(OWNER, wid)
    state = RunState(_reflex_internal_init=True)  # type: ignore[call-arg]
    first = _run_here(state, wf, wid, dest="Double")
    assert first.ok, first.error
    assert state.node_data("Make")["outputs"]["main"][0]["json"]["n"] == 21

    reuse = state._reuse_for(wf, "Double")
    assert set(reuse) == {"Start", "Make"}
    [made] = reuse["Make"]["main"]
    # plain JSON objects, as a queued run's payload or the stored record needs them
    assert type(made.json) is dict and type(made.json["tags"][0]) is dict
    assert made.json == {"n": 21, "tags": [{"k": "a"}]}

    second = _run_here(state, wf, wid, dest="Double", reuse=reuse)
    runs = {r.node_name: r for r in get_store().executions.node_runs(second.id)}
    assert second.ok, (second.error, {n: r.error for n, r in runs.items()})
    assert {n: r.status for n, r in runs.items()} == {
        "Start": "reused",
        "Make": "reused",
        "Double": "succeeded",
    }
    assert (runs["Double"].output or {})["main"][0]["json"] == {
        "n": 21,
        "tags": [{"k": "a"}],
        "m": 42,
        "k": "a",
    }
    assert (runs["Make"].output or {})["main"][0]["json"] == {"n": 21, "tags": [{"k": "a"}]}
