"""Security settings of the instance over HTTP (owners and admins):

* ``GET /api/v1/admin/http-allow-list``: the outbound HTTP allow-list: ``fixed``
  entries (``AURA_HTTP_ALLOW``, set by the server's environment) and the editable
  ``entries``;
* ``PUT /api/v1/admin/http-allow-list``: replaces the editable entries (hosts,
  ``*.domain``, IP addresses, CIDR ranges, ``host:port``); a bad entry is a 422 naming it.

Workers follow a change within seconds (see :mod:`engine.net.allowlist`); every change
is audited by :mod:`engine.services.security`.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from studio.api.routing import Call, Router
from studio.api.schemas import In, Out
from studio.api.security import auth_backend

__all__ = ["router", "routers"]

router = Router("Security")


def routers() -> list[Router]:
    """The security settings routes, when the auth service is installed."""
    return [router] if auth_backend() is not None else []


class AllowListIn(In):
    entries: list[str] = Field(max_length=500, description="Hosts ('intranet.local'), "
                               "subdomains ('*.corp.example'), IP addresses, CIDR ranges "
                               "('10.0.0.0/8') or 'host:port' entries that node HTTP calls "
                               "may reach although they are private.")


class AllowListOut(Out):
    fixed: list[str] = Field(description="Entries from AURA_HTTP_ALLOW (set by the "
                             "server's environment; change them there).")
    entries: list[str] = Field(description="Entries added by an owner or admin.")


@router.get("/admin/http-allow-list", action="settings:read",
            summary="Outbound HTTP allow-list", response=AllowListOut)
def get_allow_list(call: Call) -> dict[str, Any]:
    """What node HTTP calls may reach although private: fixed and editable entries."""
    from engine.services import security

    return security.get_http_allow_list(call.principal).to_dict()


@router.put("/admin/http-allow-list", action="settings:update",
            summary="Set the outbound HTTP allow-list", body=AllowListIn,
            response=AllowListOut, errors=(422,))
def put_allow_list(call: Call) -> dict[str, Any]:
    """Replaces the editable entries; workers follow within seconds."""
    from engine.services import security

    return security.set_http_allow_list(call.principal, list(call.body.entries)).to_dict()
