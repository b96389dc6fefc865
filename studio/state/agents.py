"""The agents list and the approvals inbox: the agents the user may read, creating one,
and the tool calls (and Approval nodes) waiting for the user's decision."""

from __future__ import annotations

from typing import Any

import reflex as rx

from studio.auth import AuthState

__all__ = ["AgentsState"]


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


def _approval(a: dict[str, Any]) -> dict[str, str]:
    import json

    return {
        "id": a["id"],
        "title": a["title"],
        "kind": a["kind"],
        "execution_id": a["execution_id"] or "",
        "subject": json.dumps(a.get("subject") or {}, indent=1, default=str)[:2000],
        "created_at": a["created_at"][:19].replace("T", " "),
    }


class AgentsState(AuthState):
    agents: list[dict[str, str]] = []
    approvals: list[dict[str, str]] = []
    new_name: str = ""
    error: str = ""

    @rx.event
    def load(self) -> None:
        from engine.services import agents

        p = self.principal_or_none()
        if p is None:
            return
        self.agents = [_row(a) for a in agents.list_agents(p)]
        self.approvals = [_approval(a) for a in agents.inbox(p)]

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
        self.load()
        verb = "Approved" if decision == "approve" else "Rejected"
        return rx.toast.success(f"{verb}: the run goes on.")
