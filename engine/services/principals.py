"""Who an execution acts as (its principal), and what it may reach while it runs.

Every execution records its principal on its row (``principal_kind``, the user or API key
id, and ``project_id``):

* ``user``: the signed-in user who started it (studio, API with a token);
* ``api_key``: the API key that started it; it acts with its user's project rights (its
  scopes were checked when it started the run) and only while the key is valid;
* ``project``: a trigger (webhook, schedule, error workflow, resume, retry): the
  execution's project, i.e. its workflow's home project, with an editor's rights there;
* ``system``: the operator at the console (``aura run``) or a server without accounts.

A worker rebuilds the principal from the row alone (:meth:`RunAs.from_row`). While the run
goes on, :func:`check_credential` (``credential:use``) and :func:`find_workflow`
(``workflow:execute``) decide with the roles and shares as they are *now*, so a revoked
share or a disabled account stops the next run, wherever it runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.auth import projects as auth_projects
from engine.auth.rbac import can
from engine.auth.types import Principal
from engine.errors import CredentialError, NotFoundError, PermissionDenied

__all__ = [
    "KINDS",
    "SYSTEM",
    "RunAs",
    "acting_principal",
    "can_use_credential",
    "check_credential",
    "find_workflow",
]

KINDS = ("user", "api_key", "project", "system")


@dataclass(frozen=True)
class RunAs:
    """An execution's principal, as recorded on its row."""

    kind: str = "project"
    user_id: str | None = None
    api_key_id: str | None = None
    project_id: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown principal kind {self.kind!r}; use one of {KINDS}")

    @classmethod
    def caller(cls, principal: Principal, project_id: str | None = None) -> RunAs:
        """The principal of a run a signed-in caller (or its API key) starts. The console
        operator and a server without accounts (no user, owner role) run as ``system``."""
        if principal.api_key_id is not None:
            return cls("api_key", principal.user_id, principal.api_key_id, project_id)
        if principal.user_id is not None:
            return cls("user", principal.user_id, None, project_id)
        if principal.role != "owner":
            raise PermissionDenied("Only a user, an API key or the operator can start runs.")
        return cls("system", None, None, project_id)

    @classmethod
    def trigger(cls, project_id: str | None = None) -> RunAs:
        """A trigger's principal: the execution's project (by default its workflow's)."""
        return cls("project", None, None, project_id)

    @classmethod
    def from_row(cls, row: Any) -> RunAs:
        """The principal recorded on an execution row (rows of older code: its project)."""
        kind = getattr(row, "principal_kind", None) or "project"
        return cls(
            kind if kind in KINDS else "project",
            getattr(row, "principal_user_id", None),
            getattr(row, "principal_api_key_id", None),
            row.project_id,
        )

    def principal_fields(self) -> dict[str, Any]:
        """The ``principal_*`` columns of an execution row for this principal."""
        return {
            "principal_kind": self.kind,
            "principal_user_id": self.user_id,
            "principal_api_key_id": self.api_key_id,
        }

    def row_fields(self) -> dict[str, Any]:
        """Keyword arguments of ``store.executions.create`` recording this principal (a
        project left out is filled in from the workflow by the store)."""
        out = self.principal_fields()
        if self.project_id is not None:
            out["project_id"] = self.project_id
        return out

    def in_project(self, project_id: str | None) -> RunAs:
        """The same principal with the execution's project set (when not set yet)."""
        if self.project_id is not None or project_id is None:
            return self
        return RunAs(self.kind, self.user_id, self.api_key_id, project_id)

    def describe(self) -> str:
        """For messages: who this run acts as (ids only, nothing secret)."""
        if self.kind == "project":
            return (
                f"project {self.project_id}"
                if self.project_id
                else "a workflow outside any project"
            )
        if self.kind == "system":
            return "the operator"
        return f"the {'API key' if self.kind == 'api_key' else 'user'} who started it"


SYSTEM = RunAs("system")
"""The console operator: may reach everything."""


def _ctx() -> Any:
    from engine.services.auth import context

    return context()


def acting_principal(run_as: RunAs) -> Principal:
    """The auth principal ``run_as`` acts with now (roles and memberships read now).

    Raises:
        PermissionDenied: the user is gone or disabled, or the API key is gone, revoked
            or expired.
    """
    if run_as.kind == "system":
        return Principal(user_id=None, email="system", role="owner")
    if run_as.kind == "project":
        pid = run_as.project_id
        return Principal(
            user_id=None, email=None, role="editor", projects={pid: "editor"} if pid else {}
        )
    ctx = _ctx()
    store = ctx.store
    if run_as.kind == "api_key":
        key = None
        if run_as.api_key_id:
            try:
                key = store.tokens.get_api_key(run_as.api_key_id)
            except NotFoundError:
                key = None
        now = ctx.now()
        if (
            key is None
            or key.revoked_at is not None
            or (key.expires_at is not None and key.expires_at <= now)
        ):
            raise PermissionDenied(
                "The API key that started this execution was deleted, "
                "revoked or has expired; start it again with a valid key."
            )
        user_id: str | None = key.user_id
    else:
        user_id = run_as.user_id
    user = store.users.find(user_id) if user_id else None
    if user is None or user.disabled:
        raise PermissionDenied(
            "The account that started this execution no longer exists "
            "or is disabled; start it again as another user."
        )
    return Principal(
        user_id=user.id,
        email=user.email,
        role=user.role,
        api_key_id=run_as.api_key_id,
        projects=store.projects.memberships(user.id),
    )


def can_use_credential(principal: Principal, credential_id: str) -> bool:
    """Whether ``principal`` may use the credential (owned by or shared with one of its
    projects, with at least an editor's role; instance admins: any)."""
    try:
        auth_projects.authorize_resource(
            _ctx(), principal, "credential:use", "credential", credential_id
        )
    except (PermissionDenied, NotFoundError):
        return False
    return True


def check_credential(
    run_as: RunAs, credential_id: str, *, node: str, slot: str, principal: Principal | None = None
) -> None:
    """Raises :class:`CredentialError` (naming the node, never the credential's name or
    data) unless the execution's principal may use the credential now."""
    if run_as.kind == "system":
        return
    try:
        acting = principal or acting_principal(run_as)
    except PermissionDenied as exc:
        raise CredentialError(
            f"Node '{node}', credential '{slot}': {exc.message}",
            details={"node": node, "slot": slot},
        ) from None
    if can_use_credential(acting, credential_id):
        return
    raise CredentialError(
        f"Node '{node}', credential '{slot}': credential {credential_id} is not available "
        f"to this execution, which runs as {run_as.describe()} (the credential was deleted, "
        "or is neither owned by nor shared with its project). Choose one of the project's "
        "credentials, or ask the credential's owner to share it with the project.",
        details={"node": node, "slot": slot, "credential_id": credential_id},
    )


def _not_found(ref: str) -> NotFoundError:
    return NotFoundError(
        f"No workflow with id or name '{ref}' that this execution may run. "
        "Check the id, or share the workflow with this project.",
        details={"workflow": ref},
    )


def find_workflow(run_as: RunAs, ref: str) -> Any:
    """The stored workflow ``ref`` (id, unique id prefix of 6+ characters, or exact name)
    that the execution's principal may run (``workflow:execute``). Ids may name workflows
    shared with the principal's projects; prefixes and names resolve within its own
    projects only. Anything else answers :class:`NotFoundError`, as a missing one does.
    """
    from sqlmodel import col, select

    from engine.services import workflows
    from engine.store.models import WorkflowRecord
    from engine.store.workflows import named

    if run_as.kind == "system":
        return workflows.find(ref)
    try:
        principal = acting_principal(run_as)
    except PermissionDenied:
        raise _not_found(ref) from None
    ctx = _ctx()
    store = ctx.store
    try:
        rec = store.workflows.get(ref)
    except NotFoundError:
        rec = None
    if rec is not None:
        try:
            auth_projects.authorize_resource(ctx, principal, "workflow:execute", "workflow", rec.id)
        except PermissionDenied:
            raise _not_found(ref) from None
        return rec

    def mine(r: Any) -> bool:
        return can(principal, "workflow:execute", project_id=r.project_id)

    with store.db.read() as s:
        if len(ref) >= 6:
            rows = [
                r
                for r in s.exec(
                    select(WorkflowRecord).where(col(WorkflowRecord.id).startswith(ref))
                ).all()
                if mine(r)
            ]
            if len(rows) == 1:
                return rows[0]
        by_name = s.exec(named(ref)).all()
    for r in by_name:
        if mine(r):
            return r
    raise _not_found(ref)
