"""The agents list and the approvals inbox: the agents the user may read, creating one,
and the tool calls (and Approval nodes) waiting for the user's decision, each saying
when it expires, then the ones that expired recently. While the inbox page is open it
refreshes itself every few seconds (the time left, new requests, expiries)."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from typing import Any

import reflex as rx

from studio.auth import AuthState
from studio.logic.approval_view import approval_card

__all__ = ["AgentsState"]

INBOX = "/approvals"
EXPIRED_SHOWN = 10
WATCH_EVERY_S = 5.0
WATCH_FOR_S = 600.0


def _row(a: Any) -> dict[str, str]:
    d = a.to_dict()
    model = (d.get("definition") or {}).get("model") or {}
    return {
        "id": d["id"],
        "name": d["name"],
        "description": d["description"],
        "state": d["state"],
        "version": str(d["version"]),
        "model": str(model.get("model") or model.get("provider") or ""),
        "tools": str(len((d.get("definition") or {}).get("tools") or [])),
    }


class AgentsState(AuthState):
    agents: list[dict[str, str]] = []
    approvals: list[dict[str, str]] = []
    expired: list[dict[str, str]] = []
    new_name: str = ""
    error: str = ""
    _watch: int = 0

    @rx.event
    def load(self) -> Any:
        from engine.services import agents

        p = self.principal_or_none()
        if p is None:
            return None
        self.agents = [_row(a) for a in agents.list_agents(p)]
        self._load_inbox(p)
        if self._path() == INBOX:
            self._watch += 1
            return AgentsState.watch_inbox(self._watch)
        return None

    def _path(self) -> str:
        try:
            return str(self.router.url.path).rstrip("/") or "/"
        except Exception:  # no router outside a running app (unit tests)
            return ""

    def _load_inbox(self, p: Any) -> None:
        from engine.services import agents

        now = datetime.now(UTC)
        self.approvals = [approval_card(a, now) for a in agents.inbox(p)]
        recent = agents.inbox(p, status="expired", limit=EXPIRED_SHOWN)
        self.expired = [approval_card(a, now) for a in recent]

    @rx.event(background=True)
    async def watch_inbox(self, generation: int) -> None:
        """Refreshes the inbox every few seconds while its page is open (for ten
        minutes after it was opened; a newer load takes over)."""
        started = time.monotonic()
        while time.monotonic() - started < WATCH_FOR_S:
            await asyncio.sleep(WATCH_EVERY_S)
            async with self:
                if self._watch != generation or self._path() != INBOX:
                    return
                p = self.principal_or_none()
                if p is None:
                    return
            try:
                from engine.services import agents

                now = datetime.now(UTC)
                pending = await asyncio.to_thread(agents.inbox, p)
                recent = await asyncio.to_thread(
                    agents.inbox, p, status="expired", limit=EXPIRED_SHOWN
                )
            except Exception:
                return
            async with self:
                self.approvals = [approval_card(a, now) for a in pending]
                self.expired = [approval_card(a, now) for a in recent]

    @rx.event
    def set_new_name(self, value: str) -> None:
        self.new_name = value
        self.error = ""

    @rx.event
    def create(self) -> Any:
        from engine.services import agents

        name = self.new_name.strip()
        if not name:
            self.error = "Give the agent a name, e.g. 'Support helper'."
            return None
        try:
            view = agents.create_agent(self.principal(), name)
        except Exception as exc:
            return self.refuse(exc)
        self.new_name = ""
        return rx.redirect(f"/agents/{view.id}")

    @rx.event
    def decide(self, approval_id: str, decision: str) -> Any:
        from engine.services import agents

        try:
            agents.decide(self.principal(), approval_id, decision)
        except Exception as exc:
            return self.refuse(exc)
        self._load_inbox(self.principal())
        verb = "Approved" if decision == "approve" else "Rejected"
        return rx.toast.success(f"{verb}: the run goes on.")
