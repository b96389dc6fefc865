"""The audit log (``store.audit``): append-only events, filtered and paged, newest first."""

from __future__ import annotations

import builtins
import secrets
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Select
from sqlmodel import col, delete, func, select

from engine.store._repo import Repository, page
from engine.store.models_auth import AuditEvent
from engine.store.types import check_aware, jsonable

__all__ = ["AuditRepository"]


_last_ns = 0
_ns_lock = threading.Lock()


def _sortable_id() -> str:
    """32 hex digits that sort in insertion order (nanoseconds, then randomness), so
    events with the same timestamp keep their order."""
    global _last_ns
    with _ns_lock:
        _last_ns = max(time.time_ns(), _last_ns + 1)
        ns = _last_ns
    return f"{ns:016x}{secrets.token_hex(8)}"


class AuditRepository(Repository):
    """Add and query audit events."""

    def add(self, action: str, *, actor_id: str | None = None, actor_email: str = "",
            api_key_id: str | None = None, target_type: str = "",
            target_id: str | None = None, details: dict[str, Any] | None = None,
            ip: str | None = None, at: datetime | None = None) -> AuditEvent:
        """Appends one event."""
        row = AuditEvent(id=_sortable_id(), action=action[:64], actor_id=actor_id,
                         actor_email=actor_email[:320],
                         api_key_id=api_key_id, target_type=target_type[:32],
                         target_id=None if target_id is None else str(target_id)[:64],
                         details=jsonable(details) if details else None,
                         ip=None if ip is None else ip[:64])
        if at is not None:
            row.at = at
        with self._db.write() as s:
            s.add(row)
        return row

    def _query(self, *, actor_id: str | None, action: str | None, target_type: str | None,
               target_id: str | None, since: datetime | None, until: datetime | None,
               ip: str | None) -> Select[Any]:
        check_aware(since=since, until=until)
        E = AuditEvent
        stmt: Select[Any] = select(E)
        if actor_id:
            stmt = stmt.where(col(E.actor_id) == actor_id)
        if action:
            # "user.login" exactly, or a prefix ending in "." / "*": "user." / "user.*"
            if action.endswith("*") or action.endswith("."):
                stmt = stmt.where(col(E.action).startswith(action.rstrip("*")))
            else:
                stmt = stmt.where(col(E.action) == action)
        if target_type:
            stmt = stmt.where(col(E.target_type) == target_type)
        if target_id:
            stmt = stmt.where(col(E.target_id) == target_id)
        if since:
            stmt = stmt.where(col(E.at) >= since)
        if until:
            stmt = stmt.where(col(E.at) < until)
        if ip:
            stmt = stmt.where(col(E.ip) == ip)
        return stmt

    def list(self, *, actor_id: str | None = None, action: str | None = None,
             target_type: str | None = None, target_id: str | None = None,
             since: datetime | None = None, until: datetime | None = None,
             ip: str | None = None, limit: int = 100, offset: int = 0
             ) -> builtins.list[AuditEvent]:
        """Events matching every given filter, newest first. ``action`` may be a prefix
        ending in ``.`` or ``*`` (``"user.*"``)."""
        limit, offset = page(limit, offset)
        stmt = self._query(actor_id=actor_id, action=action, target_type=target_type,
                           target_id=target_id, since=since, until=until, ip=ip)
        stmt = stmt.order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
        with self._db.read() as s:
            return [r[0] for r in s.execute(stmt.limit(limit).offset(offset)).all()]

    def count(self, **filters: Any) -> int:
        stmt = self._query(**{k: filters.get(k) for k in (
            "actor_id", "action", "target_type", "target_id", "since", "until", "ip")})
        with self._db.read() as s:
            return int(s.execute(select(func.count()).select_from(stmt.subquery())
                                 ).scalar_one())

    def iterate(self, batch: int = 500, **filters: Any) -> Iterator[AuditEvent]:
        """Every matching event, oldest first, in batches (for exports)."""
        stmt = self._query(**{k: filters.get(k) for k in (
            "actor_id", "action", "target_type", "target_id", "since", "until", "ip")})
        stmt = stmt.order_by(col(AuditEvent.at), col(AuditEvent.id))
        offset = 0
        while True:
            with self._db.read() as s:
                rows = [r[0] for r in s.execute(stmt.limit(batch).offset(offset)).all()]
            yield from rows
            if len(rows) < batch:
                return
            offset += batch

    def prune(self, before: datetime) -> int:
        """Deletes events older than ``before`` (retention)."""
        check_aware(before=before)
        with self._db.write() as s:
            return int(s.exec(delete(AuditEvent).where(col(AuditEvent.at) < before)).rowcount)
