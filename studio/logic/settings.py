"""Instance settings the studio edits (``store.settings``) and facts about the instance."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from engine.services.auth import Principal
from engine.services.store import get_store

__all__ = ["facts", "new_workflow_settings", "read", "retention_facts", "write"]


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
            raise ValueError(
                f"Unknown timezone '{tz}'; use an IANA name such as 'Europe/Paris'."
            ) from None
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
        *retention_facts(),
    ]


def retention_facts() -> list[dict[str, str]]:
    """What retention enforces (AURA_EXEC_RETENTION_*, AURA_RETENTION_*) and its last
    run, scheduled or by hand."""
    from engine.services.observability import interval_text, retention_status

    st = retention_status()
    audit = f"{st['audit_days']} days" if st["audit_days"] else "kept forever"
    when = (
        f"applied by the scheduler every {interval_text(st['interval_s'])}"
        if st["scheduled"]
        else "not scheduled (AURA_RETENTION_ENABLED=false): run 'aura execution prune'"
    )
    last = st["last_run"]
    if last is None:
        ran = "never (the scheduler runs it: 'aura up' or 'aura scheduler')"
    else:
        at = datetime.fromisoformat(last["at"]).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
        who = "by the scheduler" if last["trigger"] == "scheduler" else "by hand"
        ran = (
            f"{at} {who}: {last['executions_deleted']:,} executions and "
            f"{last['audit_deleted']:,} audit events deleted"
        )
        if last.get("error"):
            ran += f" (stopped early: {last['error']})"
    return [
        {"label": "Execution retention", "value": f"{st['executions']}; audit log {audit}; {when}"},
        {"label": "Retention last ran", "value": ran},
    ]


def new_workflow_settings() -> dict[str, Any]:
    """Workflow settings a new workflow starts with (from the instance defaults)."""
    values = read({"studio.default_timezone": "UTC", "studio.save_manual_executions": True})
    return {
        "timezone": values["studio.default_timezone"],
        "save_manual": bool(values["studio.save_manual_executions"]),
    }
