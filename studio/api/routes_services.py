"""``GET /api/v1/services``: the service registry (``engine.registry``) for the console
and the admin pages: every registered AURA process with its health and load."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from studio.api.routing import Call, Router
from studio.api.schemas import In, Out

__all__ = ["router", "routers", "services_summary"]

router = Router("Services")


class ServicesQuery(In):
    kind: str | None = Field(None, max_length=40, description="Only this kind (api, "
                             "worker, scheduler).")


class ServiceOut(Out):
    id: str
    kind: str
    health: str = Field(description="'healthy', or 'unhealthy' after two missed "
                        "heartbeats.")
    host: str
    pid: int
    version: str
    started_at: str
    uptime_s: float
    last_heartbeat: str
    active: int = Field(description="Current load: running executions, open streams.")
    weight: float
    meta: dict[str, Any]


class ServicesOut(Out):
    items: list[ServiceOut]


def services_summary() -> list[dict[str, Any]]:
    """Every registered instance as JSON (for ``/readyz``)."""
    from engine.services.fleet import instances

    return [i.to_json() for i in instances()]


@router.get("/services", action="settings:read", summary="List registered services",
            query=ServicesQuery, response=ServicesOut)
def list_services(call: Call) -> dict[str, Any]:
    """API servers, workers and schedulers that heartbeat into the registry, with
    health, version, uptime and load."""
    from engine.services.fleet import instances

    return {"items": [i.to_json() for i in instances(call.query.kind)]}


def routers() -> list[Router]:
    """The services router."""
    return [router]


def register_server(runtime: str) -> Any:
    """Registers this API server process (kind ``api``; ``active``: open event streams);
    returns the started :class:`engine.registry.Registration`."""
    from engine.services.fleet import register
    from studio.api.routes_events import open_streams

    return register("api", {"runtime": runtime}, active=open_streams)
