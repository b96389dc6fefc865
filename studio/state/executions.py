"""The executions page: every run, filtered by workflow, status and time."""

from __future__ import annotations

import dataclasses
from typing import Any

import reflex as rx

from studio.auth import AuthState
from studio.logic import backend, backend_more

__all__ = ["ExecutionRow", "ExecutionsState"]

TIME_WINDOWS = {"all": 0, "1h": 1, "24h": 24, "7d": 24 * 7, "30d": 24 * 30}


@dataclasses.dataclass
class ExecutionRow:
    id: str = ""
    short: str = ""
    workflow_id: str = ""
    workflow: str = ""
    status: str = ""
    mode: str = ""
    started: str = ""
    when: str = ""
    duration: str = ""
    error: str = ""


def _duration(ms: float | None) -> str:
    if ms is None:
        return ""
    return f"{ms:.0f} ms" if ms < 1000 else f"{ms / 1000:.1f} s"


class ExecutionsState(AuthState):
    """State of the executions page."""

    rows: list[ExecutionRow] = []
    total: int = 0
    workflow: str = ""
    status: str = ""
    window: str = "all"
    workflows: list[dict[str, str]] = []
    loaded: bool = False

    @rx.event
    def load(self) -> None:
        p = self.principal_or_none()
        if p is None:
            return
        wf_id = self.router.url.query_parameters.get("workflow", "")
        if wf_id and not self.loaded:
            self.workflow = wf_id
        rows, self.total = backend_more.list_executions(
            p, self.workflow, self.status, TIME_WINDOWS.get(self.window, 0))
        self.rows = [ExecutionRow(
            id=r["id"], short=r["id"][:8], workflow_id=r["workflow_id"] or "",
            workflow=r["workflow_name"] or "(unsaved workflow)", status=r["status"],
            mode=r["mode"], started=(r["created_at"] or "")[:19].replace("T", " "),
            when=backend.ago(r["created_at"]), duration=_duration(r["duration_ms"]),
            error=(r["error"] or {}).get("message", "") if r["error"] else "")
            for r in rows]
        wfs, _ = backend.list_workflows(p, limit=500)
        self.workflows = [{"id": w["id"], "name": w["name"]} for w in wfs]
        self.loaded = True

    @rx.event
    def set_workflow(self, value: str) -> None:
        self.workflow = "" if value == "__all__" else value
        self.load()

    @rx.event
    def set_status(self, value: str) -> None:
        self.status = "" if value == "__all__" else value
        self.load()

    @rx.event
    def set_window(self, value: str) -> None:
        self.window = value
        self.load()

    @rx.event
    def clear_filters(self) -> None:
        self.workflow = self.status = ""
        self.window = "all"
        self.load()

    @rx.event
    def delete(self, eid: str) -> Any:
        try:
            backend_more.delete_execution(self.principal(), eid)
        except Exception as exc:
            return self.refuse(exc)
        self.load()
        return rx.toast.success("Execution deleted.")
