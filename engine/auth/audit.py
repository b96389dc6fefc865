"""The audit log: :func:`record` an event, :func:`list_events`, and export them as JSON
lines or CSV.

Actions are dotted names: ``user.login``, ``user.login_failed``, ``user.invited``,
``user.role_changed``, ``workflow.updated``, ``workflow.activated``,
``credential.created``, ``apikey.used``... Details never hold secrets: values under
secret-looking keys (password, token, secret, code...) are replaced by ``***``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from engine.auth.types import AuditEntry, Principal
from engine.store.models_auth import AuditEvent

__all__ = ["EXPORT_FIELDS", "export_csv", "export_jsonl", "list_events", "record"]

_SECRET_KEYS = {"password", "new_password", "old_password", "token", "secret",
                "refresh_token", "access_token", "code", "totp_code", "recovery_code",
                "api_key", "key", "client_secret", "authorization"}
EXPORT_FIELDS = ("at", "action", "actor_id", "actor_email", "api_key_id", "target_type",
                 "target_id", "ip", "details", "id")


def _scrub(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: ("***" if str(k).lower() in _SECRET_KEYS and v not in (None, "")
                    else _scrub(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    return value


def record(store: Any, actor: Principal | str | None, action: str, target_type: str = "",
           target_id: str | None = None, details: dict[str, Any] | None = None,
           ip: str | None = None, *, actor_email: str = "", at: datetime | None = None
           ) -> AuditEntry:
    """Appends an event.

    Args:
        actor: the principal acting, a user id, or None (anonymous, the system).
        action: dotted action name (``"credential.updated"``).
        target_type: ``user``, ``workflow``, ``credential``, ``apikey``, ``project``...
        details: JSON object; secret-looking keys are masked.
        ip: the client address, when known.
    """
    actor_id: str | None = None
    api_key_id: str | None = None
    if isinstance(actor, Principal):
        actor_id, api_key_id = actor.user_id, actor.api_key_id
        actor_email = actor_email or actor.email or ""
    elif isinstance(actor, str):
        actor_id = actor
    row = store.audit.add(action, actor_id=actor_id, actor_email=actor_email,
                          api_key_id=api_key_id, target_type=target_type,
                          target_id=target_id, details=_scrub(details) if details else None,
                          ip=ip, at=at)
    return entry(row)


def entry(row: AuditEvent) -> AuditEntry:
    """The public view of an audit row."""
    return AuditEntry(id=row.id, at=row.at, actor_id=row.actor_id,
                      actor_email=row.actor_email, api_key_id=row.api_key_id,
                      action=row.action, target_type=row.target_type,
                      target_id=row.target_id, details=row.details, ip=row.ip)


def list_events(store: Any, *, limit: int = 100, offset: int = 0, **filters: Any
                ) -> list[AuditEntry]:
    """Events newest first; filters: actor_id, action (``"user.*"`` prefixes),
    target_type, target_id, since, until, ip."""
    return [entry(r) for r in store.audit.list(limit=limit, offset=offset, **filters)]


def export_jsonl(store: Any, **filters: Any) -> Iterator[str]:
    """Matching events oldest first, one JSON object per line (with ``\\n``)."""
    for row in store.audit.iterate(**filters):
        yield json.dumps(entry(row).to_dict(), ensure_ascii=False, sort_keys=True) + "\n"


def _cell(value: Any) -> Any:
    """A CSV cell; text that a spreadsheet would run as a formula gets a leading quote."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def export_csv(store: Any, **filters: Any) -> Iterator[str]:
    """Matching events oldest first as CSV (header first); ``details`` as JSON text."""
    buf = io.StringIO()
    writer = csv.writer(buf)

    def flush() -> str:
        text = buf.getvalue()
        buf.seek(0)
        buf.truncate()
        return text

    writer.writerow(EXPORT_FIELDS)
    yield flush()
    for row in store.audit.iterate(**filters):
        d = entry(row).to_dict()
        d["details"] = json.dumps(d["details"], ensure_ascii=False) if d["details"] else ""
        writer.writerow([_cell(d[f]) for f in EXPORT_FIELDS])
        yield flush()
