"""The studio's pages follow the API's rule for another project's ids: a workflow or
execution the user may not read does not exist for them (no error naming its project),
and their lists leave it out (no browser)."""

from __future__ import annotations

from types import ModuleType

import pytest

from engine.auth.types import Principal
from engine.errors import NotFoundError
from studio.logic import backend, backend_more
from tests.auth.conftest import add_user, auth, owner  # noqa: F401 (fixtures)

SIMPLE = {
    "name": "Alice's payroll",
    "nodes": [{"name": "Start", "type": "core.manual_trigger", "position": [0, 0]}],
    "connections": [],
}


def test_another_projects_workflow_and_execution_do_not_exist_for_bob(
    auth: ModuleType,  # noqa: F811
    owner: Principal,  # noqa: F811
) -> None:
    from engine.services.store import get_store

    alice = add_user(auth, owner, "alice@example.com", "editor")
    bob = add_user(auth, owner, "bob@example.com", "editor")
    wid = backend.create_workflow(alice, definition=SIMPLE)
    project = get_store().workflows.get(wid).project_id
    eid = get_store().executions.create(workflow_id=wid, status="succeeded").id

    for call in (
        lambda: backend.load_definition(bob, wid),
        lambda: backend.delete_workflow(bob, wid),
        lambda: backend.set_active(bob, wid, True),
        lambda: backend.export_json(bob, wid),
        lambda: backend_more.execution_detail(bob, eid),
        lambda: backend_more.delete_execution(bob, eid),
    ):
        with pytest.raises(NotFoundError) as caught:
            call()
        assert project not in str(caught.value) and "payroll" not in str(caught.value)
    assert not backend.may(bob, "workflow:read", wid)
    assert backend_more.list_executions(bob) == ([], 0)
    assert wid not in {w["id"] for w in backend.list_workflows(bob)[0]}

    # Alice sees and keeps both
    assert backend.load_definition(alice, wid)[1]["name"] == "Alice's payroll"
    rows, total = backend_more.list_executions(alice)
    assert total == 1 and rows[0]["id"] == eid
    assert backend_more.execution_detail(alice, eid)[0]["status"] == "succeeded"
