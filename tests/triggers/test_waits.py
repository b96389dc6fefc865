"""Durable waits end to end: real worker, scheduler and API processes, a real database
(SQLite; PostgreSQL too for the restart test), a real Redis. A parked execution holds no
worker, resumes on time, survives restarting every process (Redis included), and
resumes on a call of its resume URL."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from engine.runtimes import wait_for
from tests.support.redis import redis_server
from tests.support.runs import submit
from tests.triggers.conftest import Env, both_databases, wait_until

START = {"name": "Start", "type": "core.manual_trigger", "parameters": {}}


def _set(name: str, **fields: Any) -> dict[str, Any]:
    return {
        "name": name,
        "type": "core.set",
        "parameters": {"assignments": [{"name": k, "value": v} for k, v in fields.items()]},
    }


def _workflow(wait: dict[str, Any]) -> dict[str, Any]:
    nodes = [
        START,
        _set("Before", url="{{ $execution.resume_url }}"),
        {"name": "Wait", "type": "core.wait", "parameters": wait},
        _set("After", done=True),
    ]
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
    eid = _submit(
        _workflow({"resume": "specific_time", "date_time": "{{ $now.plus(3, 'seconds') }}"})
    )
    row = wait_until(lambda: (r := _row(eid)).status == "waiting" and r, 20, "parked", fleet)
    assert row.wait_until is not None and row.checkpoint["node"] == "Wait"
    assert row.resume_token is None  # a time wait has no resume URL to call
    assert _runs(eid) == [("Start", "succeeded"), ("Before", "succeeded"), ("Wait", "waiting")]
    # the only worker is free: another execution runs to the end meanwhile
    other = _submit({"name": "meanwhile", "nodes": [START], "connections": []})
    assert wait_for(other, timeout_s=10).status == "succeeded"
    assert _row(eid).status == "waiting"
    done = wait_for(eid, timeout_s=20)
    assert done.status == "succeeded" and done.checkpoint is None
    assert done.finished_at >= row.wait_until
    # nodes before the Wait ran once; the Wait passed its input on
    assert _runs(eid) == [
        ("Start", "succeeded"),
        ("Before", "succeeded"),
        ("Wait", "succeeded"),
        ("After", "succeeded"),
    ]
    out = _after_output(eid)
    assert out["n"] == 1 and out["done"] is True


@both_databases
def test_a_wait_survives_restarting_every_process(
    clean: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two executions park (a 90 s wait, a wait for its resume URL); worker, scheduler
    and API are killed and Redis comes back empty; once they are started again the
    scheduler resumes the first and the new API process resumes the second from its URL
    (a private Redis: the session's one is shared)."""
    import httpx

    from engine.runtimes._redis import reset_connections
    from engine.runtimes.embedded import free_port

    previous = clean.redis_url
    port = free_port()

    def start_everything() -> None:
        clean.worker()
        clean.spawn("scheduler")
        clean.api(port)
        wait_until(lambda: _answers(f"http://127.0.0.1:{port}/healthz"), 60, "the API", clean)

    with redis_server() as server:
        clean.use_redis(server.url, monkeypatch)
        try:
            start_everything()
            timed = _submit(_workflow({"amount": 90, "unit": "seconds"}))  # > 65 s: parks
            hooked = _submit(_workflow({"resume": "webhook", "webhook_method": "POST"}))
            row = wait_until(
                lambda: (r := _row(timed)).status == "waiting" and r,
                30,
                "the timed wait to park",
                clean,
            )
            wait_until(
                lambda: _row(hooked).status == "waiting", 30, "the webhook wait to park", clean
            )
            clean.stop_all()  # worker, scheduler and API gone (SIGKILL)...
            server.restart()  # ...and Redis comes back empty
            reset_connections()
            _fast_forward(timed, row.created_at)  # the 90 s are over
            # nobody is there to resume them
            assert _row(timed).status == _row(hooked).status == "waiting"
            start_everything()
            url = _resume_url(hooked).replace("http://aura.test", f"http://127.0.0.1:{port}")
            resp = httpx.post(url, json={"approved": True}, timeout=30)
            assert resp.status_code == 200, resp.text
            assert resp.json() == {"execution_id": hooked, "resumed": True}
            for eid in (timed, hooked):
                done = wait_for(eid, timeout_s=30)
                assert done.status == "succeeded", (done.error, clean.logs())
                assert _after_output(eid)["done"] is True
            assert _after_output(hooked)["body"] == {"approved": True}
        finally:
            clean.stop_all()
            clean.use_redis(previous, monkeypatch)


def _answers(url: str) -> bool:
    import httpx

    try:
        return httpx.get(url, timeout=2).is_success
    except httpx.HTTPError:
        return False


def _resume_url(eid: str) -> str:
    from engine.services.store import get_store

    before = get_store().node_runs.list(eid, "Before")[0]
    return str(before.output["main"][0]["json"]["url"])


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
    from studio.api.routes_webhooks import webhook_routes

    eid = _submit(_workflow({"resume": "webhook", "webhook_method": "POST", "response_code": 202}))
    wait_until(lambda: _row(eid).status == "waiting", 20, "parked", fleet)
    from engine.services.store import get_store

    before = get_store().node_runs.list(eid, "Before")[0]
    url = before.output["main"][0]["json"]["url"]
    assert url.startswith(f"http://aura.test/webhook-waiting/{eid}/")
    path = url.removeprefix("http://aura.test")
    app = Starlette(routes=webhook_routes(), exception_handlers=exception_handlers)
    app.state.max_body_bytes = 1 << 20
    with TestClient(app) as http:
        assert http.post(path[:-3] + "xyz", json={}).status_code == 404  # wrong token
        assert http.get(path).status_code == 405  # the Wait accepts POST
        resp = http.post(path + "?via=mail", json={"approved": True})
        assert resp.status_code == 202 and resp.json() == {"execution_id": eid, "resumed": True}
        assert http.post(path, json={"approved": False}).status_code == 404  # used once
    assert wait_for(eid, timeout_s=20).status == "succeeded", fleet.logs()
    out = _after_output(eid)  # the Wait outputs the request, like a Webhook trigger
    assert out["body"] == {"approved": True} and out["query"] == {"via": "mail"}
    assert out["method"] == "POST" and out["done"] is True


def test_a_webhook_wait_with_a_limit_continues_without_the_call(fleet: Env) -> None:
    eid = _submit(
        _workflow(
            {"resume": "webhook", "limit_wait": True, "limit_amount": 2, "limit_unit": "seconds"}
        )
    )
    assert wait_for(eid, timeout_s=20).status == "succeeded", fleet.logs()
    out = _after_output(eid)  # the Wait passed its input on: no request data
    assert out["n"] == 1 and out["done"] is True and "body" not in out
