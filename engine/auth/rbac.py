"""Roles and the one permission table: which role each action needs.

Two kinds of role:

* the **instance role** of a user: ``owner > admin > editor > viewer``. It is a ceiling:
  a viewer never edits anything, whatever their projects. Owners and admins act in every
  project without being members.
* the **project role** (``admin > editor > viewer``) of a member in a project. Workflows
  and credentials belong to projects; sharing one with another project gives that
  project's members access too, capped by the share's role.

:data:`PERMISSIONS` maps each action to a :class:`Rule`. :func:`authorize` is pure (no
database): the caller passes the project a resource belongs to, and the principal
carries its project roles. Scoped principals (API keys) must also hold a matching scope
(``workflow:read``, ``workflow:*`` or ``*``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from engine.auth.types import Principal
from engine.errors import PermissionDenied, ValidationError

__all__ = ["INSTANCE_ROLES", "PERMISSIONS", "PROJECT_ROLES", "Rule", "allowed_actions",
           "authorize", "can", "check_role", "check_scopes", "project_rank", "rank",
           "scope_allows"]

INSTANCE_ROLES: tuple[str, ...] = ("viewer", "editor", "admin", "owner")
"""Instance roles, weakest first."""
PROJECT_ROLES: tuple[str, ...] = ("viewer", "editor", "admin")
"""Project membership roles, weakest first."""
SELF_2FA_SCOPE = "self:2fa"


@dataclass(frozen=True)
class Rule:
    """What an action needs.

    Attributes:
        role: minimum instance role (a ceiling that applies everywhere).
        project_role: minimum project role when the action targets a project's resource;
            None for instance-wide actions.
        global_role: minimum instance role when a project action targets no project
            (global variables, creating projects...); defaults to ``role``.
    """

    role: str
    project_role: str | None = None
    global_role: str | None = None


def _p(role: str, project_role: str, global_role: str | None = None) -> Rule:
    return Rule(role, project_role, global_role)


PERMISSIONS: dict[str, Rule] = {
    # workflows
    "workflow:read": _p("viewer", "viewer"),
    "workflow:create": _p("editor", "editor"),
    "workflow:update": _p("editor", "editor"),
    "workflow:delete": _p("editor", "editor"),
    "workflow:execute": _p("editor", "editor"),
    "workflow:activate": _p("editor", "editor"),
    "workflow:share": _p("editor", "admin"),
    # credentials (read = masked view; use = reference from a workflow)
    "credential:read": _p("viewer", "viewer"),
    "credential:use": _p("editor", "editor"),
    "credential:create": _p("editor", "editor"),
    "credential:update": _p("editor", "editor"),
    "credential:delete": _p("editor", "editor"),
    "credential:share": _p("editor", "admin"),
    # executions
    "execution:read": _p("viewer", "viewer"),
    "execution:cancel": _p("editor", "editor"),
    "execution:delete": _p("editor", "editor"),
    # knowledge bases (read = list and search; update = add and remove documents)
    "knowledge:read": _p("viewer", "viewer"),
    "knowledge:create": _p("editor", "editor"),
    "knowledge:update": _p("editor", "editor"),
    "knowledge:delete": _p("editor", "editor"),
    # agents (run = start a run or chat; approval:decide = approve or reject in the inbox)
    "agent:read": _p("viewer", "viewer"),
    "agent:create": _p("editor", "editor"),
    "agent:update": _p("editor", "editor"),
    "agent:delete": _p("editor", "editor"),
    "agent:run": _p("editor", "editor"),
    "approval:decide": _p("editor", "editor"),
    # variables: project ones by project admins, global ones by instance admins
    "variable:read": _p("viewer", "viewer"),
    "variable:update": _p("editor", "admin", "admin"),
    # projects
    "project:read": _p("viewer", "viewer"),
    "project:manage": _p("editor", "admin", "admin"),
    "project:create": Rule("admin"),
    # instance administration
    "user:invite": Rule("admin"),
    "user:manage": Rule("admin"),
    "user:list": Rule("admin"),
    "audit:read": Rule("admin"),
    "settings:read": Rule("admin"),
    "settings:update": Rule("admin"),
    # node packages (marketplace): everyone signed in browses, admins install and trust
    "package:read": Rule("viewer"),
    "package:manage": Rule("admin"),
    "apikey:manage": Rule("viewer"),
    "vault:rotate": Rule("owner"),
    "streams:manage": Rule("owner"),
    "analytics:read": _p("viewer", "viewer"),  # scoped to the caller's projects
}
"""action -> what it needs. The HTTP routes and studio actions name these actions."""


def rank(role: str) -> int:
    """Position of an instance role (-1 when unknown)."""
    return INSTANCE_ROLES.index(role) if role in INSTANCE_ROLES else -1


def project_rank(role: str | None) -> int:
    """Position of a project role (-1 when None or unknown)."""
    return PROJECT_ROLES.index(role) if role in PROJECT_ROLES else -1


def check_role(role: str, *, project: bool = False) -> str:
    """``role`` if it is a valid instance (or project) role; else ValidationError."""
    valid = PROJECT_ROLES if project else INSTANCE_ROLES
    if role not in valid:
        what = "project role" if project else "role"
        raise ValidationError(f"Unknown {what} {role!r}; use one of {', '.join(valid)}.")
    return role


def scope_allows(scopes: Iterable[str], action: str) -> bool:
    """Whether ``scopes`` include ``action`` (exactly, by ``area:*``, or ``*``)."""
    area = action.split(":", 1)[0]
    return any(s in ("*", action, f"{area}:*") for s in scopes)


def check_scopes(scopes: Iterable[str]) -> list[str]:
    """Validates API key scopes: known actions, ``area:*`` or ``*``."""
    areas = {a.split(":", 1)[0] for a in PERMISSIONS}
    out: list[str] = []
    for s in scopes:
        ok = s == "*" or s in PERMISSIONS or (s.endswith(":*") and s[:-2] in areas)
        if not ok:
            raise ValidationError(f"Unknown scope {s!r}: use an action such as "
                                  "'workflow:read', an area such as 'workflow:*', or '*'.",
                                  details={"scope": s, "areas": sorted(areas)})
        if s not in out:
            out.append(s)
    if not out:
        raise ValidationError("An API key needs at least one scope, e.g. 'workflow:read'.")
    return out


def _rule(action: str) -> Rule:
    try:
        return PERMISSIONS[action]
    except KeyError:
        raise ValueError(f"unknown action {action!r}; add it to engine.auth.rbac."
                         "PERMISSIONS") from None


def _deny(message: str, action: str, **details: object) -> PermissionDenied:
    return PermissionDenied(message, details={"action": action, **details})


def authorize(principal: Principal, action: str, *, project_id: str | None = None,
              share_role: str | None = None) -> None:
    """Raises :class:`PermissionDenied` unless ``principal`` may do ``action``.

    Args:
        action: a key of :data:`PERMISSIONS`, e.g. ``"workflow:update"``.
        project_id: the project the target resource belongs to (or is shared with).
        share_role: when access comes through a share, its role caps the member's role.
    """
    rule = _rule(action)
    if principal.restricted and not scope_allows(principal.scopes, action):
        if SELF_2FA_SCOPE in principal.scopes:
            raise _deny("Your role requires two-factor authentication: set it up first "
                        "(start 2FA enrolment), then sign in again.", action,
                        needs_2fa_enrolment=True)
        raise _deny(f"This API key may not '{action}'; its scopes are "
                    f"{', '.join(sorted(principal.scopes))}. Create a key with the "
                    f"'{action}' scope.", action, scopes=sorted(principal.scopes))
    have = rank(principal.role)
    if have < rank(rule.role):
        raise _deny(f"'{action}' needs at least the {rule.role} role; you are "
                    f"{principal.role}. Ask an admin to change your role.", action,
                    required_role=rule.role, role=principal.role)
    if rule.project_role is None:
        return
    if project_id is None:
        need = rule.global_role or rule.role
        if have < rank(need):
            raise _deny(f"'{action}' outside a project needs the {need} role; you are "
                        f"{principal.role}.", action, required_role=need,
                        role=principal.role)
        return
    if have >= rank("admin"):
        return
    member = principal.projects.get(project_id)
    if member is not None and share_role is not None and \
            project_rank(share_role) < project_rank(member):
        member = share_role
    if project_rank(member) < project_rank(rule.project_role):
        where = f"you are {member} there" if member else "you are not a member"
        raise _deny(f"'{action}' needs the {rule.project_role} role in project "
                    f"{project_id} ({where}). Ask a project admin for access.", action,
                    required_project_role=rule.project_role, project_id=project_id,
                    project_role=member)


def can(principal: Principal, action: str, *, project_id: str | None = None,
        share_role: str | None = None) -> bool:
    """:func:`authorize` as a boolean (for hiding buttons)."""
    try:
        authorize(principal, action, project_id=project_id, share_role=share_role)
    except PermissionDenied:
        return False
    return True


def allowed_actions(principal: Principal, *, project_id: str | None = None) -> list[str]:
    """Every action ``principal`` may do (in ``project_id``), sorted."""
    return sorted(a for a in PERMISSIONS if can(principal, a, project_id=project_id))
