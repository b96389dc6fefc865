"""Projects (``store.projects``): projects, their members, and shares of workflows and
credentials with other projects."""

from __future__ import annotations

import builtins
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, delete, select

from engine.errors import ConflictError, NotFoundError
from engine.store._repo import Repository
from engine.store.models import Credential, WorkflowRecord
from engine.store.models_auth import Project, ProjectMember, ResourceShare
from engine.store.types import utcnow

__all__ = ["ProjectRepository", "ResourceAccess"]

RESOURCE_TYPES = ("workflow", "credential")


@dataclass(frozen=True)
class ResourceAccess:
    """Where a workflow or credential can be reached from: its home project and the
    projects it is shared with (project id -> share role)."""

    resource_type: str
    resource_id: str
    project_id: str | None
    shared_with: dict[str, str]


class ProjectRepository(Repository):
    """Projects, members, shares."""

    def create(self, name: str, *, kind: str = "team", owner_id: str | None = None,
               admin_user_id: str | None = None) -> Project:
        """A new project; ``admin_user_id`` becomes its first admin."""
        now = utcnow()
        row = Project(name=name, kind=kind, owner_id=owner_id, created_at=now)
        with self._db.write() as s:
            s.add(row)
            s.flush()
            if admin_user_id:
                s.add(ProjectMember(project_id=row.id, user_id=admin_user_id, role="admin",
                                    created_at=now))
        return row

    def get(self, id: str) -> Project:
        with self._db.read() as s:
            return self._require(s, Project, id, "project")

    def rename(self, id: str, name: str) -> Project:
        with self._db.write() as s:
            row = self._require(s, Project, id, "project")
            row.name = name
            s.add(row)
            return row

    def delete(self, id: str) -> None:
        with self._db.write() as s:
            row = self._require(s, Project, id, "project")
            s.delete(row)

    def list(self, user_id: str | None = None) -> builtins.list[tuple[Project, str | None]]:
        """Projects with the user's role in each (all projects with role None when
        ``user_id`` is None)."""
        with self._db.read() as s:
            if user_id is None:
                rows = s.exec(select(Project).order_by(col(Project.name))).all()
                return [(p, None) for p in rows]
            joined = s.exec(select(Project, ProjectMember.role)
                            .join(ProjectMember,
                                  col(ProjectMember.project_id) == col(Project.id))
                            .where(col(ProjectMember.user_id) == user_id)
                            .order_by(col(Project.name))).all()
            return [(p, r) for p, r in joined]

    def memberships(self, user_id: str) -> dict[str, str]:
        """project id -> role of ``user_id``."""
        with self._db.read() as s:
            rows = s.exec(select(ProjectMember.project_id, ProjectMember.role)
                          .where(col(ProjectMember.user_id) == user_id)).all()
        return {p: r for p, r in rows}

    def members(self, project_id: str) -> builtins.list[ProjectMember]:
        with self._db.read() as s:
            return builtins.list(s.exec(select(ProjectMember).where(
                col(ProjectMember.project_id) == project_id)).all())

    def set_member(self, project_id: str, user_id: str, role: str) -> ProjectMember:
        """Adds a member or changes their role."""
        try:
            with self._db.write() as s:
                self._require(s, Project, project_id, "project")
                row = s.exec(select(ProjectMember).where(
                    col(ProjectMember.project_id) == project_id,
                    col(ProjectMember.user_id) == user_id)).first()
                if row is None:
                    row = ProjectMember(project_id=project_id, user_id=user_id, role=role,
                                        created_at=utcnow())
                row.role = role
                s.add(row)
                return row
        except IntegrityError:
            raise ConflictError("The membership changed concurrently; try again.") from None

    def remove_member(self, project_id: str, user_id: str) -> bool:
        with self._db.write() as s:
            return bool(s.exec(delete(ProjectMember).where(
                col(ProjectMember.project_id) == project_id,
                col(ProjectMember.user_id) == user_id)).rowcount)

    # -- resources ------------------------------------------------------------------------
    def resource_project(self, resource_type: str, resource_id: str) -> str | None:
        """The home project of a workflow or credential. NotFoundError when missing."""
        model: type[WorkflowRecord | Credential] = (
            WorkflowRecord if resource_type == "workflow" else Credential)
        with self._db.read() as s:
            row = s.get(model, resource_id)
        if row is None:
            raise NotFoundError(f"No {resource_type} with id {resource_id!r}.",
                                details={"id": resource_id})
        project_id: str | None = row.project_id  # type: ignore[attr-defined]
        return project_id

    def move_resource(self, resource_type: str, resource_id: str, project_id: str) -> None:
        """Makes ``project_id`` the home project of a workflow or credential."""
        model: type[WorkflowRecord | Credential] = (
            WorkflowRecord if resource_type == "workflow" else Credential)
        with self._db.write() as s:
            row = self._require(s, model, resource_id, resource_type)
            self._require(s, Project, project_id, "project")
            row.project_id = project_id
            s.add(row)

    def access(self, resource_type: str, resource_id: str) -> ResourceAccess:
        """Home project and shares of a resource."""
        home = self.resource_project(resource_type, resource_id)
        with self._db.read() as s:
            rows = s.exec(select(ResourceShare.project_id, ResourceShare.role).where(
                col(ResourceShare.resource_type) == resource_type,
                col(ResourceShare.resource_id) == resource_id)).all()
        return ResourceAccess(resource_type, resource_id, home, {p: r for p, r in rows})

    def share(self, resource_type: str, resource_id: str, project_id: str, *, role: str,
              created_by: str | None) -> ResourceShare:
        """Shares a resource with a project (or changes the share's role)."""
        with self._db.write() as s:
            self._require(s, Project, project_id, "project")
            row = s.exec(select(ResourceShare).where(
                col(ResourceShare.resource_type) == resource_type,
                col(ResourceShare.resource_id) == resource_id,
                col(ResourceShare.project_id) == project_id)).first()
            if row is None:
                row = ResourceShare(resource_type=resource_type, resource_id=resource_id,
                                    project_id=project_id, created_by=created_by,
                                    created_at=utcnow())
            row.role = role
            s.add(row)
            return row

    def unshare(self, resource_type: str, resource_id: str, project_id: str) -> bool:
        with self._db.write() as s:
            return bool(s.exec(delete(ResourceShare).where(
                col(ResourceShare.resource_type) == resource_type,
                col(ResourceShare.resource_id) == resource_id,
                col(ResourceShare.project_id) == project_id)).rowcount)

    def unshare_all(self, resource_type: str, resource_id: str) -> int:
        """Removes every share of a resource (when it is deleted)."""
        with self._db.write() as s:
            return int(s.exec(delete(ResourceShare).where(
                col(ResourceShare.resource_type) == resource_type,
                col(ResourceShare.resource_id) == resource_id)).rowcount)

    def shared_ids(self, resource_type: str, project_ids: builtins.list[str]
                   ) -> dict[str, str]:
        """resource id -> project id, for resources shared with any of ``project_ids``."""
        if not project_ids:
            return {}
        with self._db.read() as s:
            rows = s.exec(select(ResourceShare.resource_id, ResourceShare.project_id).where(
                col(ResourceShare.resource_type) == resource_type,
                col(ResourceShare.project_id).in_(project_ids))).all()
        return {r: p for r, p in rows}
