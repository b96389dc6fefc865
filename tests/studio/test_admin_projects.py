"""Admin > Projects state: create a team project, members with project roles, and what
is shared with it."""

from __future__ import annotations

from studio.state.admin_projects import AdminProjectsState
from tests.studio.admin_support import (
    Instance,
    call,
    instance_fixture,  # noqa: F401 (the fixture)
    make,
)


def _workflow(instance: Instance, name: str) -> str:
    from engine.graph import load_workflow

    store = instance.auth.context().store
    rec = store.workflows.create(load_workflow({"name": name, "nodes": [],
                                                "connections": []}), "test")
    personal = store.users.personal_project_id(instance.owner.id)
    store.projects.move_resource("workflow", rec.id, personal)
    return str(rec.id)


def test_create_project_add_members_and_roles(instance: Instance) -> None:
    ed = instance.user("ed@example.com", "editor")
    s = make(AdminProjectsState)
    call(s, "load")
    assert s.allowed
    assert [p["kind"] for p in s.projects] == ["personal", "personal"]

    call(s, "open_create")
    call(s, "create")
    assert "name" in s.create_error
    call(s, "set_new_name", "  Marketing  ")
    assert "Created project 'Marketing'" in str(call(s, "create"))
    assert s.selected_name == "Marketing" and s.selected_kind == "team"
    assert s.projects[0]["name"] == "Marketing"
    assert [m["email"] for m in s.members] == ["owner@example.com"]  # the creator, admin
    assert "ed@example.com" in [u["email"] for u in s.user_choices]

    call(s, "set_add_user", ed.id)
    call(s, "set_add_role", "viewer")
    assert "ed@example.com is now viewer in Marketing" in str(call(s, "add_member"))
    assert {m["email"]: m["role"] for m in s.members} == {"owner@example.com": "admin",
                                                          "ed@example.com": "viewer"}
    call(s, "set_member_role", ed.id, "editor")
    assert {m["email"]: m["role"] for m in s.members}["ed@example.com"] == "editor"
    assert "Removed ed@example.com" in str(call(s, "remove_member", ed.id, "ed@example.com"))
    assert [m["email"] for m in s.members] == ["owner@example.com"]
    assert call(s, "add_member") is not None and len(s.members) == 1  # nobody chosen

    personal = next(p for p in s.projects if p["kind"] == "personal")
    call(s, "select", personal["id"])
    call(s, "set_add_user", ed.id)
    assert "Personal projects have no other members" in str(call(s, "add_member"))


def test_share_a_workflow_with_a_project_and_stop(instance: Instance) -> None:
    wid = _workflow(instance, "Weekly report")
    s = make(AdminProjectsState)
    call(s, "load")
    call(s, "set_new_name", "Finance")
    call(s, "create")
    assert f"workflow:{wid}" in [c["value"] for c in s.candidates]
    call(s, "set_share_target", f"workflow:{wid}")
    call(s, "set_share_role", "viewer")
    assert "Shared with Finance" in str(call(s, "share"))
    home = next(p["name"] for p in s.projects if p["kind"] == "personal" and
                p["owner"] == "owner@example.com")
    assert s.shares == [{"kind": "workflow", "id": wid, "name": "Weekly report",
                         "role": "viewer", "home": home}]
    call(s, "unshare", "workflow", wid)
    assert s.shares == []


def test_non_admin_is_refused(instance: Instance) -> None:
    ed = instance.user("ed@example.com", "editor")
    instance.act_as(ed.id)
    s = make(AdminProjectsState)
    call(s, "load")
    assert s.loaded and not s.allowed and s.projects == []
    call(s, "set_new_name", "Sneaky")
    call(s, "create")
    assert "You need the admin role" in s.create_error
