"""Admin > Projects: team projects, their members and project roles, and what is
shared with each (workflows and credentials from other projects). Changes go through
``engine.services.auth`` (authorized, audited); lists read the store's repositories."""

from __future__ import annotations

from typing import Any

import reflex as rx

from engine.errors import AuraError
from studio.auth import AuthState
from studio.state.admin_base import AdminGate

__all__ = ["AdminProjectsState", "shareable", "shared_with"]

PROJECT_ROLES = ["viewer", "editor", "admin"]


def _store() -> Any:
    from engine.services import auth

    return auth.context().store


def _name(kind: str, rid: str) -> str:
    store = _store()
    try:
        return str((store.workflows if kind == "workflow" else store.credentials).get(rid).name)
    except AuraError:
        return rid


def shared_with(project_id: str) -> list[dict[str, str]]:
    """Workflows and credentials of other projects shared with ``project_id``."""
    store = _store()
    rows: list[dict[str, str]] = []
    for kind in ("workflow", "credential"):
        for rid in store.projects.shared_ids(kind, [project_id]):
            access = store.projects.access(kind, rid)
            home = access.project_id or ""
            try:
                home_name = store.projects.get(home).name if home else ""
            except AuraError:
                home_name = home
            rows.append({"kind": kind, "id": rid, "name": _name(kind, rid),
                         "role": access.shared_with.get(project_id, ""),
                         "home": home_name})
    return sorted(rows, key=lambda r: (r["kind"], r["name"].lower()))


def shareable(project_id: str) -> list[dict[str, str]]:
    """Workflows and credentials that live elsewhere and could be shared with it."""
    store = _store()
    wfs, _ = store.workflows.list(limit=1000)
    rows = [{"value": f"workflow:{w.id}", "label": f"Workflow · {w.name}"}
            for w in wfs if w.project_id != project_id]
    rows += [{"value": f"credential:{c.id}", "label": f"Credential · {c.name}"}
             for c in store.credentials.list() if c.project_id != project_id]
    return rows


class AdminProjectsState(AdminGate, AuthState):
    projects: list[dict[str, str]] = []
    selected_id: str = ""
    selected_name: str = ""
    selected_kind: str = ""
    members: list[dict[str, str]] = []
    shares: list[dict[str, str]] = []
    candidates: list[dict[str, str]] = []
    user_choices: list[dict[str, str]] = []
    roles: list[str] = PROJECT_ROLES
    # create dialog
    create_open: bool = False
    new_name: str = ""
    create_error: str = ""
    # add member / share forms
    add_user_id: str = ""
    add_role: str = "editor"
    share_target: str = ""
    share_role: str = "viewer"

    def _reload(self, p: Any) -> None:
        from engine.services import auth

        users = {u.id: u for u in auth.list_users(p, limit=1000)}
        projects = auth.list_projects(p)
        owner_of = {pr.id: users[pr.owner_id].email for pr in projects
                    if pr.owner_id in users}
        self.projects = []
        for pr in sorted(projects, key=lambda x: (x.kind != "team", x.name.lower())):
            n = len(auth.project_members(p, pr.id))
            detail = (f"{n} member{'' if n == 1 else 's'}" if pr.kind == "team"
                      else owner_of.get(pr.id, ""))
            self.projects.append({"id": pr.id, "name": pr.name, "kind": pr.kind,
                                  "owner": owner_of.get(pr.id, ""), "detail": detail})
        if self.selected_id not in {pr["id"] for pr in self.projects}:
            team = [pr for pr in self.projects if pr["kind"] == "team"]
            self.selected_id = (team or self.projects or [{"id": ""}])[0]["id"]
        chosen = next((pr for pr in self.projects if pr["id"] == self.selected_id), None)
        if chosen is None:
            self.selected_name = self.selected_kind = ""
            self.members, self.shares, self.candidates = [], [], []
            return
        self.selected_name, self.selected_kind = chosen["name"], chosen["kind"]
        members = auth.project_members(p, self.selected_id)
        self.members = sorted(({"user_id": uid, "role": role,
                                "email": users[uid].email if uid in users else uid,
                                "name": users[uid].name if uid in users else ""}
                               for uid, role in members.items()), key=lambda m: m["email"])
        self.user_choices = [{"id": u.id, "email": u.email} for u in users.values()
                             if u.id not in members and not u.disabled]
        self.shares = shared_with(self.selected_id)
        self.candidates = shareable(self.selected_id)

    @rx.event
    def load(self) -> Any:
        return self._load()

    @rx.event
    def select(self, project_id: str) -> Any:
        self.selected_id = project_id
        self.add_user_id = self.share_target = ""
        return self.load()

    # -- create -------------------------------------------------------------------------
    @rx.event
    def open_create(self) -> None:
        self.new_name, self.create_error, self.create_open = "", "", True

    @rx.event
    def set_create_open(self, value: bool) -> None:
        self.create_open = value

    @rx.event
    def set_new_name(self, value: str) -> None:
        self.new_name, self.create_error = value, ""

    @rx.event
    def create(self) -> Any:
        from engine.services import auth

        name = self.new_name.strip()
        if not name:
            self.create_error = "Give the project a name, e.g. 'Marketing automations'."
            return None
        try:
            p = self._admin()
            info = auth.create_project(p, name)
            self.selected_id = info.id
            self._reload(p)
        except AuraError as exc:
            self.create_error = exc.message
            return None
        self.create_open = False
        return rx.toast.success(f"Created project '{info.name}'. Add its members below.")

    # -- members ------------------------------------------------------------------------
    @rx.event
    def set_add_user(self, value: str) -> None:
        self.add_user_id = value

    @rx.event
    def set_add_role(self, value: str) -> None:
        self.add_role = value

    @rx.event
    def add_member(self) -> Any:
        from engine.services import auth

        if not self.add_user_id:
            return rx.toast.warning("Choose the user to add.")
        uid, role, pid = self.add_user_id, self.add_role, self.selected_id
        who = next((u["email"] for u in self.user_choices if u["id"] == uid), uid)
        self.add_user_id = ""
        return self._change(lambda p: auth.set_project_member(p, pid, uid, role),
                        f"{who} is now {role} in {self.selected_name}.")

    @rx.event
    def set_member_role(self, user_id: str, role: str) -> Any:
        from engine.services import auth

        pid = self.selected_id
        return self._change(lambda p: auth.set_project_member(p, pid, user_id, role),
                        f"Project role changed to {role}.")

    @rx.event
    def remove_member(self, user_id: str, email: str) -> Any:
        from engine.services import auth

        pid = self.selected_id
        return self._change(lambda p: auth.remove_project_member(p, pid, user_id),
                        f"Removed {email} from {self.selected_name}.")

    # -- shares -------------------------------------------------------------------------
    @rx.event
    def set_share_target(self, value: str) -> None:
        self.share_target = value

    @rx.event
    def set_share_role(self, value: str) -> None:
        self.share_role = value

    @rx.event
    def share(self) -> Any:
        from engine.services import auth

        kind, _, rid = self.share_target.partition(":")
        if not rid:
            return rx.toast.warning("Choose the workflow or credential to share.")
        pid, role = self.selected_id, self.share_role
        self.share_target = ""
        return self._change(lambda p: auth.share(p, kind, rid, pid, role=role),
                        f"Shared with {self.selected_name}: its members get {role} access.")

    @rx.event
    def unshare(self, kind: str, resource_id: str) -> Any:
        from engine.services import auth

        pid = self.selected_id
        return self._change(lambda p: auth.unshare(p, kind, resource_id, pid),
                        f"No longer shared with {self.selected_name}.")
