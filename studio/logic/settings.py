"""Instance settings the studio edits (``store.settings``) and facts about the instance."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from engine.auth.types import Principal
from engine.services.store import get_store

__all__ = ["facts", "new_workflow_settings", "read", "write"]


def read(defaults: dict[str, Any]) -> dict[str, Any]:
    store = get_store()
    return {k: store.settings.get(k, v) for k, v in defaults.items()}


def write(p: Principal, values: dict[str, Any]) -> None:
    """Stores settings after checking them (``settings:update``, admins); raises
    ValueError with a plain message."""
    from engine.services import auth

    auth.authorize(p, "settings:update")
    tz = values.get("studio.default_timezone")
    if tz is not None:
        try:
            ZoneInfo(str(tz))
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"Unknown timezone '{tz}'; use an IANA name such as "
                             "'Europe/Paris'.") from None
    store = get_store()
    for k, v in values.items():
        store.settings.set(k, v)


def facts() -> list[dict[str, str]]:
    """What an operator wants to know about this instance."""
    from engine.config import settings
    from engine.sdk import get_catalog

    s = settings()
    store = get_store()
    cat = get_catalog()
    return [
        {"label": "Database", "value": store.dialect},
        {"label": "Data directory", "value": str(s.data_dir)},
        {"label": "Node types installed", "value": str(len(cat.latest()))},
        {"label": "Node packages", "value": ", ".join(sorted(cat.packages)) or "none"},
        {"label": "Execution data kept (AURA_EXEC_RETENTION_DAYS)",
         "value": f"{s.execution.retention_days} days, at most "
                  f"{s.execution.retention_count:,} executions"},
    ]


def new_workflow_settings() -> dict[str, Any]:
    """Workflow settings a new workflow starts with (from the instance defaults)."""
    values = read({"studio.default_timezone": "UTC", "studio.save_manual_executions": True})
    return {"timezone": values["studio.default_timezone"],
            "save_manual": bool(values["studio.save_manual_executions"])}
