"""Users, invitations, projects (members, shares), API keys and the audit log: the
administration API, all through ``engine.services.auth`` (served only when it is
installed; the service re-checks every permission and audits every change)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, Literal

from pydantic import AwareDatetime, Field
from starlette.responses import Response, StreamingResponse

from engine.errors import ValidationError
from studio.api import routes_auth
from studio.api.routing import Call, Router
from studio.api.schemas import In, PageQuery
from studio.api.security import auth_backend, client_ip
from studio.api.serialize import json_response

__all__ = ["routers"]

users = Router("Users")
projects = Router("Projects")
keys = Router("API keys")
audit = Router("Audit")
Role = Literal["viewer", "editor", "admin", "owner"]
ProjectRole = Literal["viewer", "editor", "admin"]


def routers() -> list[Router]:
    """The auth and admin routers, when the auth service is installed."""
    if auth_backend() is None:
        return []
    return [routes_auth.router, users, projects, keys, audit]


def _plain(obj: Any) -> dict[str, Any]:
    data = asdict(obj)
    return {k: list(v) if isinstance(v, tuple | frozenset | set) else v
            for k, v in data.items()}


# -- users and invitations -------------------------------------------------------------
class UserQuery(PageQuery):
    search: str | None = Field(None, max_length=200, description="Text in e-mail or name.")


class UserUpdate(In):
    role: Role | None = None
    disabled: bool | None = None


class InviteIn(In):
    email: str = Field(min_length=3, max_length=320)
    role: Role = "editor"


class InvitationQuery(In):
    pending_only: bool = True


class AcceptIn(In):
    token: str = Field(max_length=4096)
    password: str = Field(min_length=1, max_length=1024)
    name: str = Field("", max_length=200)


class ResetRequestIn(In):
    email: str = Field(max_length=320)


class ResetIn(In):
    token: str = Field(max_length=4096)
    password: str = Field(min_length=1, max_length=1024)


@users.get("/users", action="user:list", summary="List users", query=UserQuery)
def list_users(call: Call) -> dict[str, Any]:
    """Accounts with their role and 2FA state."""
    q = call.query
    items = call.auth.list_users(call.principal, limit=q.limit, offset=q.offset,
                                 search=q.search)
    return {"items": [u.to_dict() for u in items], "limit": q.limit, "offset": q.offset}


@users.patch("/users/{id}", action="user:manage", summary="Change a user", body=UserUpdate,
             errors=(404,))
def update_user(call: Call) -> dict[str, Any]:
    """Changes the role and/or disables (or re-enables) the account."""
    uid, b = call.path["id"], call.body
    info = None
    if b.role is not None:
        info = call.auth.set_role(call.principal, uid, b.role)
    if b.disabled is not None:
        fn = call.auth.disable_user if b.disabled else call.auth.enable_user
        info = fn(call.principal, uid)
    if info is None:
        raise ValidationError("Send 'role' and/or 'disabled'.")
    return dict(info.to_dict())


@users.post("/users/{id}/reset-2fa", action="user:manage", summary="Reset a user's 2FA",
            errors=(404,))
def reset_user_2fa(call: Call) -> dict[str, Any]:
    """Turns the user's 2FA off (they set it up again at next sign-in)."""
    return dict(call.auth.reset_2fa(call.principal, call.path["id"]).to_dict())


@users.post("/invitations", action="user:invite", summary="Invite someone", body=InviteIn,
            status=201, errors=(409,))
def invite(call: Call) -> Response:
    """Creates an invitation; its token and link are in this answer only."""
    return json_response(_plain(call.auth.invite(call.principal, call.body.email,
                                                 call.body.role)), 201)


@users.get("/invitations", action="user:invite", summary="List invitations",
           query=InvitationQuery)
def list_invitations(call: Call) -> dict[str, Any]:
    """Invitations (pending ones by default)."""
    return {"items": [_plain(i) for i in call.auth.list_invitations(
        call.principal, pending_only=call.query.pending_only)]}


@users.delete("/invitations/{id}", action="user:invite", summary="Revoke an invitation",
              status=204, errors=(404,))
def revoke_invitation(call: Call) -> None:
    """The invitation link stops working."""
    call.auth.revoke_invitation(call.principal, call.path["id"])


@users.post("/auth/invitations/accept", action=None, summary="Accept an invitation",
            body=AcceptIn, status=201, errors=(401, 404))
def accept_invitation(call: Call) -> Response:
    """Creates the invited account (then sign in)."""
    b = call.body
    return json_response(call.auth.accept_invitation(b.token, b.password, b.name).to_dict(),
                         201)


@users.post("/auth/password-reset", action=None, summary="Ask for a password reset",
            body=ResetRequestIn, status=202, errors=(429,))
def request_reset(call: Call) -> Response:
    """Mails a reset link if the account exists (the answer is the same either way)."""
    call.auth.request_password_reset(call.body.email, ip=client_ip(call.request))
    return json_response({"status": "sent if the account exists"}, 202)


@users.post("/auth/password-reset/confirm", action=None, summary="Reset a password",
            body=ResetIn, status=204, errors=(401,))
def reset_password(call: Call) -> None:
    """Sets a new password with the token from the reset mail."""
    call.auth.reset_password(call.body.token, call.body.password)


# -- projects and shares ------------------------------------------------------------------
class ProjectIn(In):
    name: str = Field(min_length=1, max_length=200)


class MemberIn(In):
    role: ProjectRole


class ShareIn(In):
    project_id: str = Field(max_length=64)
    role: Literal["viewer", "editor"] = "editor"


class MoveIn(In):
    project_id: str = Field(max_length=64)


@projects.get("/projects", action="project:read", summary="List projects")
def list_projects(call: Call) -> dict[str, Any]:
    """Projects the caller belongs to (all of them for admins), with their role."""
    return {"items": [_plain(p) for p in call.auth.list_projects(call.principal)]}


@projects.post("/projects", action="project:create", summary="Create a project",
               body=ProjectIn, status=201)
def create_project(call: Call) -> Response:
    """A team project; the creator becomes its admin."""
    return json_response(_plain(call.auth.create_project(call.principal, call.body.name)),
                         201)


@projects.get("/projects/{id}/members", action="project:read", summary="Project members",
              scope="handler", errors=(404,))
def members(call: Call) -> dict[str, Any]:
    """User id → project role."""
    call.authorize(call.path["id"])
    return {"members": call.auth.project_members(call.principal, call.path["id"])}


@projects.put("/projects/{id}/members/{user_id}", action="project:manage",
              summary="Add or change a member", body=MemberIn, scope="handler",
              status=204, errors=(404,))
def set_member(call: Call) -> None:
    """Gives a user a role in the project."""
    call.authorize(call.path["id"])
    call.auth.set_project_member(call.principal, call.path["id"], call.path["user_id"],
                                 call.body.role)


@projects.delete("/projects/{id}/members/{user_id}", action="project:manage",
                 summary="Remove a member", scope="handler", status=204, errors=(404,))
def remove_member(call: Call) -> None:
    """Removes a user from the project."""
    call.authorize(call.path["id"])
    call.auth.remove_project_member(call.principal, call.path["id"], call.path["user_id"])


def _share_routes(kind: str) -> None:
    plural = f"{kind}s"

    def share(call: Call) -> None:
        call.auth.share(call.principal, kind, call.path["id"], call.body.project_id,
                        role=call.body.role)

    def unshare(call: Call) -> None:
        call.auth.unshare(call.principal, kind, call.path["id"], call.path["project_id"])

    def move(call: Call) -> None:
        call.auth.move_to_project(call.principal, kind, call.path["id"],
                                  call.body.project_id)

    for fn, verb, what in ((share, "share", f"Shares the {kind} with another project."),
                           (unshare, "unshare", f"Stops sharing the {kind}."),
                           (move, "move", f"Moves the {kind} to another project.")):
        fn.__name__ = f"{verb}_{kind}"
        fn.__doc__ = f"{what} Needs '{kind}:share' in its project."
    common: dict[str, Any] = {"action": f"{kind}:share", "resource": kind, "status": 204,
                              "errors": (404,)}
    projects.post(f"/{plural}/{{id}}/shares", summary=f"Share a {kind}", body=ShareIn,
                  **common)(share)
    projects.delete(f"/{plural}/{{id}}/shares/{{project_id}}",
                    summary=f"Stop sharing a {kind}", **common)(unshare)
    projects.post(f"/{plural}/{{id}}/move", summary=f"Move a {kind}", body=MoveIn,
                  **common)(move)


_share_routes("workflow")
_share_routes("credential")


# -- API keys ---------------------------------------------------------------------------
class KeyQuery(In):
    all_users: bool = Field(False, description="Every user's keys (admins).")


class KeyIn(In):
    name: str = Field(min_length=1, max_length=200)
    scopes: list[str] = Field(min_length=1, max_length=100, description="Actions such as "
                              "'workflow:read', areas such as 'workflow:*', or '*'.")
    expires_in_days: int | None = Field(None, ge=1, le=3650)


@keys.get("/api-keys", action="apikey:manage", summary="List API keys", query=KeyQuery)
def list_keys(call: Call) -> dict[str, Any]:
    """The caller's keys (or everyone's with ``all_users``); never the keys themselves."""
    return {"items": [_plain(k) for k in call.auth.list_api_keys(
        call.principal, all_users=call.query.all_users)]}


@keys.post("/api-keys", action="apikey:manage", summary="Create an API key", body=KeyIn,
           status=201)
def create_key(call: Call) -> Response:
    """A new key for machines (``X-API-Key``); ``key`` is shown in this answer only."""
    b = call.body
    info, key = call.auth.create_api_key(call.principal, b.name, b.scopes, b.expires_in_days)
    return json_response({**_plain(info), "key": key}, 201)


@keys.delete("/api-keys/{id}", action="apikey:manage", summary="Revoke an API key",
             errors=(404,))
def revoke_key(call: Call) -> dict[str, Any]:
    """The key stops working at once."""
    return _plain(call.auth.revoke_api_key(call.principal, call.path["id"]))


# -- audit ------------------------------------------------------------------------------
class AuditFilter(In):
    actor_id: str | None = Field(None, max_length=64)
    action: str | None = Field(None, max_length=200, description="e.g. 'user.*'.")
    target_type: str | None = Field(None, max_length=64)
    target_id: str | None = Field(None, max_length=64)
    since: AwareDatetime | None = None
    until: AwareDatetime | None = None


class AuditQuery(PageQuery, AuditFilter):
    pass


class ExportQuery(AuditFilter):
    format: Literal["jsonl", "csv"] = "jsonl"


def _filters(q: Any) -> dict[str, Any]:
    names = ("actor_id", "action", "target_type", "target_id", "since", "until")
    return {n: getattr(q, n) for n in names if getattr(q, n, None) is not None}


@audit.get("/audit", action="audit:read", summary="Audit log", query=AuditQuery)
def audit_log(call: Call) -> dict[str, Any]:
    """Events, newest first (logins, role changes, workflow saves, activations...)."""
    q = call.query
    rows = call.auth.audit_log(call.principal, limit=q.limit, offset=q.offset, **_filters(q))
    return {"items": [r.to_dict() for r in rows], "limit": q.limit, "offset": q.offset}


@audit.get("/audit/export", action="audit:read", summary="Export the audit log",
           query=ExportQuery, media_type="application/x-ndjson")
def export_audit(call: Call) -> Response:
    """The log (or the part the filters select), oldest first, as JSON lines or CSV."""
    fmt = call.query.format
    chunks = call.auth.export_audit(call.principal, fmt, **_filters(call.query))
    media = "text/csv" if fmt == "csv" else "application/x-ndjson"
    return StreamingResponse(iter(list(chunks)), media_type=media, headers={
        "Content-Disposition": f'attachment; filename="aura-audit.{fmt}"'})
