"""Two users in two projects on one AURA instance, with a real worker on a real Redis and
a local HTTP listener, for the run-time authorization tests.

Erin (editor) owns project E with a credential whose secret must never leave; Bob
(editor) owns project B and tries to reach it. The app runs in this process on the rq
runtime (``create_app(runtime="rq")``); a forking ``aura worker`` process runs the
executions; both share one SQLite database and one Redis.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from tests.support.env import Env, queue_env, wait_until
from tests.support.listener import Listener

PASSWORD = "Sturdy-Password-42"
OWNER = {"email": "owner@example.com", "password": "correct horse battery staple", "name": "Owner"}
SECRET = "erin-secret-9f27c1d4"
PRIVATE_OUTPUT = "erin-private-output-5be0"


@dataclass
class User:
    """A signed-in user: their principal, bearer token and personal project."""

    email: str
    principal: Any
    token: str
    project: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class World:
    env: Env
    client: TestClient
    listener: Listener
    owner: User
    erin: User
    bob: User

    def post(self, user: User, path: str, **kw: Any) -> Any:
        return self.client.post(path, headers=user.headers, **kw)

    def put(self, user: User, path: str, **kw: Any) -> Any:
        return self.client.put(path, headers=user.headers, **kw)

    def get(self, user: User, path: str, **kw: Any) -> Any:
        return self.client.get(path, headers=user.headers, **kw)

    def create(self, user: User, definition: dict[str, Any], *, activate: bool = False) -> str:
        r = self.post(user, "/api/v1/workflows", json=definition)
        assert r.status_code == 201, r.text
        wid = str(r.json()["id"])
        if activate:
            a = self.post(user, f"/api/v1/workflows/{wid}/activate")
            assert a.status_code == 200, a.text
        return wid

    def credential(self, user: User, name: str = "Erin's API") -> str:
        r = self.post(
            user,
            "/api/v1/credentials",
            json={
                "name": name,
                "kind": "header_auth",
                "data": {"name": "X-Token", "value": SECRET},
            },
        )
        assert r.status_code == 201, r.text
        return str(r.json()["id"])

    def run(self, user: User, wid: str) -> dict[str, Any]:
        """Runs the workflow on the workers and returns the API's answer (waits)."""
        r = self.post(
            user, f"/api/v1/workflows/{wid}/run", params={"wait": "true"}, json={"timeout_s": 60}
        )
        assert r.status_code == 200, r.text
        return dict(r.json())

    def row(self, execution_id: str) -> Any:
        from engine.services.store import get_store

        return get_store().executions.get(execution_id)

    def share(self, cred: str, user: User, role: str = "editor") -> None:
        from engine.services import auth

        auth.share(self.erin.principal, "credential", cred, user.project, role=role)

    def unshare(self, cred: str, user: User) -> None:
        from engine.services import auth

        auth.unshare(self.erin.principal, "credential", cred, user.project)

    def wait_listener(self, count: int) -> None:
        wait_until(
            lambda: self.listener.count() >= count,
            timeout=30,
            what=f"{count} request(s) at the listener",
            env=self.env,
        )


def _user(email: str, token: str) -> User:
    from engine.services import auth

    p = auth.principal_from_access_token(token)
    project = auth.default_project(p)
    assert project is not None
    return User(email, p, token, project)


def _invite(owner: Any, email: str) -> User:
    from engine.services import auth

    inv = auth.invite(owner, email, "editor")
    auth.accept_invitation(inv.token, PASSWORD, email.split("@")[0].title())
    tokens = auth.login(email, PASSWORD).tokens
    assert tokens is not None
    return _user(email, tokens.access_token)


def make_world(data_dir: Path, redis_url: str) -> Iterator[World]:
    """The world (see the module docstring), torn down afterwards."""
    from studio.api import create_app

    queue = f"authz-{os.getpid()}-{id(data_dir)}"
    with (
        Listener() as listener,
        queue_env(
            "sqlite",
            data_dir,
            redis_url,
            flush=False,
            AURA_QUEUE_NAME=queue,
            AURA_HTTP_ALLOW="127.0.0.1/32",
        ) as env,
    ):
        env.worker("--queues", queue, shared=True)
        app = create_app(runtime="rq")
        assert app.state.runner.name == "rq"
        with TestClient(app) as c:
            r = c.post("/api/v1/auth/setup", json=OWNER)
            assert r.status_code == 201, r.text
            owner = _user(OWNER["email"], r.json()["access_token"])
            erin = _invite(owner.principal, "erin@example.com")
            bob = _invite(owner.principal, "bob@example.com")
            assert erin.project != bob.project
            yield World(env, c, listener, owner, erin, bob)


# -- workflow builders --------------------------------------------------------------------
def http_node(url: str, cred: str, name: str = "Call") -> dict[str, Any]:
    """An HTTP Request node sending the credential's header to ``url``."""
    return {
        "name": name,
        "type": "core.http_request",
        "parameters": {"url": url, "authentication": "header_auth"},
        "credentials": {"auth": {"id": cred, "name": "chosen"}},
    }


def chain(
    name: str, *nodes: dict[str, Any], start: dict[str, Any] | None = None, **settings: Any
) -> dict[str, Any]:
    """Start node (default: a Manual Trigger) followed by ``nodes`` in a line."""
    all_nodes = [start or {"name": "Start", "type": "core.manual_trigger"}, *nodes]
    conns = [{"source": a["name"], "target": b["name"]} for a, b in itertools.pairwise(all_nodes)]
    return {"name": name, "nodes": all_nodes, "connections": conns, "settings": settings}


def sub_trigger() -> dict[str, Any]:
    return {"name": "Called", "type": "core.workflow_trigger"}


def execute_by(ref: str) -> dict[str, Any]:
    return {
        "name": "Sub",
        "type": "core.execute_workflow",
        "parameters": {"source": "id", "workflow_id": ref},
    }


def execute_inline(definition: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": "Sub",
        "type": "core.execute_workflow",
        "parameters": {"source": "json", "workflow_json": definition},
    }


def set_node(**values: Any) -> dict[str, Any]:
    return {
        "name": "Set",
        "type": "core.set",
        "parameters": {"assignments": [{"name": k, "value": v} for k, v in values.items()]},
    }


def node_error(execution: dict[str, Any], node: str) -> str:
    """The error message of ``node``'s run in an execution as the API shows it."""
    for run in execution["node_runs"]:
        if run["node"] == node and run["error"]:
            return str(run["error"].get("message", ""))
    raise AssertionError(f"node {node!r} did not fail: {execution['node_runs']}")


def node_output(execution: dict[str, Any], node: str) -> list[dict[str, Any]]:
    """The JSON of the items ``node`` output on its main port (as recorded)."""
    for run in execution["node_runs"]:
        if run["node"] == node:
            return [i["json"] for i in (run["outputs"] or {}).get("main", [])]
    raise AssertionError(f"node {node!r} did not run: {execution['node_runs']}")
