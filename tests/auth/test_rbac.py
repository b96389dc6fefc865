"""Roles, the permission table, projects and sharing."""

from __future__ import annotations

from types import ModuleType

import pytest

from engine.auth.rbac import PERMISSIONS, allowed_actions, authorize, can
from engine.auth.types import Principal
from engine.errors import PermissionDenied, ValidationError
from tests.auth.conftest import add_user

P1, P2 = "p1", "p2"


def _p(role: str, projects: dict[str, str] | None = None, scopes: set[str] | None = None
       ) -> Principal:
    return Principal("u", "u@example.com", role, api_key_id="k" if scopes else None,
                     scopes=frozenset(scopes or ()), projects=projects or {})


def test_every_action_names_its_roles() -> None:
    for action, rule in PERMISSIONS.items():
        assert ":" in action
        assert rule.role in ("viewer", "editor", "admin", "owner")
        assert rule.project_role in (None, "viewer", "editor", "admin")


@pytest.mark.parametrize(("role", "project_role", "action", "allowed"), [
    ("viewer", "admin", "workflow:read", True),
    ("viewer", "admin", "workflow:update", False),   # the instance role is a ceiling
    ("editor", "viewer", "workflow:read", True),
    ("editor", "viewer", "workflow:execute", False),
    ("editor", "editor", "workflow:activate", True),
    ("editor", "editor", "credential:use", True),
    ("editor", "editor", "workflow:share", False),
    ("editor", "admin", "workflow:share", True),
    ("editor", None, "workflow:read", False),         # not a member
    ("admin", None, "workflow:update", True),         # admins reach every project
    ("owner", None, "credential:delete", True),
])
def test_project_actions(role: str, project_role: str | None, action: str,
                         allowed: bool) -> None:
    p = _p(role, {P1: project_role} if project_role else {})
    assert can(p, action, project_id=P1) is allowed


def test_denials_say_which_role_is_needed() -> None:
    with pytest.raises(PermissionDenied) as err:
        authorize(_p("editor", {P1: "viewer"}), "workflow:update", project_id=P1)
    assert "needs the editor role in project p1 (you are viewer there)" in err.value.message
    assert err.value.details["required_project_role"] == "editor"
    with pytest.raises(PermissionDenied, match="needs at least the admin role; you are "
                                               "editor"):
        authorize(_p("editor"), "audit:read")
    with pytest.raises(PermissionDenied, match="you are not a member"):
        authorize(_p("editor", {P2: "admin"}), "workflow:read", project_id=P1)
    with pytest.raises(ValueError, match="unknown action"):
        authorize(_p("owner"), "workflow:teleport")


def test_instance_actions_and_global_resources() -> None:
    assert can(_p("admin"), "user:invite") and not can(_p("editor"), "user:invite")
    assert can(_p("owner"), "vault:rotate") and not can(_p("admin"), "vault:rotate")
    assert can(_p("editor"), "variable:read")
    assert not can(_p("editor"), "variable:update")  # global variables: admins
    assert can(_p("editor", {P1: "admin"}), "variable:update", project_id=P1)
    assert "audit:read" not in allowed_actions(_p("editor"))


def test_api_key_scopes_restrict_the_role() -> None:
    key = _p("owner", scopes={"workflow:read", "execution:*"})
    assert can(key, "workflow:read", project_id=P1)
    assert can(key, "execution:cancel", project_id=P1)
    with pytest.raises(PermissionDenied, match="its scopes are"):
        authorize(key, "workflow:update", project_id=P1)
    assert not can(_p("viewer", scopes={"*"}), "workflow:update", project_id=P1)
    assert can(_p("admin", scopes={"*"}), "user:manage")


def test_every_user_gets_a_personal_project(auth: ModuleType, owner: Principal) -> None:
    ed = add_user(auth, owner, "ed@example.com", "editor")
    [mine] = auth.list_projects(ed)
    assert (mine.kind, mine.role, mine.owner_id) == ("personal", "admin", ed.user_id)
    assert auth.default_project(ed) == mine.id
    auth.authorize(ed, "workflow:create", project_id=mine.id)
    assert len(auth.list_projects(owner)) == 2  # admins see every project


def test_team_projects_members_and_sharing(auth: ModuleType, owner: Principal) -> None:
    store = auth.context().store
    ed = add_user(auth, owner, "ed@example.com", "editor")
    vi = add_user(auth, owner, "vi@example.com", "editor")
    with pytest.raises(PermissionDenied):
        auth.create_project(ed, "Marketing")
    team = auth.create_project(owner, "Marketing")
    auth.set_project_member(owner, team.id, vi.user_id, "viewer")
    with pytest.raises(ValidationError):
        auth.set_project_member(owner, auth.default_project(ed), vi.user_id, "viewer")
    vi = auth.principal_from_access_token(auth.login("vi@example.com", "Sturdy-Password-42")
                                          .tokens.access_token)
    assert vi.projects[team.id] == "viewer"

    # ed's workflow lives in ed's personal project
    from engine.graph import load_workflow

    wf = store.workflows.create(load_workflow({"name": "Ed's flow", "nodes": [],
                                               "connections": []}))
    store.projects.move_resource("workflow", wf.id, auth.default_project(ed))
    with pytest.raises(PermissionDenied):
        auth.authorize_resource(vi, "workflow:read", "workflow", wf.id)
    with pytest.raises(PermissionDenied):  # ed may not share into someone else's project
        auth.share(vi, "workflow", wf.id, team.id)
    auth.share(ed, "workflow", wf.id, team.id, role="editor")
    auth.authorize_resource(vi, "workflow:read", "workflow", wf.id)
    with pytest.raises(PermissionDenied):  # viewer in the team: reads but cannot edit
        auth.authorize_resource(vi, "workflow:update", "workflow", wf.id)
    auth.set_project_member(owner, team.id, vi.user_id, "editor")
    vi = auth.principal_from_access_token(auth.login("vi@example.com", "Sturdy-Password-42")
                                          .tokens.access_token)
    auth.authorize_resource(vi, "workflow:update", "workflow", wf.id)
    visible = auth.filter_visible(vi, "workflow", store.workflows.list()[0])
    assert [w.id for w in visible] == [wf.id]
    auth.unshare(ed, "workflow", wf.id, team.id)
    with pytest.raises(PermissionDenied):
        auth.authorize_resource(vi, "workflow:read", "workflow", wf.id)
    assert auth.filter_visible(vi, "workflow", store.workflows.list()[0]) == []
    assert [e.action for e in auth.audit_log(owner, target_id=wf.id)] == [
        "workflow.unshared", "workflow.shared"]
