"""Projects and sharing: who may reach which workflow or credential.

Every user has a personal project (made with the account; they are its admin). Team
projects are created by instance admins and have members with project roles. A
workflow or credential belongs to one project and may be shared with others; members of
those get their project role on it, capped by the share's role.

:func:`authorize_resource` is the check for one resource (home project, then shares);
:func:`filter_visible` trims a list to what the caller may read.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from engine.auth.context import AuthContext
from engine.auth.rbac import authorize, can, check_role, rank
from engine.auth.types import Principal, ProjectInfo
from engine.errors import ValidationError
from engine.store.auth_projects import RESOURCE_TYPES

__all__ = ["authorize_resource", "create_project", "default_project", "filter_visible",
           "list_projects", "members", "move", "remove_member", "set_member", "share",
           "unshare"]

T = TypeVar("T")


def _kind(resource_type: str) -> str:
    if resource_type not in RESOURCE_TYPES:
        raise ValidationError(f"Only {' and '.join(RESOURCE_TYPES)} can be shared, not "
                              f"{resource_type!r}.")
    return resource_type


def list_projects(ctx: AuthContext, principal: Principal) -> list[ProjectInfo]:
    """The caller's projects (instance admins: every project)."""
    mine = principal.projects
    if rank(principal.role) >= rank("admin"):
        rows = ctx.store.projects.list()
        return [ProjectInfo(p.id, p.name, p.kind, p.owner_id, mine.get(p.id)) for p, _ in rows]
    return [ProjectInfo(p.id, p.name, p.kind, p.owner_id, role)
            for p, role in ctx.store.projects.list(principal.user_id)]


def default_project(ctx: AuthContext, principal: Principal) -> str | None:
    """Where new things of the caller go when no project is named: their personal one."""
    if principal.user_id is None:
        return None
    return ctx.store.users.personal_project_id(principal.user_id)


def create_project(ctx: AuthContext, principal: Principal, name: str) -> ProjectInfo:
    """A team project; the creator becomes its admin."""
    authorize(principal, "project:create")
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise ValidationError("A project needs a name of 1-200 characters.")
    row = ctx.store.projects.create(name, admin_user_id=principal.user_id)
    ctx.audit(principal, "project.created", "project", row.id, {"name": name})
    return ProjectInfo(row.id, row.name, row.kind, row.owner_id, "admin")


def members(ctx: AuthContext, principal: Principal, project_id: str) -> dict[str, str]:
    """user id -> project role."""
    authorize(principal, "project:read", project_id=project_id)
    return {m.user_id: m.role for m in ctx.store.projects.members(project_id)}


def _team(ctx: AuthContext, project_id: str) -> Any:
    project = ctx.store.projects.get(project_id)
    if project.kind == "personal":
        raise ValidationError("Personal projects have no other members; share the workflow "
                              "or credential with a team project instead.")
    return project


def set_member(ctx: AuthContext, principal: Principal, project_id: str, user_id: str,
               role: str) -> None:
    """Adds a user to a team project or changes their project role."""
    authorize(principal, "project:manage", project_id=project_id)
    check_role(role, project=True)
    _team(ctx, project_id)
    ctx.store.users.get(user_id)
    ctx.store.projects.set_member(project_id, user_id, role)
    ctx.audit(principal, "project.member_set", "project", project_id,
              {"user_id": user_id, "role": role})


def remove_member(ctx: AuthContext, principal: Principal, project_id: str, user_id: str
                  ) -> None:
    authorize(principal, "project:manage", project_id=project_id)
    _team(ctx, project_id)
    if ctx.store.projects.remove_member(project_id, user_id):
        ctx.audit(principal, "project.member_removed", "project", project_id,
                  {"user_id": user_id})


def authorize_resource(ctx: AuthContext, principal: Principal, action: str,
                       resource_type: str, resource_id: str) -> str | None:
    """Raises PermissionDenied unless ``action`` is allowed on the resource through its
    home project or a project it is shared with; returns the home project id.
    NotFoundError when the resource does not exist."""
    access = ctx.store.projects.access(_kind(resource_type), resource_id)
    for project_id, share_role in access.shared_with.items():
        if project_id in principal.projects and can(principal, action, project_id=project_id,
                                                    share_role=share_role):
            return access.project_id
    authorize(principal, action, project_id=access.project_id)
    return access.project_id


def filter_visible(ctx: AuthContext, principal: Principal, resource_type: str,
                   items: Iterable[T], *, action: str | None = None) -> list[T]:
    """The ``items`` (objects with ``id`` and ``project_id``) the caller may ``action``
    (default ``<type>:read``), keeping their order."""
    action = action or f"{_kind(resource_type)}:read"
    items = list(items)
    shared = ctx.store.projects.shared_ids(resource_type, list(principal.projects))
    out = []
    for item in items:
        pid = getattr(item, "project_id", None)
        if can(principal, action, project_id=pid) or (
                getattr(item, "id", None) in shared and
                can(principal, action, project_id=shared[item.id])):  # type: ignore[attr-defined]
            out.append(item)
    return out


def share(ctx: AuthContext, principal: Principal, resource_type: str, resource_id: str,
          project_id: str, *, role: str = "editor") -> None:
    """Shares a workflow or credential with another project (members get at most
    ``role`` on it). Needs ``<type>:share`` in the resource's home project."""
    kind = _kind(resource_type)
    check_role(role, project=True)
    if role == "admin":
        raise ValidationError("A share gives at most the editor role.")
    home = authorize_resource(ctx, principal, f"{kind}:share", kind, resource_id)
    if home == project_id:
        raise ValidationError(f"The {kind} already belongs to that project.")
    ctx.store.projects.get(project_id)
    ctx.store.projects.share(kind, resource_id, project_id, role=role,
                             created_by=principal.user_id)
    ctx.audit(principal, f"{kind}.shared", kind, resource_id,
              {"project_id": project_id, "role": role})


def unshare(ctx: AuthContext, principal: Principal, resource_type: str, resource_id: str,
            project_id: str) -> None:
    kind = _kind(resource_type)
    authorize_resource(ctx, principal, f"{kind}:share", kind, resource_id)
    if ctx.store.projects.unshare(kind, resource_id, project_id):
        ctx.audit(principal, f"{kind}.unshared", kind, resource_id, {"project_id": project_id})


def move(ctx: AuthContext, principal: Principal, resource_type: str, resource_id: str,
         project_id: str) -> None:
    """Moves a workflow or credential to another project: the caller must be allowed to
    share it where it is and to create it where it goes."""
    kind = _kind(resource_type)
    authorize_resource(ctx, principal, f"{kind}:share", kind, resource_id)
    authorize(principal, f"{kind}:create", project_id=project_id)
    ctx.store.projects.move_resource(kind, resource_id, project_id)
    ctx.audit(principal, f"{kind}.moved", kind, resource_id, {"project_id": project_id})
