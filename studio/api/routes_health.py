"""Health endpoints for process supervisors and load balancers (public).

``/healthz`` answers while the process runs; ``/readyz`` checks the database, Redis when
``AURA_REDIS_URL`` is set, and that the encryption key decrypts the stored data (a wrong
``AURA_ENCRYPTION_KEY`` is never ready), and answers 503 naming what is down; it also
counts the healthy and unhealthy processes of each kind in the service registry
(``engine.registry``).
"""

from __future__ import annotations

import time
from typing import Any

from pydantic import Field
from starlette.responses import Response

from studio.api.routing import Call, Router
from studio.api.schemas import Out
from studio.api.serialize import json_response

__all__ = ["router"]

router = Router("Health", prefix="")
_STARTED = time.monotonic()


class HealthOut(Out):
    status: str = Field(description="'ok' while the process runs.")
    uptime_s: float


class ReadyOut(Out):
    status: str = Field(description="'ready', or 'not_ready' with the failing checks.")
    checks: dict[str, str] = Field(
        description="database, redis and encryption_key: 'ok', 'not configured' or the error."
    )
    services: dict[str, dict[str, int]] = Field(
        default_factory=dict,
        description="Registered AURA processes by kind (api, worker, "
        "scheduler): how many are healthy and unhealthy (details: /api/v1/services).",
    )


@router.get("/healthz", action=None, summary="Is the process alive", response=HealthOut)
async def healthz(call: Call) -> dict[str, Any]:
    """Answers as long as the server process runs."""
    return {"status": "ok", "uptime_s": round(time.monotonic() - _STARTED, 3)}


def _database() -> str:
    try:
        from engine.services.store import get_store

        return "ok" if get_store().ping() else "the database does not answer"
    except Exception as exc:
        return f"cannot open the database: {type(exc).__name__}"


def _redis() -> str:
    from engine.config import settings

    url = settings().redis.url
    if not url:
        return "not configured"
    try:
        import redis

        client = redis.Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)
        try:
            client.ping()
        finally:
            client.close()
        return "ok"
    except Exception as exc:
        return f"redis does not answer: {type(exc).__name__}"


def _key() -> str:
    """'ok' when the encryption key decrypts the stored data (see engine.vault.keycheck)."""
    try:
        from engine.services.startup import encryption_key_status

        return encryption_key_status()
    except Exception as exc:  # the database check reports a database that is down
        return f"cannot check the encryption key: {type(exc).__name__}"


@router.get(
    "/readyz", action=None, summary="Can the server do work", response=ReadyOut, errors=(503,)
)
def readyz(call: Call) -> Response:
    """Checks the database (and Redis when configured); 503 if one is down."""
    checks = {"database": _database(), "redis": _redis(), "encryption_key": _key()}
    ok = all(v in ("ok", "not configured") for v in checks.values())
    return json_response(
        {
            "status": "ready" if ok else "not_ready",
            "checks": checks,
            "services": _services() if ok else {},
        },
        200 if ok else 503,
    )


def _services() -> dict[str, dict[str, int]]:
    """Healthy/unhealthy counts per kind from the service registry (never fails)."""
    try:
        from engine.services.fleet import instances

        out: dict[str, dict[str, int]] = {}
        for inst in instances():
            counts = out.setdefault(inst.kind, {"healthy": 0, "unhealthy": 0})
            counts["healthy" if inst.healthy else "unhealthy"] += 1
        return out
    except Exception:
        return {}
