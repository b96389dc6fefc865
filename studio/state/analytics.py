"""The Analytics page: the figures of a period (and optionally one project) from the
analytics service, scoped to the signed-in user's projects (admins: every project)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import reflex as rx

from studio.auth import AuthState
from studio.logic import analytics_view as view

__all__ = ["AnalyticsState"]


class AnalyticsState(AuthState):
    """State of the Analytics page."""

    period: str = "24h"
    project: str = ""
    projects: list[dict[str, str]] = []
    cards: list[dict[str, str]] = []
    bars: list[dict[str, Any]] = []
    statuses: list[dict[str, str]] = []
    workflows: list[dict[str, Any]] = []
    failures: list[dict[str, str]] = []
    failing_nodes: list[dict[str, str]] = []
    waits: list[dict[str, str]] = []
    usage: list[dict[str, str]] = []
    total: int = 0
    peak: str = ""
    sort_by: str = "p95"
    sort_desc: bool = True
    updated: str = ""
    loaded: bool = False

    @rx.var
    def sorted_workflows(self) -> list[dict[str, Any]]:
        return view.sort_workflows(self.workflows, self.sort_by, self.sort_desc)

    @rx.var
    def scope_note(self) -> str:
        if self.is_admin:
            return "Every project" if not self.project else "One project"
        return "Your projects only" if not self.project else "One of your projects"

    @rx.event
    def load(self) -> Any:
        from engine.errors import AuraError
        from engine.services import auth
        from engine.services.analytics import get_analytics
        from studio import auth as studio_auth

        try:
            p = studio_auth.current_principal(self)
        except AuraError:
            return None
        self.projects = [{"id": x.id, "name": x.name} for x in auth.list_projects(p)]
        if self.project and all(x["id"] != self.project for x in self.projects):
            self.project = ""
        since, until, bucket = view.period_bounds(self.period, datetime.now(UTC))
        try:
            data = get_analytics(
                p,
                since=since,
                until=until,
                bucket=bucket,  # type: ignore[arg-type]
                project_id=self.project or None,
            )
        except Exception as exc:
            self.loaded = True
            return self.refuse(exc)
        self.total = data["totals"]["executions"]
        self.cards = view.cards(data)
        self.bars = view.series_bars(data)
        self.peak = view.peak_note(data)
        self.statuses = view.status_split(data)
        self.workflows = view.workflow_rows(data)
        self.failures = view.failure_bars(data)
        self.failing_nodes = [
            {
                "workflow": n["workflow_name"] or "(unsaved workflow)",
                "node": n["node"],
                "node_type": n["node_type"],
                "failures": f"{n['failures']:,}",
            }
            for n in data["failing_nodes"]
        ]
        self.waits = view.wait_rows(data)
        self.usage = view.usage_rows(data)
        self.updated = until.strftime("%H:%M:%S")
        self.loaded = True
        return None

    @rx.event
    def set_period(self, value: str) -> Any:
        self.period = value if value in view.PERIODS else "24h"
        return self.load()

    @rx.event
    def set_project(self, value: str) -> Any:
        self.project = "" if value == "__all__" else value
        return self.load()

    @rx.event
    def sort(self, key: str) -> None:
        if key == self.sort_by:
            self.sort_desc = not self.sort_desc
        else:
            self.sort_by, self.sort_desc = key, key != "workflow"
