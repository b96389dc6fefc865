"""Per-project concurrency quotas for operators (``tui``, screen "Quotas").

* ``GET /api/v1/quotas``: the default quota and, per project the caller may see, its
  quota and its running, waiting and held executions;
* ``PUT /api/v1/quotas``: an admin sets one project's quota (0: no limit; ``null``:
  back to the default).

What each caller sees and may change is decided in :mod:`engine.services.quotas`.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from engine.services import quotas
from studio.api.routing import Call, Router
from studio.api.schemas import In, Out

__all__ = ["router", "routers"]

router = Router("Quotas")


class QuotaOut(Out):
    project_id: str
    name: str = Field(description="The project's name.")
    quota: int | None = Field(description="Executions it may run at once (null: no limit).")
    overridden: bool = Field(
        description="An admin set this project's quota (else the default applies)."
    )
    running: int = Field(description="Executions running now.")
    queued: int = Field(description="Executions waiting: in the queue or held back.")
    held: int = Field(
        description="Of the waiting ones, held back because the project runs its quota."
    )


class QuotasOut(Out):
    default_quota: int | None = Field(
        description="Quota of projects without their own "
        "(AURA_QUEUE_PROJECT_CONCURRENCY; null: no limit)."
    )
    items: list[QuotaOut]


class QuotaIn(In):
    project_id: str = Field(min_length=1, max_length=64, description="The project.")
    quota: int | None = Field(
        description="Executions the project may run at once: 0 for "
        "no limit, null to use the default again.",
        ge=0,
        le=10_000,
    )


@router.get(
    "/quotas",
    action="execution:read",
    summary="List project quotas",
    response=QuotasOut,
    scope="service",
)
def list_quotas(call: Call) -> dict[str, Any]:
    """The default quota, and for each project the caller may see: its quota, whether it
    is its own, and how many of its executions run, wait, and are held by the quota."""
    return quotas.list_quotas(call.principal)


@router.put(
    "/quotas",
    action="settings:update",
    summary="Set a project quota",
    body=QuotaIn,
    response=QuotaOut,
    errors=(404,),
    scope="service",
    audit="quota.updated",
)
def set_quota(call: Call) -> dict[str, Any]:
    """Sets how many executions a project may run at once (admins). Executions it had
    held back are let go when the new quota allows. 404 for an unknown project."""
    b: QuotaIn = call.body
    call.target_id = b.project_id
    return quotas.set_quota(call.principal, b.project_id, b.quota)


def routers() -> list[Router]:
    """The quotas router."""
    return [router]
