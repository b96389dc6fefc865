"""``aura services``: the processes in the service registry (:mod:`engine.registry`):
API servers, workers and schedulers, with health, version, uptime, pid, host and load."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from engine.cli._common import console, fail

__all__ = ["format_uptime", "services"]

HEALTH_STYLE = {"healthy": "green", "unhealthy": "red"}


def format_uptime(seconds: float) -> str:
    """``3d 4h``, ``2h 5m``, ``4m 10s`` or ``12s``."""
    s = max(0, int(seconds))
    days, rest = divmod(s, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    if minutes:
        return f"{minutes}m {secs}s"
    return f"{secs}s"


def services(
    kind: Annotated[
        str | None, typer.Option("--kind", "-k", help="Only this kind (api, worker, scheduler).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the AURA processes registered in Redis (the API, workers, schedulers) with
    their health: 'unhealthy' after two missed heartbeats; gone after the TTL."""
    from engine.registry import instances
    from engine.runtimes._redis import redis_configured

    if not redis_configured():
        fail(
            "No Redis is configured; the service registry lives in Redis. Set "
            "AURA_REDIS_URL, or start 'aura up' (commands in its data directory find it by "
            "themselves).",
            as_json=as_json,
        )
    try:
        found = instances(kind)
    except Exception as exc:
        fail(
            f"Cannot read the registry from Redis: {type(exc).__name__}: {exc}. Is it running?",
            as_json=as_json,
        )
    if as_json:
        print(json.dumps({"items": [i.to_json() for i in found]}, indent=2))
        return
    if not found:
        console.print(
            "No services registered. Start them with 'aura up', or 'aura worker' "
            "and 'aura scheduler'."
        )
        return
    t = Table(title=f"Services ({len(found)})", title_justify="left")
    for col, just in (
        ("Kind", "left"),
        ("Id", "left"),
        ("Health", "left"),
        ("Version", "left"),
        ("Uptime", "right"),
        ("Pid", "right"),
        ("Host", "left"),
        ("Active", "right"),
        ("Last beat", "right"),
    ):
        t.add_column(col, justify=just)  # type: ignore[arg-type]
    for i in found:
        t.add_row(
            i.kind,
            i.id,
            Text(i.health, style=HEALTH_STYLE.get(i.health, "")),
            i.version,
            format_uptime(i.uptime_s()),
            str(i.pid),
            i.host,
            str(i.active),
            f"{i.age_s():.1f} s ago",
        )
    console.print(t)
