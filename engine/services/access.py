"""What a caller may see of executions, workflows and credentials reached by id.

The rule every route taking an id follows: a thing the caller may not even *read* does
not exist for them (:class:`~engine.errors.NotFoundError`, worded as for a missing id,
never a :class:`~engine.errors.PermissionDenied` naming its project); a thing they may
read but not change gets a PermissionDenied (they are a member, so naming the project
tells them nothing new).

Who reads what (roles in :mod:`engine.auth.rbac`, shares in :mod:`engine.auth.projects`):

* owners and admins: everything;
* an execution: through its project (``Execution.project_id``, the workflow's project
  when it was recorded), or through a share of its workflow with one of the caller's
  projects, capped by the share's role; an execution of no project (an ad-hoc file run)
  only by owners and admins;
* a workflow or credential: its home project or a share;
* a project (its members, variables, creating in it): its members.

Listings filter with :func:`execution_scope` (a SQL condition: no page is cut short).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from engine.auth.rbac import PERMISSIONS, authorize, can, rank, scope_allows
from engine.auth.types import Principal
from engine.errors import NotFoundError, PermissionDenied
from engine.services.auth import authorize_resource, context
from engine.services.store import get_store

__all__ = [
    "ExecutionScope",
    "execution",
    "execution_scope",
    "executions",
    "in_projects",
    "may_execution",
    "project",
    "resource",
    "sees_all",
    "visible_execution_ids",
]

_HINT = "List executions with 'aura execution list'."
_CHUNK = 500


def sees_all(principal: Principal, action: str = "execution:read") -> bool:
    """True for owners and admins (and their API keys with the scope): they may
    ``action`` everywhere."""
    return rank(principal.role) >= rank("admin") and (
        not principal.restricted or scope_allows(principal.scopes, action)
    )


def _missing_execution(execution_id: str) -> NotFoundError:
    return NotFoundError(
        f"No execution with id {execution_id!r}. {_HINT}", details={"id": execution_id}
    )


def _ceiling(principal: Principal, action: str) -> None:
    """PermissionDenied (saying which role or API key scope is missing) when the caller
    may not ``action`` anywhere: that depends on no resource, so it leaks nothing."""
    rule = PERMISSIONS[action]
    if (principal.restricted and not scope_allows(principal.scopes, action)) or rank(
        principal.role
    ) < rank(rule.role):
        authorize(principal, action)


def may_execution(principal: Principal, row: Any, action: str = "execution:read") -> bool:
    """Whether ``principal`` may ``action`` on the execution ``row``."""
    project_id = getattr(row, "project_id", None)
    if project_id is None:
        return rank(principal.role) >= rank("admin") and can(principal, action)
    if can(principal, action, project_id=project_id):
        return True
    workflow_id = getattr(row, "workflow_id", None)
    if not workflow_id or not principal.projects:
        return False
    try:
        shares = context().store.projects.access("workflow", workflow_id).shared_with
    except NotFoundError:  # the workflow is gone: only its project's members remain
        return False
    return any(
        p in principal.projects and can(principal, action, project_id=p, share_role=role)
        for p, role in shares.items()
    )


def execution(principal: Principal, execution_id: str, action: str = "execution:read") -> Any:
    """The execution row, once ``principal`` may ``action`` on it.

    Raises:
        NotFoundError: no such execution, or the caller may not read it.
        PermissionDenied: the caller may read it but not ``action`` it.
    """
    _ceiling(principal, action)
    try:
        row = get_store().executions.get(execution_id)
    except NotFoundError:
        raise _missing_execution(execution_id) from None
    if not may_execution(principal, row):
        raise _missing_execution(execution_id)
    if action != "execution:read" and not may_execution(principal, row, action):
        raise PermissionDenied(
            f"'{action}' on this execution needs the editor role in "
            "its project; you may only read it. Ask a project admin "
            "for access.",
            details={"action": action, "id": execution_id},
        )
    return row


@dataclass(frozen=True)
class ExecutionScope:
    """The executions a caller may read: those of ``projects`` plus those of the
    workflows in ``workflows`` (shared with the caller's projects). ``None`` in
    :func:`execution_scope`'s answer means every execution."""

    projects: tuple[str, ...]
    workflows: tuple[str, ...]


def execution_scope(principal: Principal) -> ExecutionScope | None:
    """Where the executions ``principal`` may read come from (None: everywhere)."""
    if sees_all(principal):
        return None
    action = "execution:read"
    mine = tuple(p for p in principal.projects if can(principal, action, project_id=p))
    shared = context().store.projects.shared_ids("workflow", list(mine))
    return ExecutionScope(mine, tuple(sorted(shared)))


def executions(
    principal: Principal, *, limit: int = 50, offset: int = 0, **filters: Any
) -> tuple[list[Any], int]:
    """One page of the executions ``principal`` may read, newest first, and their total
    (``filters`` as for ``store.executions.list``)."""
    scope = execution_scope(principal)
    if scope is not None:
        filters.update(in_projects=scope.projects, or_workflows=scope.workflows)
    rows, total = get_store().executions.list(limit=limit, offset=offset, **filters)
    return rows, total


def visible_execution_ids(principal: Principal, ids: list[str]) -> set[str]:
    """The ones of ``ids`` that are executions ``principal`` may read."""
    scope = execution_scope(principal)
    out: set[str] = set()
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i : i + _CHUNK]
        kw: dict[str, Any] = {}
        if scope is not None:
            kw = {"in_projects": scope.projects, "or_workflows": scope.workflows}
        rows, _ = get_store().executions.list(ids=chunk, limit=_CHUNK, **kw)
        out.update(r.id for r in rows)
    return out


def project(principal: Principal, action: str, project_id: str) -> None:
    """Authorizes ``action`` in a project: NotFoundError (as for a missing project) when
    the caller is not a member of it (owners and admins act in every project)."""
    _ceiling(principal, action)
    if rank(principal.role) < rank("admin") and project_id not in principal.projects:
        raise NotFoundError(f"No project with id {project_id!r}.", details={"id": project_id})
    authorize(principal, action, project_id=project_id)


def resource(principal: Principal, action: str, kind: str, resource_id: str) -> str | None:
    """Authorizes ``action`` on a workflow or credential (shares included) and returns
    its project id; NotFoundError when the caller may not even read it."""
    _ceiling(principal, action)
    try:
        return authorize_resource(principal, action, kind, resource_id)
    except PermissionDenied:
        read = f"{kind}:read"
        if action != read:
            try:
                authorize_resource(principal, read, kind, resource_id)
            except PermissionDenied:
                pass
            else:
                raise
        raise NotFoundError(
            f"No {kind} with id {resource_id!r}.", details={"id": resource_id}
        ) from None


T = TypeVar("T")


def in_projects(
    principal: Principal,
    ref: str,
    *,
    by_id: Callable[[str], T],
    by_name: Callable[[str], list[T]],
    read: str,
    action: str,
    missing: Callable[[str], NotFoundError],
) -> T:
    """The project-owned thing ``ref`` (its id, or its name among the projects the caller
    may ``read`` in) if the caller may ``action`` on it: :class:`NotFoundError` (from
    ``missing``) when they may not even read it, PermissionDenied when they may read but
    not ``action``. The thing has a ``project_id``."""
    try:
        found: T | None = by_id(ref)
    except NotFoundError:
        found = None
    if found is None:
        mine = [t for t in by_name(ref)
                if can(principal, read, project_id=t.project_id)]  # type: ignore[attr-defined]
        if not mine:
            raise missing(ref)
        found = mine[0]
    project_id = found.project_id  # type: ignore[attr-defined]
    if not can(principal, read, project_id=project_id):
        raise missing(ref)
    authorize(principal, action, project_id=project_id)
    return found
