"""Run-time authorization, attacked as an editor of another project would (issue 12):
two real users in two projects, executions on a real worker over a real Redis, and a
local HTTP listener that proves the secret never arrives.

Erin (project E) owns a credential and private workflows; Bob (project B) tries to reach
them by credential id (in his own nodes and in an inline sub-workflow), by Execute
Workflow with her workflow's id or name, and by naming her workflow as his error
workflow. Each attempt is refused at save time with a 4xx naming the node, or fails the
node at run time; the positive case (a credential shared with B) works.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.services.authz_world import (
    PRIVATE_OUTPUT,
    SECRET,
    World,
    chain,
    execute_by,
    execute_inline,
    http_node,
    make_world,
    node_error,
    node_output,
    set_node,
    sub_trigger,
)
from tests.support.env import wait_until
from tests.support.fixtures import redis_for_tests, redis_url  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.redis, pytest.mark.slow]


@pytest.fixture(scope="module")
def world(
    tmp_path_factory: pytest.TempPathFactory,
    redis_url: str,  # noqa: F811
) -> Iterator[World]:
    yield from make_world(tmp_path_factory.mktemp("authz") / "data", redis_url)


def _refused(r: object, node: str) -> dict[str, object]:
    body = r.json()  # type: ignore[attr-defined]
    assert r.status_code == 422, body  # type: ignore[attr-defined]
    assert body["error"] == "credential_error" and f"Node '{node}'" in body["message"], body
    assert "share" in body["message"]  # says what to do
    assert SECRET not in str(body)
    return dict(body)


def test_foreign_credential_is_refused_on_save(world: World) -> None:
    w = world
    cred = w.credential(w.erin)
    url = f"{w.listener.url}/steal"
    # a new workflow, and an update of an existing one
    _refused(w.post(w.bob, "/api/v1/workflows", json=chain("steal", http_node(url, cred))), "Call")
    wid = w.create(w.bob, chain("harmless", set_node(a=1)))
    _refused(
        w.put(w.bob, f"/api/v1/workflows/{wid}", json=chain("harmless", http_node(url, cred))),
        "Call",
    )
    # through an inline sub-workflow (the definition given in the node's parameters)
    inline = chain("inner", http_node(url, cred, name="Inner call"), start=sub_trigger())
    body = _refused(
        w.post(w.bob, "/api/v1/workflows", json=chain("steal inline", execute_inline(inline))),
        "Sub > Inner call",
    )
    assert body["details"]["credential_id"] == cred
    # ... also when the inline definition is JSON text
    import json

    as_text = execute_inline(inline)
    as_text["parameters"]["workflow_json"] = json.dumps(inline)
    _refused(
        w.post(w.bob, "/api/v1/workflows", json=chain("steal text", as_text)), "Sub > Inner call"
    )
    # Erin herself may save it
    w.create(w.erin, chain("mine", http_node(url, cred)))
    assert w.listener.count("/steal") == 0


def test_revoked_share_fails_the_node_on_the_worker(world: World) -> None:
    w = world
    cred = w.credential(w.erin, "shared")
    url = f"{w.listener.url}/shared"
    inline = chain("inner", http_node(url, cred, name="Inner call"), start=sub_trigger())
    w.share(cred, w.bob)
    direct = w.create(w.bob, chain("direct", http_node(url, cred)))
    nested = w.create(w.bob, chain("nested", execute_inline(inline)))

    # shared with B: the credential works, in Bob's node and in the inline sub-workflow
    first = w.run(w.bob, direct)
    assert first["status"] == "succeeded", first
    row = w.row(first["execution_id"])
    assert (row.principal_kind, row.principal_user_id, row.project_id) == (
        "user",
        w.bob.principal.user_id,
        w.bob.project,
    )
    assert w.run(w.bob, nested)["status"] == "succeeded"
    w.wait_listener(2)
    assert w.listener.count("/shared") == 2 and w.listener.saw(f"X-Token: {SECRET}")
    assert SECRET not in str(first)  # never in the recorded execution

    # revoked: both runs fail in the node that names the credential; nothing is sent
    w.unshare(cred, w.bob)
    for wid, node in ((direct, "Call"), (nested, "Sub")):
        out = w.run(w.bob, wid)
        assert out["status"] == "failed", out
        message = node_error(out["execution"], node)
        assert "not available to this execution" in message, message
        assert "share it with the project" in message and SECRET not in str(out)
    assert w.listener.count("/shared") == 2


def test_shared_as_viewer_is_not_usable(world: World) -> None:
    w = world
    cred = w.credential(w.erin, "viewer share")
    w.share(cred, w.bob, role="viewer")
    _refused(
        w.post(
            w.bob, "/api/v1/workflows", json=chain("viewer", http_node(f"{w.listener.url}/v", cred))
        ),
        "Call",
    )


def test_webhook_runs_as_its_project(world: World) -> None:
    """A trigger acts as the workflow's project: a share with B lets B's webhook use the
    credential; once revoked, the next webhook run fails and sends nothing."""
    w = world
    cred = w.credential(w.erin, "for hooks")
    url = f"{w.listener.url}/hook-target"
    w.share(cred, w.bob)
    hook = {
        "name": "Webhook",
        "type": "core.webhook_trigger",
        "parameters": {"path": "bob-hook", "http_method": "POST", "response_mode": "last_node"},
    }
    w.create(w.bob, chain("hook", http_node(url, cred), start=hook), activate=True)
    ok = w.client.post("/webhook/bob-hook", json={"x": 1})
    assert ok.status_code == 200, ok.text
    assert w.listener.count("/hook-target") == 1
    from engine.services.store import get_store

    rows, _ = get_store().executions.list(limit=1)
    assert (rows[0].mode, rows[0].principal_kind, rows[0].project_id) == (
        "webhook",
        "project",
        w.bob.project,
    )

    w.unshare(cred, w.bob)
    failed = w.client.post("/webhook/bob-hook", json={"x": 2})
    assert failed.status_code == 500 and "not available" in failed.text
    assert SECRET not in failed.text and w.listener.count("/hook-target") == 1


def _private_workflow(w: World, name: str) -> str:
    return w.create(w.erin, chain(name, set_node(marker=PRIVATE_OUTPUT), start=sub_trigger()))


def test_execute_workflow_of_another_project_is_not_found(world: World) -> None:
    w = world
    theirs = _private_workflow(w, "Erin's report")
    results = {}
    for ref in (theirs, theirs[:10], "Erin's report", "0" * 32):
        wid = w.create(w.bob, chain(f"call {ref}", execute_by(ref)))
        out = w.run(w.bob, wid)
        assert out["status"] == "failed", out
        assert PRIVATE_OUTPUT not in str(out)
        results[ref] = node_error(out["execution"], "Sub").replace(ref, "<ref>")
    # her id, prefix and name answer exactly like an id that does not exist
    assert len(set(results.values())) == 1, results
    assert "No workflow with id or name '<ref>'" in results["0" * 32]

    # Bob's own workflow of the same name is the one his name resolves to
    w.create(w.bob, chain("Erin's report", set_node(marker="bob's"), start=sub_trigger()))
    wid = w.create(w.bob, chain("call mine", execute_by("Erin's report")))
    out = w.run(w.bob, wid)
    assert out["status"] == "succeeded"
    assert node_output(out["execution"], "Sub")[0]["marker"] == "bob's"

    # shared with B, Erin's workflow may be called by id (not by name)
    from engine.services import auth

    auth.share(w.erin.principal, "workflow", theirs, w.bob.project, role="editor")
    by_id = w.run(w.bob, w.create(w.bob, chain("call shared", execute_by(theirs))))
    assert by_id["status"] == "succeeded"
    assert node_output(by_id["execution"], "Sub")[0]["marker"] == PRIVATE_OUTPUT


def test_error_workflow_must_be_of_the_same_project(world: World) -> None:
    from engine.graph import load_workflow
    from engine.services.store import get_store

    w = world
    theirs = w.create(
        w.erin,
        chain(
            "Erin's errors",
            set_node(marker=PRIVATE_OUTPUT),
            start={"name": "Err", "type": "core.error_trigger"},
        ),
    )
    fails = {"name": "Fail", "type": "core.stop_and_error", "parameters": {"message": "boom"}}
    r = w.post(w.bob, "/api/v1/workflows", json=chain("uses hers", fails, error_workflow=theirs))
    assert r.status_code == 422 and r.json()["error"] == "validation_error", r.text
    assert "same project" in r.json()["message"]

    # written around the API (e.g. before this check existed): refused at run time too
    store = get_store()
    rec = store.workflows.create(
        load_workflow(chain("old", fails, error_workflow=theirs)), project_id=w.bob.project
    )
    out = w.run(w.bob, rec.id)
    assert out["status"] == "failed"

    # an error workflow of B's own project runs (as a trigger of project B)
    mine = w.create(
        w.bob,
        chain(
            "Bob's errors",
            set_node(handled=True),
            start={"name": "Err", "type": "core.error_trigger"},
        ),
    )
    out = w.run(w.bob, w.create(w.bob, chain("uses mine", fails, error_workflow=mine)))
    assert out["status"] == "failed"
    ran = wait_until(
        lambda: store.executions.list(workflow_id=mine, limit=1)[0],
        what="the error workflow's execution",
        env=w.env,
    )
    assert (ran[0].mode, ran[0].principal_kind, ran[0].project_id) == (
        "error",
        "project",
        w.bob.project,
    )
    # the one worker handles jobs in turn: the first failure's error step is over, and
    # Erin's error workflow never ran
    assert store.executions.list(workflow_id=theirs, limit=5)[0] == []
