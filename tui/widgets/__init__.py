"""Widgets of the console: status badges, the connection bar, the JSON viewer, the
workflow definition tree and metric cards."""

from __future__ import annotations

from tui.widgets.connection_bar import ConnectionBar
from tui.widgets.json_view import JsonView
from tui.widgets.metric import MetricCard
from tui.widgets.nav_bar import NavBar
from tui.widgets.status_badge import status_text
from tui.widgets.workflow_tree import WorkflowTree

__all__ = ["ConnectionBar", "JsonView", "MetricCard", "NavBar", "WorkflowTree", "status_text"]
