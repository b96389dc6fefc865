"""Run-time authorization through the other doors: the studio (save, import, duplicate,
credential picker and test action), the CLI import, API keys and the console operator.
Same world as :mod:`tests.services.test_run_authorization`: Erin (project E) and Bob
(project B), a real worker on a real Redis, a local listener."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.errors import AuraError, CredentialError, NotFoundError, PermissionDenied
from tests.services.authz_world import (
    SECRET,
    World,
    chain,
    http_node,
    make_world,
    node_error,
)
from tests.support.fixtures import redis_for_tests, redis_url  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.redis, pytest.mark.slow]


@pytest.fixture(scope="module")
def world(
    tmp_path_factory: pytest.TempPathFactory,
    redis_url: str,  # noqa: F811
) -> Iterator[World]:
    yield from make_world(tmp_path_factory.mktemp("authz-doors") / "data", redis_url)


def test_studio_refuses_foreign_credentials(world: World) -> None:
    from studio.logic import backend

    w = world
    bob = w.bob.principal
    cred = w.credential(w.erin)
    steal = chain("steal", http_node(f"{w.listener.url}/studio", cred))
    wid = backend.create_workflow(bob, "empty")
    with pytest.raises(CredentialError, match="Node 'Call' uses credential"):
        backend.save(bob, wid, {**steal, "id": wid})
    with pytest.raises(CredentialError, match="Node 'Call'"):
        backend.create_workflow(bob, definition=steal)
    with pytest.raises(CredentialError, match="Node 'Call'"):
        backend.import_text(bob, json.dumps(steal), "steal.json")

    # duplicating Erin's workflow (shared with B) into B would copy her credential into B
    from engine.services import auth

    hers = w.create(w.erin, chain("hers", http_node(f"{w.listener.url}/studio", cred)))
    auth.share(w.erin.principal, "workflow", hers, w.bob.project, role="editor")
    with pytest.raises(CredentialError, match="Node 'Call'"):
        backend.duplicate_workflow(bob, hers)
    # ... but Bob may edit her shared workflow: the credential already in it is kept
    data, _ = backend.load_definition(bob, hers)
    data["name"] = "hers, renamed by Bob"
    backend.save(bob, hers, data)
    assert w.listener.count("/studio") == 0


def test_studio_picker_and_test_action_offer_usable_credentials_only(world: World) -> None:
    from engine.services import credentials
    from studio.logic import backend, backend_more

    w = world
    bob = w.bob.principal
    cred = w.credential(w.erin, "picker")
    own = w.credential(w.bob, "bob's own")
    wid = backend.create_workflow(bob, "picker test")

    def offered() -> set[str]:
        return {c["id"] for c in backend_more.credentials_of_kinds(bob, ["header_auth"], wid)}

    assert cred not in offered() and own in offered()
    with pytest.raises((PermissionDenied, NotFoundError)):
        credentials.test_credential(bob, cred)
    w.share(cred, w.bob, role="viewer")  # readable, not usable
    assert cred not in offered()
    with pytest.raises(PermissionDenied):
        credentials.test_credential(bob, cred)
    w.share(cred, w.bob, role="editor")
    assert cred in offered()
    assert credentials.test_credential(bob, cred).ok
    w.unshare(cred, w.bob)
    assert cred not in offered()


def test_cli_import_refuses_project_credentials(world: World, tmp_path: Path) -> None:
    """An import lands outside any project: only credentials outside projects may be in
    it (its triggers could not reach others)."""
    from engine.services import workflows

    w = world
    cred = w.credential(w.erin, "for cli")
    f = tmp_path / "steal.json"
    f.write_text(json.dumps(chain("cli steal", http_node(f"{w.listener.url}/cli", cred))))
    with pytest.raises(CredentialError, match=r"steal\.json: Node .Call.*Nothing was imported"):
        workflows.import_files([f])
    f.write_text(
        json.dumps(
            chain("cli", {"name": "Set", "type": "core.set"}, error_workflow="no such workflow")
        )
    )
    with pytest.raises(AuraError, match="same project"):
        workflows.import_files([f])


def test_api_key_runs_with_its_users_rights(world: World) -> None:
    from engine.services import auth
    from engine.services.principals import RunAs, acting_principal

    w = world
    cred = w.credential(w.erin, "for keys")
    w.share(cred, w.bob)
    wid = w.create(w.bob, chain("keyed", http_node(f"{w.listener.url}/key", cred)))
    info, key = auth.create_api_key(w.bob.principal, "ci", ["workflow:*", "execution:*"])
    r = w.client.post(
        f"/api/v1/workflows/{wid}/run",
        params={"wait": "true"},
        headers={"X-API-Key": key},
        json={"timeout_s": 60},
    )
    assert r.status_code == 200 and r.json()["status"] == "succeeded", r.text
    row = w.row(r.json()["execution_id"])
    assert (row.principal_kind, row.principal_api_key_id, row.project_id) == (
        "api_key",
        info.id,
        w.bob.project,
    )
    w.wait_listener(1)
    assert w.listener.count("/key") == 1

    # once the key is revoked, a run recorded for it (still queued, say) reaches nothing
    auth.revoke_api_key(w.bob.principal, info.id)
    with pytest.raises(PermissionDenied, match="revoked"):
        acting_principal(RunAs.from_row(row))
    from engine.executor import RunRequest
    from engine.graph import load_workflow
    from engine.services.runs import execute_recorded
    from engine.services.store import get_store

    store = get_store()
    again = store.executions.create(
        workflow_id=wid, mode="manual", **RunAs.from_row(row).row_fields()
    )
    wf = load_workflow(store.workflows.definition(wid))
    result = execute_recorded(
        store, RunRequest(workflow=wf, execution_id=again.id), workflow_id=wid
    )
    assert str(result.status) == "failed"
    assert "revoked" in node_error(
        {"node_runs": [{"node": n.node, "error": n.error} for n in result.node_runs]}, "Call"
    )
    assert w.listener.count("/key") == 1 and SECRET not in str(result.to_dict())


def test_the_operator_reaches_everything(world: World) -> None:
    """``aura run`` acts as the console operator (system): any credential, any workflow."""
    from engine.graph import load_workflow
    from engine.services import runs

    w = world
    cred = w.credential(w.erin, "for the operator")
    wf = load_workflow(chain("ops", http_node(f"{w.listener.url}/ops", cred)))
    result = runs.run_workflow(wf, mode="cli")
    assert str(result.status) == "succeeded", result.error
    assert w.listener.count("/ops") == 1
    row = w.row(result.id)
    assert row.principal_kind == "system"
