"""Recorded inline runs: what the store keeps, error workflows, sub-workflows by id."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.graph import load_workflow
from engine.sdk import Item
from engine.services import runs
from engine.services.store import get_store, reset_store


@pytest.fixture
def store(data_dir: Path) -> Iterator[Any]:
    reset_store()
    yield get_store()
    reset_store()


def wf(name: str, *nodes: dict[str, Any], conns: list[tuple[str, str]] = (),
       **extra: Any) -> dict[str, Any]:
    return {"name": name, "nodes": list(nodes),
            "connections": [{"source": a, "target": b} for a, b in conns], **extra}


START = {"name": "Start", "type": "core.manual_trigger"}


def test_run_is_recorded_with_every_node(store: Any) -> None:
    d = wf("rec", START, {"name": "A", "type": "core.set", "parameters": {
        "assignments": [{"name": "x", "value": "{{ $json.n + 1 }}"}]}}, conns=[("Start", "A")])
    res = runs.run_workflow(load_workflow(d), input_items=[Item(json={"n": 1})], mode="cli")
    row = store.executions.get(res.id)
    assert row.status == "succeeded" and row.workflow_name == "rec"
    assert row.definition["name"] == "rec"  # ad-hoc runs keep a snapshot
    node_runs = store.node_runs.list(res.id)
    assert [r.node_name for r in node_runs] == ["Start", "A"]
    assert node_runs[1].output["main"][0]["json"] == {"n": 1, "x": 2}
    assert node_runs[1].output_counts == {"main": 1}


def test_save_data_none_keeps_status_but_drops_items(store: Any) -> None:
    d = wf("quiet", START, {"name": "A", "type": "core.set"}, conns=[("Start", "A")],
           settings={"save_data_success": "none"})
    res = runs.run_workflow(load_workflow(d))
    assert store.executions.get(res.id).status == "succeeded"
    assert all(r.output is None for r in store.node_runs.list(res.id))
    assert store.node_runs.list(res.id)[1].output_counts == {"main": 1}


def test_production_runs_write_kept_node_data_only(store: Any) -> None:
    """A webhook-mode run writes its node runs with the final status, at the end: the
    data of a success is dropped before writing, that of a failure kept."""
    keep_failures = {"save_data_success": "none", "save_data_error": "all"}
    ok = wf("ok", START, {"name": "A", "type": "core.set"}, conns=[("Start", "A")],
            settings=keep_failures)
    res = runs.run_workflow(load_workflow(ok), mode="webhook")
    rows = store.node_runs.list(res.id)
    assert store.executions.get(res.id).status == "succeeded"
    assert [r.node_name for r in rows] == ["Start", "A"]
    assert all(r.output is None for r in rows) and rows[1].output_counts == {"main": 1}

    bad = wf("bad", START, {"name": "Boom", "type": "core.stop_and_error",
                            "parameters": {"message": "no"}}, conns=[("Start", "Boom")],
             settings=keep_failures)
    res = runs.run_workflow(load_workflow(bad), mode="webhook")
    rows = store.node_runs.list(res.id)
    assert store.executions.get(res.id).status == "failed"
    assert rows[0].output["main"][0]["json"] == {}
    assert rows[1].status == "failed"


def test_failed_run_starts_the_error_workflow(store: Any) -> None:
    handler = wf("on-error", {"name": "Err", "type": "core.error_trigger"},
                 {"name": "Note", "type": "core.set", "parameters": {"assignments": [
                     {"name": "alert", "value": "{{ $json.execution.error.message }}"}]}},
                 conns=[("Err", "Note")])
    h = store.workflows.create(handler)
    failing = wf("fails", START, {"name": "Boom", "type": "core.stop_and_error",
                                  "parameters": {"message": "disk full"}},
                 conns=[("Start", "Boom")], settings={"error_workflow": h.id})
    rec = store.workflows.create(failing)
    wf_obj, wid = runs.load_stored(rec.id)
    res = runs.run_workflow(wf_obj, workflow_id=wid)
    assert res.status == "failed"
    rows, _ = store.executions.list(workflow_id=h.id)
    assert len(rows) == 1 and rows[0].mode == "error" and rows[0].status == "succeeded"
    note = store.node_runs.list(rows[0].id, "Note")[0]
    assert note.output["main"][0]["json"]["alert"] == "disk full"
    assert note.output["main"][0]["json"]["workflow"]["name"] == "fails"


def test_execute_workflow_node_runs_a_stored_workflow_by_id(store: Any) -> None:
    child = store.workflows.create(wf(
        "child", {"name": "In", "type": "core.workflow_trigger"},
        {"name": "Tag", "type": "core.set", "parameters": {"assignments": [
            {"name": "tagged", "value": True}]}}, conns=[("In", "Tag")]))
    parent = wf("parent", START, {"name": "Call", "type": "core.execute_workflow",
                                  "parameters": {"source": "id", "workflow_id": child.id}},
                conns=[("Start", "Call")])
    res = runs.run_workflow(load_workflow(parent), input_items=[Item(json={"v": 1})])
    assert res.ok, res.error
    assert [i.json for i in res.output] == [{"v": 1, "tagged": True}]


def test_static_data_persists_between_runs(store: Any) -> None:
    d = wf("dedupe", START, {"name": "Seen", "type": "core.remove_duplicates",
                             "parameters": {"operation": "previous_executions",
                                            "dedupe_value": "{{ $json.id }}"}},
           conns=[("Start", "Seen")])
    rec = store.workflows.create(d)
    w, wid = runs.load_stored(rec.id)
    first = runs.run_workflow(w, workflow_id=wid, input_items=[Item(json={"id": 1}),
                                                              Item(json={"id": 2})])
    assert len(first.output) == 2
    second = runs.run_workflow(w, workflow_id=wid, input_items=[Item(json={"id": 2}),
                                                               Item(json={"id": 3})])
    assert [i.json["id"] for i in second.output] == [3]


def test_shared_flow_context_persists_between_runs(store: Any) -> None:
    """Node-RED's flow context (the Change node writing it, JSONata reading it) is the
    workflow's shared static data: kept in the store from one run to the next."""
    rule = {"action": "set", "target": "flow", "property": "count",
            "value": '$count($flowContext("seen")) + 1', "value_type": "jsonata"}
    seen = {"action": "set", "target": "flow", "property": "seen",
            "value": '$append($flowContext("seen"), payload)', "value_type": "jsonata"}
    out = {"action": "set", "property": "count", "value": "count", "value_type": "flow"}
    d = wf("counter", START, {"name": "Count", "type": "core.change",
                              "parameters": {"rules": [rule, seen, out]}},
           conns=[("Start", "Count")])
    rec = store.workflows.create(d)
    w, wid = runs.load_stored(rec.id)
    for n, payload in ((1, "a"), (2, "b")):
        res = runs.run_workflow(w, workflow_id=wid, input_items=[Item(json={"payload": payload})])
        assert [i.json["count"] for i in res.output] == [n]
    assert store.workflows.get_static_data(wid)[""]["flow"] == {"count": 2, "seen": ["a", "b"]}


def test_credential_secrets_never_reach_execution_data(store: Any,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A server that echoes the request headers back: the token it echoes is redacted in
    the recorded output, while the node itself did receive and send it."""
    import http.server
    import json
    import threading

    class Echo(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps({"headers": dict(self.headers)}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a: Any) -> None:
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    monkeypatch.setenv("AURA_HTTP_ALLOW", "127.0.0.1")
    from engine.config import reset_settings
    from engine.vault.cipher import cipher_from_settings

    reset_settings()
    secret = "tok-9f8e7d6c5b4a"
    cred = store.credentials.create("api", "header_auth",
                                    {"name": "X-Api-Token", "value": secret},
                                    cipher_from_settings())
    d = wf("secret", START, {"name": "Call", "type": "core.http_request",
                             "credentials": {"auth": {"id": cred.id}},
                             "parameters": {"url": f"http://127.0.0.1:{srv.server_address[1]}/",
                                            "authentication": "header_auth"}},
           conns=[("Start", "Call")])
    try:
        res = runs.run_workflow(load_workflow(d))
    finally:
        srv.shutdown()
    assert res.ok, res.error
    echoed = res.output[0].json
    assert secret in json.dumps(echoed)  # the request really carried it
    stored = json.dumps([r.output for r in store.node_runs.list(res.id)])
    assert secret not in stored and "***" in stored
