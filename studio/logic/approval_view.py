"""The approvals inbox as the studio shows it, as plain data: an approval's card (what
waits, since when, its subject) and when it expires — the time left and the time in
UTC, or when it expired because nobody decided in time."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

__all__ = ["approval_card", "expiry_text", "span"]


def span(seconds: float) -> str:
    """A duration in words: ``45 s``, ``4 min 05 s``, ``2 h 03 min``, ``3 d 04 h``."""
    s = max(int(seconds), 0)
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    if s < 86400:
        return f"{s // 3600} h {s % 3600 // 60:02d} min"
    return f"{s // 86400} d {s % 86400 // 3600:02d} h"


def _parse(value: Any) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(str(value))


def _utc(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def expiry_text(a: dict[str, Any], now: datetime) -> tuple[str, bool]:
    """What the card says about expiry, and whether it is urgent (under a minute left,
    or expired)."""
    expires = _parse(a.get("expires_at"))
    if a.get("status") == "expired":
        when = _parse(a.get("decided_at")) or expires
        at = f" at {_utc(when)}" if when else ""
        return f"Expired{at}: nobody decided in time.", True
    if expires is None:
        return "Waits until someone decides (no time limit).", False
    left = (expires - now).total_seconds()
    if left <= 0:
        return f"Expires now ({_utc(expires)}).", True
    return f"Expires in {span(left)}, at {_utc(expires)}.", left < 60


def approval_card(a: dict[str, Any], now: datetime) -> dict[str, str]:
    """One approval as the inbox draws it."""
    expires, urgent = expiry_text(a, now)
    return {
        "id": a["id"],
        "title": a["title"],
        "kind": a["kind"],
        "status": a.get("status") or "pending",
        "execution_id": a["execution_id"] or "",
        "subject": json.dumps(a.get("subject") or {}, indent=1, default=str)[:2000],
        "created_at": a["created_at"][:19].replace("T", " "),
        "expires": expires,
        "urgent": "true" if urgent else "",
    }
