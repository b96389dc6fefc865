"""Every route that takes an id, walked as a user of another project.

Alice (editor) and Vera (viewer) work in the team project "Alpha"; Bob is an editor
with only his personal project. Alpha has a workflow, runs on a real worker over a
real Redis (one succeeded, one crashed by killing its work-horse: a failed RQ job), a
credential, a variable, an API key and a sign-in identity of Alice's.

The walk takes the operations from the app's route declarations (what the OpenAPI
document is built from), so a new route with a path id is walked too, or the test
fails asking how to fill its parameters. For each one Bob sends Alpha's ids, then the
same request with ids that exist nowhere; the two answers must be the same (404 as for
nothing, or a 403 that names no project), never mention Alpha's things, and Alpha's
things must be unchanged afterwards (read back as the owner).
"""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.api._helpers import manual_workflow, wait_execution
from tests.api.conftest import OWNER
from tests.api.route_walk import NOWHERE, answer, request_for
from tests.support.env import (
    FAILING_WORKFLOW,
    LONG_WAIT_WORKFLOW,
    Env,
    default_db,
    descendants,
    queue_env,
    wait_until,
)
from tests.support.fixtures import redis_for_tests, redis_url  # noqa: F401 (fixtures)

pytestmark = pytest.mark.redis

PASSWORD = "another long password"
"""An id of the usual shape that names nothing."""

PUBLIC_CATALOG = {"get_node"}
"""Operations on things that belong to no project (the node catalog): every signed-in
user reads them; the walk checks they leak and change nothing."""

class World:
    """The two projects' users and Alpha's things."""

    def __init__(self, env: Env, owner: TestClient) -> None:
        self.env = env
        self.owner = owner
        self.ids: dict[str, str] = {}
        self.secrets: set[str] = set()
        self.clients: dict[str, TestClient] = {}

    def user(self, app: Any, name: str, role: str) -> TestClient:
        email = f"{name}@example.com"
        inv = self.owner.post("/api/v1/invitations", json={"email": email, "role": role})
        assert inv.status_code == 201, inv.text
        c = TestClient(app)
        c.__enter__()
        acc = c.post(
            "/api/v1/auth/invitations/accept",
            json={"token": inv.json()["token"], "password": PASSWORD, "name": name},
        )
        assert acc.status_code == 201, acc.text
        r = c.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
        assert r.status_code == 200, r.text
        c.cookies.clear()
        c.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
        me = c.get("/api/v1/auth/me").json()
        self.ids[f"{name}_id"] = me["id"]
        self.ids[f"{name}_project"] = me["personal_project_id"]
        self.clients[name] = c
        return c


def _ok(r: Any, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json() if r.content else None


def _kill_horse(env: Env) -> None:
    """SIGKILL of the forked work-horse running an execution (the worker survives)."""
    worker = env.procs[0].pid
    horses = wait_until(
        lambda: [p for p in descendants(worker) if p not in _direct(worker)],
        what="work-horse",
        env=env,
    )
    for pid in horses:
        os.kill(pid, signal.SIGKILL)


def _direct(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(x) for x in text.split()]


@pytest.fixture(scope="module")
def world(
    tmp_path_factory: pytest.TempPathFactory,
    redis_url: str,  # noqa: F811
) -> Iterator[World]:
    from studio.api import create_app

    tmp = tmp_path_factory.mktemp("scoping")
    queue = f"scoping-{os.getpid()}"
    with queue_env(
        default_db(), tmp / "data", redis_url, flush=False, AURA_QUEUE_NAME=queue
    ) as env:
        env.worker("--queues", queue)
        app = create_app(runtime="rq")
        with TestClient(app) as owner:
            r = owner.post("/api/v1/auth/setup", json=OWNER)
            owner.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
            w = World(env, owner)
            w.ids["queue"] = queue
            alice = w.user(app, "alice", "editor")
            w.user(app, "vera", "viewer")
            w.user(app, "bob", "editor")
            alpha = _ok(owner.post("/api/v1/projects", json={"name": "Alpha"}), 201)["id"]
            w.ids["alpha"] = alpha
            for name, role in (("alice", "editor"), ("vera", "viewer")):
                _ok(
                    owner.put(
                        f"/api/v1/projects/{alpha}/members/{w.ids[name + '_id']}",
                        json={"role": role},
                    ),
                    204,
                )
            for c in (alice, w.clients["vera"]):  # new tokens carry the membership
                c.headers.pop("Authorization")
                email = "alice@example.com" if c is alice else "vera@example.com"
                tok = _ok(c.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD}))
                c.cookies.clear()
                c.headers["Authorization"] = f"Bearer {tok['access_token']}"
            _build_alpha(w, alice)
            yield w
            for c in w.clients.values():
                c.__exit__(None, None, None)


def _build_alpha(w: World, alice: TestClient) -> None:
    alpha = w.ids["alpha"]
    wf = _ok(
        alice.post(
            "/api/v1/workflows",
            params={"project_id": alpha},
            json=manual_workflow("Alpha payroll", total=4200),
        ),
        201,
    )["id"]
    w.ids["workflow"] = wf
    done = _ok(alice.post(f"/api/v1/workflows/{wf}/run", params={"wait": "true"}, json={}))
    assert done["status"] == "succeeded"
    w.ids["succeeded"] = done["execution_id"]
    failing = dict(FAILING_WORKFLOW, name="Alpha failing")
    fid = _ok(alice.post("/api/v1/workflows", params={"project_id": alpha}, json=failing), 201)[
        "id"
    ]
    failed = _ok(alice.post(f"/api/v1/workflows/{fid}/run", params={"wait": "true"}, json={}))
    assert failed["status"] == "failed"
    long = dict(LONG_WAIT_WORKFLOW, name="Alpha long")
    lid = _ok(alice.post("/api/v1/workflows", params={"project_id": alpha}, json=long), 201)["id"]
    eid = _ok(alice.post(f"/api/v1/workflows/{lid}/run", json={}), 202)["execution_id"]
    wait_until(
        lambda: alice.get(f"/api/v1/executions/{eid}").json()["status"] == "running",
        what="running",
        env=w.env,
    )
    _kill_horse(w.env)
    crashed = wait_execution(alice, eid, timeout=30)
    assert crashed["status"] == "crashed", crashed
    w.ids["execution"] = eid
    jobs = wait_until(
        lambda: alice.get(
            f"/api/v1/queues/{w.ids['queue']}/jobs", params={"state": "failed"}
        ).json()["items"],
        what="the failed job",
        env=w.env,
    )
    assert [j["id"] for j in jobs] == [eid] and jobs[0]["exc_info"]
    w.ids["job"] = eid
    cred = _ok(
        alice.post(
            "/api/v1/credentials",
            json={
                "name": "Alpha bank",
                "kind": "header_auth",
                "project_id": alpha,
                "data": {"name": "X-Bank", "value": "alpha-bank-secret-7c1"},
            },
        ),
        201,
    )["id"]
    w.ids["credential"] = cred
    _ok(
        w.owner.post(
            "/api/v1/variables",
            json={"key": "ALPHA_LIMIT", "value": "alpha-9931", "project_id": alpha},
        ),
        201,
    )
    w.ids["variable"] = "ALPHA_LIMIT"
    kb = _ok(
        alice.post(
            "/api/v1/knowledge-bases",
            json={"name": "Alpha handbook", "project_id": alpha},
        ),
        201,
    )["id"]
    added = _ok(
        alice.post(
            f"/api/v1/knowledge-bases/{kb}/documents",
            json={"documents": [{"name": "pay.md", "text": "Alpha pays on the 4th."}]},
        ),
        200,
    )
    w.ids["kb"], w.ids["kb_document"] = kb, added["items"][0]["document_id"]
    w.ids["ingest"] = _ok(
        alice.post(
            f"/api/v1/knowledge-bases/{kb}/ingests",
            json={"documents": [{"name": "later.md", "text": "Alpha closes in August."}]},
        ),
        202,
    )["id"]
    agent = _ok(
        alice.post(
            "/api/v1/agents",
            json={
                "name": "Alpha helper",
                "project_id": alpha,
                "definition": {"instructions": "Alpha agent instructions 3f1"},
            },
        ),
        201,
    )["id"]
    w.ids["agent"] = agent
    run = _ok(alice.post(f"/api/v1/agents/{agent}/runs", json={"prompt": "Alpha asks 8d2"}), 201)
    w.ids["run"] = run["id"]
    wait_until(  # it fails (no model credential); ended before the walk's snapshot
        lambda: alice.get(f"/api/v1/agent-runs/{run['id']}").json()["status"] == "failed",
        what="the agent run's end",
        env=w.env,
    )
    from engine.services import approvals

    _, approval = approvals.request_for_call(
        run["id"],
        "call-1",
        title="Alpha approval 5e7",
        subject={"tool": "pay"},
        project_id=alpha,
        requested_by=w.ids["alice_id"],
        timeout_s=None,
    )
    w.ids["approval"] = approval
    key = _ok(
        alice.post("/api/v1/api-keys", json={"name": "alpha key", "scopes": ["workflow:read"]}), 201
    )
    w.ids["api_key"] = key["id"]
    inv = _ok(
        w.owner.post("/api/v1/invitations", json={"email": "new@example.com", "role": "viewer"}),
        201,
    )
    w.ids["invitation"] = inv["id"]
    from engine.services.store import get_store
    from engine.store.types import utcnow

    ident = get_store().oidc.add_identity(
        "gh", "alice-sub", w.ids["alice_id"], "alice@example.com", utcnow()
    )
    w.ids["identity"] = ident.id
    _ok(
        w.owner.post(
            "/api/v1/admin/oidc-providers",
            json={
                "name": "gh",
                "preset": "github",
                "client_id": "alpha-client",
                "client_secret": "provider-secret-55",
            },
        ),
        201,
    )
    w.ids["provider"] = "gh"
    w.secrets = {
        alpha,
        "Alpha payroll",
        "Alpha failing",
        "Alpha long",
        "4200",
        "Alpha bank",
        "X-Bank",
        "alpha-bank-secret-7c1",
        "alpha-9931",
        "alice@example.com",
        "alpha key",
        "out of stock",
        "killed by signal",
        "Work-horse terminated",
        "provider-secret-55",
        "Alpha handbook",
        "Alpha pays on the 4th",
        "Alpha helper",
        "Alpha agent instructions 3f1",
        "Alpha asks 8d2",
        "Alpha approval 5e7",
        agent,
        run["id"],
        approval,
        kb,
        w.ids["alice_id"],
        eid,
        w.ids["succeeded"],
        failed["execution_id"],
        wf,
        fid,
        lid,
        cred,
        key["id"],
        ident.id,
    }


# -- what must not change -----------------------------------------------------------------
def _snapshot(w: World) -> dict[str, Any]:
    """Alpha's things as the owner (and Alice) read them."""
    from engine.services.store import get_store

    ids, o = w.ids, w.owner
    alice = w.clients["alice"]
    urls = [
        f"/api/v1/workflows/{ids['workflow']}",
        f"/api/v1/workflows/{ids['workflow']}/versions",
        f"/api/v1/workflows/{ids['workflow']}/webhooks",
        f"/api/v1/executions/{ids['execution']}",
        f"/api/v1/executions/{ids['succeeded']}",
        f"/api/v1/executions?workflow_id={ids['workflow']}",
        "/api/v1/executions?limit=1000",
        f"/api/v1/credentials/{ids['credential']}",
        f"/api/v1/variables/{ids['variable']}?project_id={ids['alpha']}",
        f"/api/v1/projects/{ids['alpha']}/members",
        f"/api/v1/projects/{ids['alpha']}/mcp-servers",
        f"/api/v1/admin/oidc-providers/{ids['provider']}",
        f"/api/v1/queues/{ids['queue']}/jobs?state=failed",
        f"/api/v1/queues/{ids['queue']}/jobs?state=queued",
        f"/api/v1/agents/{ids['agent']}",
        f"/api/v1/agents/{ids['agent']}/versions",
        f"/api/v1/approvals/{ids['approval']}",
    ]
    snap: dict[str, Any] = {u: o.get(u).json() for u in urls}
    snap["users"] = sorted(
        (u["email"], u["role"], u["disabled"], u["totp_enabled"])
        for u in o.get("/api/v1/users").json()["items"]
    )
    snap["invitations"] = sorted(i["id"] for i in o.get("/api/v1/invitations").json()["items"])
    snap["keys"] = [
        (k["id"], k["revoked_at"]) for k in alice.get("/api/v1/api-keys").json()["items"]
    ]
    snap["identities"] = [i["id"] for i in alice.get("/api/v1/auth/identities").json()["items"]]
    store = get_store()
    for kind in ("workflow", "credential"):
        acc = store.projects.access(kind, ids[kind])
        snap[f"{kind} access"] = (acc.project_id, sorted(acc.shared_with.items()))
    return snap


def _changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return [k for k in before if before[k] != after.get(k)]


def test_the_resume_url_of_another_projects_execution_is_not_found(world: World) -> None:
    """``/webhook-waiting/<execution id>/<token>`` (public: the token is the key)."""
    bob = world.clients["bob"]
    eid = world.ids["execution"]
    for url in (f"/webhook-waiting/{eid}/guess", f"/webhook-waiting/{NOWHERE}/guess"):
        r = bob.post(url, json={})
        assert r.status_code == 404 and eid not in r.text.replace(url, ""), r.text


def test_listings_show_bob_none_of_alphas_executions_jobs_or_events(world: World) -> None:
    w = world
    bob, alice = w.clients["bob"], w.clients["alice"]
    q = w.ids["queue"]
    listings = [
        "/api/v1/executions?limit=1000",
        f"/api/v1/queues/{q}/jobs?state=failed",
        "/api/v1/queues",
        "/api/v1/workers",
        f"/api/v1/executions?workflow_id={w.ids['workflow']}",
        f"/api/v1/events?workflow_id={w.ids['workflow']}",
        "/api/v1/events?limit=1000",
        "/api/v1/workflows",
        "/api/v1/credentials",
    ]
    for url in listings:
        r = bob.get(url)
        assert r.status_code == 200, (url, r.text)
        shown = sorted(s for s in w.secrets if s in r.text and s not in url)
        assert not shown, (url, shown, r.text[:500])
    queue = next(x for x in bob.get("/api/v1/queues").json()["items"] if x["name"] == q)
    assert queue["failed"] == 0  # Bob counts only jobs he may see
    # Alice (and the owner) see Alpha's failed job with its traceback; the counts agree
    mine = next(x for x in alice.get("/api/v1/queues").json()["items"] if x["name"] == q)
    assert mine["failed"] == 1
    events = alice.get("/api/v1/events", params={"execution_id": w.ids["succeeded"]})
    assert events.status_code == 200 and events.json()["items"]
    assert bob.get("/api/v1/events", params={"execution_id": w.ids["succeeded"]}).status_code == 404
    listed = alice.get("/api/v1/executions", params={"limit": 1000}).json()
    assert w.ids["execution"] in {e["id"] for e in listed["items"]}
    assert bob.get("/api/v1/executions").json()["total"] == 0


def test_a_viewer_of_the_project_reads_but_cannot_requeue_cancel_retry_or_delete(
    world: World,
) -> None:
    w = world
    vera, eid, q = w.clients["vera"], w.ids["execution"], w.ids["queue"]
    assert vera.get(f"/api/v1/executions/{eid}").status_code == 200
    failed = vera.get(f"/api/v1/queues/{q}/jobs", params={"state": "failed"}).json()
    assert [j["id"] for j in failed["items"]] == [eid]
    for method, url in (
        ("POST", f"/api/v1/queues/{q}/jobs/{eid}/requeue"),
        ("POST", f"/api/v1/executions/{eid}/cancel"),
        ("POST", f"/api/v1/executions/{eid}/retry"),
        ("DELETE", f"/api/v1/executions/{eid}"),
    ):
        r = vera.request(method, url)
        assert r.status_code == 403, (method, url, r.text)
        assert r.json()["error"] == "forbidden"
    assert vera.get(f"/api/v1/executions/{eid}").json()["status"] == "crashed"
    assert [
        j["id"]
        for j in vera.get(f"/api/v1/queues/{q}/jobs", params={"state": "failed"}).json()["items"]
    ] == [eid]


def test_every_route_with_an_id_hides_another_projects_things(world: World) -> None:
    from studio.api.app import operations

    w = world
    bob = w.clients["bob"]
    walked = [op for op in operations() if "{" in op.path and op.action is not None]
    assert len(walked) >= 40  # the declarations were found
    before = _snapshot(w)
    problems: list[str] = []
    for op in walked:
        what = f"{op.method} {op.path}"
        status, code, message, body = answer(bob, op, w.ids, nowhere=False)
        _, url, sent, params = request_for(op, w.ids, nowhere=False)
        sent_text = url + json.dumps(sent) + json.dumps(params)
        leaked = sorted(s for s in w.secrets if s in body and s not in sent_text)
        if leaked:
            problems.append(f"{what}: the answer shows {leaked}: {body[:300]}")
        if op.operation_id in PUBLIC_CATALOG or (op.path.endswith("/jobs") and op.method == "GET"):
            if status >= 300:
                problems.append(f"{what}: {status} for a shared listing: {body[:300]}")
        else:
            if status not in (403, 404):
                problems.append(f"{what}: {status} {body[:300]}")
            other = answer(bob, op, w.ids, nowhere=True)
            if (status, code, message) != other[:3]:
                problems.append(
                    f"{what}: answers differently for Alpha's id than for "
                    f"an id that exists nowhere: {status} {body[:300]} / "
                    f"{other[0]} {other[3][:300]}"
                )
        after = _snapshot(w)
        changed = _changes(before, after)
        if changed:
            problems.append(f"{what}: changed {changed}")
            before = after
    assert not problems, "\n".join(problems)
    print(f"walked {len(walked)} operations as a user of another project")


def test_malformed_ids_are_404_not_500(world: World) -> None:
    """``abc%12`` (a control character), NUL, and ids too long to name anything."""
    o, q = world.owner, world.ids["queue"]
    for bad in ("abc%12", "abc%00", "a" * 300, "x%7F", "%0A"):
        for method, url in (
            ("POST", f"/api/v1/queues/default/jobs/{bad}/requeue"),
            ("POST", f"/api/v1/queues/{q}/jobs/{bad}/requeue"),
            ("GET", f"/api/v1/queues/{bad}/jobs"),
            ("GET", f"/api/v1/executions/{bad}"),
            ("GET", f"/api/v1/workflows/{bad}"),
            ("DELETE", f"/api/v1/variables/{bad}"),
        ):
            r = o.request(method, url)
            assert r.status_code == 404, (method, url, r.text)
            assert r.json()["error"] == "not_found" and r.json()["message"]
    # a job id RQ would refuse (dots), in a queue that exists: 404 too
    r = o.post(f"/api/v1/queues/{q}/jobs/a.b/requeue")
    assert r.status_code == 404 and "No job 'a.b'" in r.json()["message"]


def test_a_shared_workflows_executions_are_visible_to_the_other_project(
    world: World,
) -> None:
    """Sharing Alpha's workflow with Bob's project as viewer shows him its executions
    (read only); unsharing hides them again."""
    w = world
    bob, wf, eid = w.clients["bob"], w.ids["workflow"], w.ids["succeeded"]
    r = w.owner.post(
        f"/api/v1/workflows/{wf}/shares",
        json={"project_id": w.ids["bob_project"], "role": "viewer"},
    )
    assert r.status_code == 204, r.text
    try:
        assert bob.get(f"/api/v1/executions/{eid}").json()["status"] == "succeeded"
        listed = bob.get("/api/v1/executions", params={"workflow_id": wf}).json()
        assert [e["id"] for e in listed["items"]] == [eid] and listed["total"] == 1
        assert [e["id"] for e in bob.get("/api/v1/executions").json()["items"]] == [eid]
        r = bob.post(f"/api/v1/executions/{eid}/retry")
        assert r.status_code == 403 and w.ids["alpha"] not in r.text
        assert bob.delete(f"/api/v1/executions/{eid}").status_code == 403
    finally:
        r = w.owner.delete(f"/api/v1/workflows/{wf}/shares/{w.ids['bob_project']}")
        assert r.status_code == 204, r.text
    assert bob.get(f"/api/v1/executions/{eid}").status_code == 404
    assert bob.get("/api/v1/executions").json()["total"] == 0


def test_workers_show_their_current_job_only_to_who_may_see_it(world: World) -> None:
    w = world
    alice, bob = w.clients["alice"], w.clients["bob"]
    long = dict(LONG_WAIT_WORKFLOW, name="Alpha long 2")
    lid = _ok(
        alice.post("/api/v1/workflows", params={"project_id": w.ids["alpha"]}, json=long),
        201,
    )["id"]
    eid = _ok(alice.post(f"/api/v1/workflows/{lid}/run", json={}), 202)["execution_id"]
    try:
        busy = wait_until(
            lambda: [
                x
                for x in alice.get("/api/v1/workers").json()["items"]
                if x["current_execution_id"] == eid
            ],
            what="a worker running it",
            env=w.env,
        )
        mine = {x["name"]: x for x in bob.get("/api/v1/workers").json()["items"]}
        assert busy[0]["name"] in mine  # Bob sees the worker ...
        seen = mine[busy[0]["name"]]
        assert seen["current_job_id"] is None and seen["current_execution_id"] is None
        assert eid not in bob.get("/api/v1/workers").text  # ... not what it runs
        r = bob.post(f"/api/v1/executions/{eid}/cancel")
        assert r.status_code == 404 and w.ids["alpha"] not in r.text
    finally:
        assert alice.post(f"/api/v1/executions/{eid}/cancel").status_code == 200
    assert wait_execution(alice, eid, timeout=30)["status"] == "cancelled"


def test_an_editor_of_the_project_requeues_its_failed_job(world: World) -> None:
    """Last: it changes Alpha (the job leaves the failed list)."""
    w = world
    alice, q, eid = w.clients["alice"], w.ids["queue"], w.ids["job"]
    r = alice.post(f"/api/v1/queues/{q}/jobs/{eid}/requeue")
    assert r.status_code == 200, r.text
    assert r.json()["id"] == eid and r.json()["execution_id"] == eid
    # the worker takes it again (the execution stays crashed: only queued ones run)
    wait_until(
        lambda: (
            not alice.get(f"/api/v1/queues/{q}/jobs", params={"state": "failed"}).json()["items"]
        ),
        what="the job to leave the failed list",
        env=w.env,
    )
    assert alice.get(f"/api/v1/executions/{eid}").json()["status"] == "crashed"
