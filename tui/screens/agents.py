"""Agents (key 6): the agents with their state, the runs of the highlighted one (live:
redrawn as runs start, take steps and end), and the approvals inbox, where ``y``
approves and ``n`` rejects the highlighted tool call. Each waiting approval shows the
time left before it expires (counting down each second; at zero the inbox reloads and
the server expires it), then the ones that expired recently, in red. ``m`` opens the
projects' MCP servers (:mod:`tui.screens.mcp_servers`).

It reads ``/api/v1/agents``, ``/agents/{id}/runs``, ``/approvals`` and
``/approvals?status=expired``, and posts ``/approvals/{id}/decision``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Label

from tui.client import API
from tui.messages import LiveEvent
from tui.models import items_of
from tui.models_agents import AgentRun, AgentSummary, Approval
from tui.screens.base import ConsoleScreen
from tui.widgets.status_badge import status_text

__all__ = ["AgentsScreen"]

LIVE_TYPES = ("agent.step", "execution.started", "execution.finished", "execution.waiting")
EXPIRED_SHOWN = 10


def _when(run: AgentRun | Approval) -> str:
    return run.created_at.astimezone().strftime("%m-%d %H:%M:%S") if run.created_at else "-"


def _span(seconds: float) -> str:
    """``45s``, ``4m 05s``, ``2h 03m``, ``3d 04h``."""
    s = int(seconds)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m {s % 60:02d}s"
    if s < 86400:
        return f"{s // 3600}h {s % 3600 // 60:02d}m"
    return f"{s // 86400}d {s % 86400 // 3600:02d}h"


def expiry_text(approval: Approval, now: datetime) -> Text:
    """When ``approval`` expires as the inbox shows it: the time left and the local
    time (yellow in its last minute), ``no limit``, or when it expired (red)."""
    if approval.status == "expired":
        when = approval.decided_at or approval.expires_at
        at = when.astimezone().strftime("%H:%M:%S") if when else ""
        return Text(f"expired {at}".strip(), style="bold red")
    if approval.expires_at is None:
        return Text("no limit", style="dim")
    left = (approval.expires_at - now).total_seconds()
    if left <= 0:
        return Text("expiring now", style="bold red")
    at = approval.expires_at.astimezone().strftime("%H:%M:%S")
    return Text(f"in {_span(left)} ({at})", style="bold yellow" if left < 60 else "")


class AgentsScreen(ConsoleScreen):
    """Agents, their live runs and the inbox."""

    TITLE_TEXT = "Agents"
    BINDINGS = [
        Binding("y", "decide('approve')", "Approve"),
        Binding("n", "decide('reject')", "Reject"),
        Binding("i", "focus_inbox", "Inbox"),
        Binding("m", "mcp_servers", "MCP servers"),
        Binding("escape", "focus_agents", "Agents", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.agents: list[AgentSummary] = []
        self.runs: list[AgentRun] = []
        self.approvals: list[Approval] = []

    def compose_body(self) -> ComposeResult:
        with Horizontal(classes="split"):
            with Vertical():
                yield Label("Agents", classes="section-title")
                yield DataTable(id="agents-table", cursor_type="row", zebra_stripes=True)
                yield Label(
                    "Waiting for your decision (y approve, n reject)", classes="section-title"
                )
                yield DataTable(id="inbox-table", cursor_type="row", zebra_stripes=True)
            with Vertical():
                yield Label("Runs", id="runs-title", classes="section-title")
                yield DataTable(id="runs-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#agents-table", DataTable).add_columns(
            "Name", "State", "Ver", "Model", "Tools"
        )
        box = self.query_one("#inbox-table", DataTable)
        box.add_column("Waiting since")
        box.add_column("Expires", key="expires")
        box.add_columns("Kind", "What")
        self.query_one("#runs-table", DataTable).add_columns(
            "When", "Status", "Prompt", "Answer", "Tokens", "Cost"
        )
        self.query_one("#agents-table", DataTable).focus()
        self.every(1.0, self._count_down)

    def _count_down(self) -> None:
        """Redraws the time left of each waiting approval; one past its expiry reloads
        the inbox (listing it makes the server expire it and end or resume its run)."""
        box = self.query_one("#inbox-table", DataTable)
        now = datetime.now(UTC)
        due = False
        for ap in self.approvals:
            if ap.id in box.rows:
                box.update_cell(ap.id, "expires", expiry_text(ap, now))
            due |= ap.status == "pending" and ap.expires_at is not None and ap.expires_at <= now
        if due:
            self.refresh_soon(0.5)

    @property
    def selected(self) -> AgentSummary | None:
        table = self.query_one("#agents-table", DataTable)
        if not self.agents or not 0 <= table.cursor_row < len(self.agents):
            return None
        return self.agents[table.cursor_row]

    async def reload(self) -> None:
        keep = self.selected.id if self.selected else None
        data = await self.client.get(f"{API}/agents")
        self.agents = [AgentSummary.from_json(d) for d in items_of(data)]
        table = self.query_one("#agents-table", DataTable)
        table.clear()
        for a in self.agents:
            table.add_row(
                Text(a.name, style="bold"),
                status_text(a.state),
                f"v{a.version}",
                a.model,
                str(a.tools),
                key=a.id,
            )
        ids = [a.id for a in self.agents]
        if keep in ids:
            table.move_cursor(row=ids.index(keep))
        inbox = await self.client.get(f"{API}/approvals")
        expired = await self.client.get(
            f"{API}/approvals", params={"status": "expired", "limit": EXPIRED_SHOWN}
        )
        self.approvals = [Approval.from_json(d) for d in items_of(inbox) + items_of(expired)]
        box = self.query_one("#inbox-table", DataTable)
        box.clear()
        now = datetime.now(UTC)
        for ap in self.approvals:
            box.add_row(_when(ap), expiry_text(ap, now), ap.kind, ap.title, key=ap.id)
        self._runs_worker()

    async def _load_runs(self) -> None:
        agent = self.selected
        runs: list[AgentRun] = []
        if agent is not None:
            data = await self.client.get(f"{API}/agents/{agent.id}/runs")
            runs = [AgentRun.from_json(d) for d in items_of(data)]
            self.query_one("#runs-title", Label).update(f"Runs of {agent.name}")
        table = self.query_one("#runs-table", DataTable)
        table.clear()  # after the fetch: no other load can interleave from here on
        self.runs = runs
        for r in self.runs:
            table.add_row(
                _when(r),
                status_text(r.status),
                r.prompt[:60],
                r.answer[:60],
                str(r.tokens),
                f"{r.cost:.4f}",
            )

    @work(group="runs", exclusive=True)
    async def _runs_worker(self) -> None:
        await self.guard(self._load_runs())

    @on(DataTable.RowHighlighted, "#agents-table")
    def _agent_highlighted(self) -> None:
        self._runs_worker()

    def on_live_event(self, message: LiveEvent) -> None:
        if message.event.type in LIVE_TYPES:
            self.refresh_soon()

    # -- actions ----------------------------------------------------------------------
    def action_focus_inbox(self) -> None:
        self.query_one("#inbox-table", DataTable).focus()

    def action_mcp_servers(self) -> None:
        from tui.screens.mcp_servers import McpServersScreen

        self.app.push_screen(McpServersScreen())

    def action_focus_agents(self) -> None:
        self.query_one("#agents-table", DataTable).focus()

    def action_decide(self, decision: str) -> None:
        table = self.query_one("#inbox-table", DataTable)
        if not self.approvals or not 0 <= table.cursor_row < len(self.approvals):
            self.notify("Nothing waits for your decision.", severity="warning")
            return
        approval = self.approvals[table.cursor_row]
        if approval.status != "pending":
            self.notify(
                "This approval expired: nobody decided in time, so its run went on as if "
                "rejected. Nothing to decide.",
                severity="warning",
            )
            return
        self._decide(approval, decision)

    @work(group="decide")
    async def _decide(self, approval: Approval, decision: str) -> None:
        done = await self.guard(
            self.client.post(f"{API}/approvals/{approval.id}/decision", {"decision": decision})
        )
        if done is not None:
            verb = "Approved" if decision == "approve" else "Rejected"
            self.notify(f"{verb}: {approval.title}")
            self.refresh_data()
