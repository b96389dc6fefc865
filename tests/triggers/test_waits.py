"""Durable waits end to end: real worker and scheduler processes, a real SQLite file,
a real Redis. A parked execution holds no worker, resumes on time, survives restarting
every process (Redis included), and resumes on a call of its resume URL."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from engine.runtimes import submit, wait_for
from tests.support.redis import redis_server
from tests.triggers.conftest import Env, reset_process_state, wait_until

START = {"name": "Start", "type": "core.manual_trigger", "parameters": {}}


def _set(name: str, **fields: Any) -> dict[str, Any]:
    return {"name": name, "type": "core.set", "parameters": {
        "assignments": [{"name": k, "value": v} for k, v in fields.items()]}}


def _workflow(wait: dict[str, Any]) -> dict[str, Any]:
    nodes = [START, _set("Before", url="{{ $execution.resume_url }}"),
             {"name": "Wait", "type": "core.wait", "parameters": wait},
             _set("After", done=True)]
    conns = [{"source": a["name"], "target": b["name"]} for a, b in itertools.pairwise(nodes)]
    return {"name": "durable wait", "nodes": nodes, "connections": conns}


def _submit(definition: dict[str, Any], **kw: Any) -> str:
    from engine.sdk import Item
    from engine.services.store import get_store

    wid = str(get_store().workflows.create(definition).id)
    return submit(workflow_id=wid, input_items=[Item(json={"n": 1})], **kw)


def _row(eid: str) -> Any:
    from engine.services.store import get_store

    return get_store().executions.get(eid)


def _runs(eid: str) -> list[tuple[str, str]]:
    from engine.services.store import get_store

    return [(r.node_name, r.status) for r in get_store().node_runs.list(eid)]


def _after_output(eid: str) -> dict[str, Any]:
    from engine.services.store import get_store

    run = get_store().node_runs.list(eid, "After")[0]
    return dict((run.output or {})["main"][0]["json"])


@pytest.fixture
def fleet(clean: Env) -> Iterator[Env]:
    """One worker and one scheduler, started; a first execution proves they are up."""
    clean.spawn("worker")
    clean.spawn("scheduler")
    eid = _submit({"name": "warm-up", "nodes": [START], "connections": []})
    wait_for(eid, timeout_s=30)
    yield clean


def test_a_parked_wait_holds_no_worker_and_resumes_on_time(fleet: Env) -> None:
    eid = _submit(_workflow({"resume": "specific_time",
                             "date_time": "{{ $now.plus(3, 'seconds') }}"}))
    row = wait_until(lambda: (r := _row(eid)).status == "waiting" and r, 20, "parked", fleet)
    assert row.wait_until is not None and row.checkpoint["node"] == "Wait"
    assert row.resume_token is None  # a time wait has no resume URL to call
    assert _runs(eid) == [("Start", "succeeded"), ("Before", "succeeded"),
                          ("Wait", "waiting")]
    # the only worker is free: another execution runs to the end meanwhile
    other = _submit({"name": "meanwhile", "nodes": [START], "connections": []})
    assert wait_for(other, timeout_s=10).status == "succeeded"
    assert _row(eid).status == "waiting"
    done = wait_for(eid, timeout_s=20)
    assert done.status == "succeeded" and done.checkpoint is None
    assert done.finished_at >= row.wait_until
    # nodes before the Wait ran once; the Wait passed its input on
    assert _runs(eid) == [("Start", "succeeded"), ("Before", "succeeded"),
                          ("Wait", "succeeded"), ("After", "succeeded")]
    out = _after_output(eid)
    assert out["n"] == 1 and out["done"] is True


def test_a_wait_survives_restarting_every_process(clean: Env,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Park, kill worker and scheduler, restart Redis empty, start them again: the
    execution still resumes (a private Redis: the session's one is shared)."""
    from engine.runtimes._redis import reset_connections

    previous = clean.vars["AURA_REDIS_URL"]
    with redis_server() as server:
        clean.vars["AURA_REDIS_URL"] = server.url
        monkeypatch.setenv("AURA_REDIS_URL", server.url)
        reset_process_state()
        try:
            clean.spawn("worker")
            clean.spawn("scheduler")
            eid = _submit(_workflow({"amount": 90, "unit": "seconds"}))  # > 65 s: parks
            row = wait_until(lambda: (r := _row(eid)).status == "waiting" and r, 30,
                             "parked", clean)
            clean.stop_all()  # worker and scheduler gone (SIGKILL)...
            server.restart()  # ...and Redis comes back empty
            reset_connections()
            _fast_forward(eid, row.created_at)  # the 90 s are over
            assert _row(eid).status == "waiting"  # nobody is there to resume it
            clean.spawn("worker")
            clean.spawn("scheduler")
            done = wait_for(eid, timeout_s=30)
            assert done.status == "succeeded", clean.logs()
            assert _after_output(eid)["done"] is True
        finally:
            clean.stop_all()
            clean.vars["AURA_REDIS_URL"] = previous
            monkeypatch.setenv("AURA_REDIS_URL", previous)
            reset_process_state()


def _fast_forward(eid: str, when: Any) -> None:
    from engine.services.store import get_store
    from engine.store.models import Execution

    with get_store().db.write() as s:
        db_row = s.get(Execution, eid)
        assert db_row is not None
        db_row.wait_until = when
        s.add(db_row)


def test_a_webhook_wait_resumes_from_its_resume_url(fleet: Env) -> None:
    from studio.api.errors import exception_handlers
    from studio.api.routes_waits import wait_routes

    eid = _submit(_workflow({"resume": "webhook", "webhook_method": "POST",
                             "response_code": 202}))
    wait_until(lambda: _row(eid).status == "waiting", 20, "parked", fleet)
    from engine.services.store import get_store

    before = get_store().node_runs.list(eid, "Before")[0]
    url = before.output["main"][0]["json"]["url"]
    assert url.startswith(f"http://aura.test/webhook-waiting/{eid}/")
    path = url.removeprefix("http://aura.test")
    app = Starlette(routes=wait_routes(), exception_handlers=exception_handlers)
    with TestClient(app) as http:
        assert http.post(path[:-3] + "xyz", json={}).status_code == 404  # wrong token
        assert http.get(path).status_code == 405  # the Wait accepts POST
        resp = http.post(path + "?via=mail", json={"approved": True})
        assert resp.status_code == 202 and resp.json() == {"execution_id": eid,
                                                           "resumed": True}
        assert http.post(path, json={"approved": False}).status_code == 404  # used once
    assert wait_for(eid, timeout_s=20).status == "succeeded", fleet.logs()
    out = _after_output(eid)  # the Wait outputs the request, like a Webhook trigger
    assert out["body"] == {"approved": True} and out["query"] == {"via": "mail"}
    assert out["method"] == "POST" and out["done"] is True


def test_a_webhook_wait_with_a_limit_continues_without_the_call(fleet: Env) -> None:
    eid = _submit(_workflow({"resume": "webhook", "limit_wait": True,
                             "limit_amount": 2, "limit_unit": "seconds"}))
    assert wait_for(eid, timeout_s=20).status == "succeeded", fleet.logs()
    out = _after_output(eid)  # the Wait passed its input on: no request data
    assert out["n"] == 1 and out["done"] is True and "body" not in out
