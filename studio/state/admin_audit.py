"""Admin > Audit log: who did what, filtered by actor, action, target and dates, a page
at a time, exported as JSON lines or CSV with the same filters."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import reflex as rx

from engine.errors import AuraError, ValidationError
from studio.auth import AuthState
from studio.state.admin_base import AdminGate, fmt_time

__all__ = ["PAGE_SIZE", "TARGET_TYPES", "AdminAuditState", "audit_filters", "audit_row"]

PAGE_SIZE = 50
TARGET_TYPES = ["apikey", "credential", "invitation", "project", "setting", "user",
                "workflow"]
ANY = "any"


def _day(text: str, label: str) -> datetime | None:
    if not text.strip():
        return None
    try:
        return datetime.fromisoformat(text.strip()[:10]).replace(tzinfo=UTC)
    except ValueError:
        raise ValidationError(f"{label} must be a date like 2026-11-25.") from None


def audit_filters(actor_id: str, action: str, target_type: str, target_id: str,
                  since: str, until: str) -> dict[str, Any]:
    """The service filters for the form's values (``until`` includes that whole day).

    Raises:
        ValidationError: a date is malformed or the range is empty.
    """
    out: dict[str, Any] = {}
    if actor_id and actor_id != ANY:
        out["actor_id"] = actor_id
    act = action.strip()
    if act:
        out["action"] = act if act.endswith(("*", ".")) or "." in act else f"{act}.*"
    if target_type and target_type != ANY:
        out["target_type"] = target_type
    if target_id.strip():
        out["target_id"] = target_id.strip()
    start, end = _day(since, "'From'"), _day(until, "'To'")
    if start is not None:
        out["since"] = start
    if end is not None:
        out["until"] = end + timedelta(days=1)
    if start is not None and end is not None and end < start:
        raise ValidationError("'To' is before 'From'; pick a date range that ends after it "
                              "starts.")
    return out


def audit_row(e: Any) -> dict[str, str]:
    details = json.dumps(e.details, ensure_ascii=False, sort_keys=True) if e.details else ""
    return {"id": e.id, "at": fmt_time(e.at) + e.at.strftime(":%S"),
            "actor": e.actor_email or (e.actor_id or "system"),
            "via": "API key" if e.api_key_id else "", "action": e.action,
            "target_type": e.target_type or "", "target_id": e.target_id or "",
            "ip": e.ip or "", "details": details[:300]}


class AdminAuditState(AdminGate, AuthState):
    rows: list[dict[str, str]] = []
    actors: list[dict[str, str]] = []
    target_types: list[str] = TARGET_TYPES
    actor_id: str = ANY
    action: str = ""
    target_type: str = ANY
    target_id: str = ""
    since: str = ""
    until: str = ""
    offset: int = 0
    has_more: bool = False
    error: str = ""

    @rx.var
    def page_label(self) -> str:
        if not self.rows:
            return "No events"
        return f"Events {self.offset + 1} to {self.offset + len(self.rows)}"

    def _filters(self) -> dict[str, Any]:
        return audit_filters(self.actor_id, self.action, self.target_type, self.target_id,
                             self.since, self.until)

    def _reload(self, p: Any) -> None:
        from engine.services import auth

        if not self.actors:
            self.actors = [{"id": u.id, "email": u.email}
                           for u in auth.list_users(p, limit=1000)]
        try:
            filters = self._filters()
        except ValidationError as exc:
            self.error, self.rows, self.has_more = exc.message, [], False
            return
        self.error = ""
        found = auth.audit_log(p, limit=PAGE_SIZE + 1, offset=self.offset, **filters)
        self.has_more = len(found) > PAGE_SIZE
        self.rows = [audit_row(e) for e in found[:PAGE_SIZE]]

    def _refresh(self, *, first_page: bool = True) -> Any:
        if first_page:
            self.offset = 0
        try:
            self._reload(self._admin())
        except AuraError as exc:
            return self._fail(exc)
        return None

    @rx.event
    def load(self) -> Any:
        self.actors = []
        return self._load()

    @rx.event
    def set_actor(self, value: str) -> Any:
        self.actor_id = value
        return self._refresh()

    @rx.event
    def set_target_type(self, value: str) -> Any:
        self.target_type = value
        return self._refresh()

    @rx.event
    def set_since(self, value: str) -> Any:
        self.since = value
        return self._refresh()

    @rx.event
    def set_until(self, value: str) -> Any:
        self.until = value
        return self._refresh()

    @rx.event
    def apply_text(self, form: dict[str, Any]) -> Any:
        """The action and target id boxes (submitted with Enter or the Filter button)."""
        self.action = str(form.get("action") or "")
        self.target_id = str(form.get("target_id") or "")
        return self._refresh()

    @rx.event
    def clear(self) -> Any:
        self.actor_id, self.target_type = ANY, ANY
        self.action = self.target_id = self.since = self.until = ""
        return self._refresh()

    @rx.event
    def newer(self) -> Any:
        self.offset = max(0, self.offset - PAGE_SIZE)
        return self._refresh(first_page=False)

    @rx.event
    def older(self) -> Any:
        if self.has_more:
            self.offset += PAGE_SIZE
        return self._refresh(first_page=False)

    @rx.event
    def export(self, fmt: str) -> Any:
        """Downloads every matching event (oldest first) as ``aura-audit-<time>.<fmt>``."""
        from engine.services import auth

        try:
            p = self._admin()
            text = "".join(auth.export_audit(p, fmt, **self._filters()))
        except AuraError as exc:
            return self._fail(exc)
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
        return rx.download(data=text, filename=f"aura-audit-{stamp}.{fmt}")
