"""Per-project concurrency quotas as operators see and change them (``/api/v1/quotas``,
the console's "Quotas" screen).

Everybody who may read executions sees the default quota and, for each project they are
a member of (owners and admins: every project), its quota, whether an admin overrode
it, and its running, waiting and held executions. Only instance admins change a quota.
The mechanism is :mod:`engine.runtimes.quotas`.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from engine.auth.rbac import authorize
from engine.auth.types import Principal
from engine.errors import NotFoundError
from engine.runtimes import quotas
from engine.services import access
from engine.services.store import get_store

__all__ = ["list_quotas", "set_quota"]


def list_quotas(principal: Principal) -> dict[str, Any]:
    """``{default_quota, items: [{project_id, name, quota, overridden, running, queued,
    held}]}`` for the projects the caller may see."""
    authorize(principal, "execution:read")
    everything = access.sees_all(principal)
    items = [
        asdict(p)
        for p in quotas.load(get_store(), _redis())
        if everything or p.project_id in principal.projects
    ]
    return {"default_quota": quotas.default_quota(), "items": items}


def set_quota(principal: Principal, project_id: str, quota: int | None) -> dict[str, Any]:
    """Sets one project's quota (0: no limit; None: back to the default). Admins only.

    Raises:
        PermissionDenied: not an instance admin.
        NotFoundError: no such project.
        ValidationError: a negative or absurd quota.
    """
    authorize(principal, "settings:update")
    store = get_store()
    quotas.set_quota(store, project_id, quota)
    r = _redis()
    if r is not None:  # a raised quota lets held executions go at once
        from engine.runtimes.queue import enqueue_existing

        while quotas.release(
            store, r, project_id, lambda eid: enqueue_existing(eid, at_front=False)
        ):
            if quotas.quota_of(store, project_id) is not None:
                break  # one at a time under a limit: each end releases the next
    for p in quotas.load(store, r):
        if p.project_id == project_id:
            return asdict(p)
    raise NotFoundError(f"No project with id {project_id!r}.", details={"id": project_id})


def _redis() -> Any:
    from engine.runtimes import redis_configured, redis_connection

    if not redis_configured():
        return None
    try:
        return redis_connection()
    except Exception:  # the counts from the database still hold
        return None
