"""MCP servers (``m`` on the agents screen): the MCP servers the projects' agents may
use, with the state of their connection as tested from here — ``t`` tests the
highlighted one, ``a`` tests them all; a test connects from the AURA server as the
signed-in user and lists the tools an agent would be offered, or says why it could not
connect.

It reads ``/api/v1/projects`` and ``/projects/{id}/mcp-servers``, and posts
``/projects/{id}/mcp-servers/{name}/test``. Servers are added and edited in the studio
(MCP servers page) or through that API.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Label, Static

from tui.client import API
from tui.errors import ApiError, AuthRequired
from tui.models import items_of
from tui.models_agents import McpServer, McpTool
from tui.screens.base import ConsoleScreen

__all__ = ["McpServersScreen"]

EMPTY = (
    "No MCP server configured in your projects. Add one in the studio (Agents → MCP "
    "servers) or with PUT /api/v1/projects/{id}/mcp-servers."
)
WHERE_MAX = 48


@dataclass
class Probe:
    """What the last connection test of a server found."""

    state: str = "untested"  # untested, testing, ok, failed
    at: datetime | None = None
    tools: list[McpTool] = field(default_factory=list)
    message: str = ""


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def probe_text(probe: Probe) -> Text:
    """A server's connection state as the table shows it."""
    at = probe.at.astimezone().strftime("%H:%M:%S") if probe.at else ""
    if probe.state == "ok":
        n = len(probe.tools)
        return Text(f"✔ connected · {n} tool{'s' if n != 1 else ''} · {at}", style="bold green")
    if probe.state == "failed":
        return Text(f"✘ failed · {at}", style="bold red")
    if probe.state == "testing":
        return Text("… testing", style="bold yellow")
    return Text("not tested (t)", style="dim")


class McpServersScreen(ConsoleScreen):
    """The projects' MCP servers and their connection tests."""

    TITLE_TEXT = "MCP servers"
    BINDINGS = [
        Binding("t", "test", "Test"),
        Binding("a", "test_all", "Test all"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.servers: list[McpServer] = []
        self.probes: dict[tuple[str, str], Probe] = {}
        self.projects: dict[str, str] = {}

    def compose_body(self) -> ComposeResult:
        yield Label("MCP servers of your projects (t test, a test all)", classes="section-title")
        yield DataTable(id="mcp-table", cursor_type="row", zebra_stripes=True)
        yield Label("", id="mcp-empty", classes="note")
        yield Label("Connection", classes="section-title")
        yield Static("Highlight a server and press t to test it.", id="mcp-detail")

    def on_mount(self) -> None:
        super().on_mount()
        table = self.query_one("#mcp-table", DataTable)
        table.add_columns("Name", "Project", "Transport", "Where", "Tools offered")
        table.add_column("Connection", key="state")
        table.focus()

    @property
    def selected(self) -> McpServer | None:
        table = self.query_one("#mcp-table", DataTable)
        if not self.servers or not 0 <= table.cursor_row < len(self.servers):
            return None
        return self.servers[table.cursor_row]

    def _key(self, server: McpServer) -> tuple[str, str]:
        return (server.project_id, server.name)

    def _row_key(self, server: McpServer) -> str:
        return f"{server.project_id}/{server.name}"

    async def reload(self) -> None:
        data = await self.client.get(f"{API}/projects")
        self.projects = {str(p["id"]): str(p.get("name") or "") for p in items_of(data)}
        servers: list[McpServer] = []
        for pid in self.projects:
            try:
                found = await self.client.get(f"{API}/projects/{pid}/mcp-servers")
            except ApiError as exc:
                if isinstance(exc, AuthRequired):
                    raise
                continue  # a project whose servers this user may not read
            servers += [McpServer.from_json(pid, d) for d in items_of(found)]
        keep = self.selected
        self.servers = servers
        table = self.query_one("#mcp-table", DataTable)
        table.clear()
        for s in servers:
            table.add_row(
                Text(s.name, style="bold"),
                self.projects.get(s.project_id) or s.project_id[:8],
                s.transport,
                _clip(s.where, WHERE_MAX),
                ", ".join(s.tools) or "all",
                probe_text(self.probes.get(self._key(s), Probe())),
                key=self._row_key(s),
            )
        keys = [self._key(s) for s in servers]
        if keep is not None and self._key(keep) in keys:
            table.move_cursor(row=keys.index(self._key(keep)))
        self.query_one("#mcp-empty", Label).update("" if servers else EMPTY)
        self._show_detail()

    def _show_detail(self) -> None:
        server = self.selected
        detail = self.query_one("#mcp-detail", Static)
        if server is None:
            detail.update("")
            return
        probe = self.probes.get(self._key(server), Probe())
        text = Text(f"{server.name} ({server.transport}): {server.where}\n", style="bold")
        if probe.state == "failed":
            text.append(probe.message, style="red")
        elif probe.state == "ok":
            for tool in probe.tools:
                text.append(f"{tool.called_as}", style="cyan")
                text.append(f"({', '.join(tool.arguments)})  {tool.description}\n")
            if not probe.tools:
                text.append("Connected; it offers no tools.")
        elif probe.state == "testing":
            text.append("Connecting…", style="yellow")
        else:
            text.append("Not tested yet: press t to connect and list its tools.", style="dim")
        detail.update(text)

    def _set_probe(self, server: McpServer, probe: Probe) -> None:
        self.probes[self._key(server)] = probe
        table = self.query_one("#mcp-table", DataTable)
        if self._row_key(server) in table.rows:
            table.update_cell(self._row_key(server), "state", probe_text(probe))
        if self.selected == server:
            self._show_detail()

    async def _test(self, server: McpServer) -> None:
        self._set_probe(server, Probe("testing"))
        try:
            data = await self.client.post(
                f"{API}/projects/{server.project_id}/mcp-servers/{server.name}/test"
            )
        except ApiError as exc:
            if isinstance(exc, AuthRequired):
                raise
            self._set_probe(server, Probe("failed", datetime.now(UTC), message=exc.message))
            return
        tools = [McpTool.from_json(d) for d in items_of(data)]
        self._set_probe(server, Probe("ok", datetime.now(UTC), tools))

    @on(DataTable.RowHighlighted, "#mcp-table")
    def _highlighted(self) -> None:
        self._show_detail()

    # -- actions ----------------------------------------------------------------------
    def action_back(self) -> None:
        self.app.pop_screen()

    def action_test(self) -> None:
        server = self.selected
        if server is None:
            self.notify("No MCP server to test.", severity="warning")
            return
        self._test_worker([server])

    def action_test_all(self) -> None:
        if not self.servers:
            self.notify("No MCP server to test.", severity="warning")
            return
        self._test_worker(list(self.servers))

    @work(group="mcp-test")
    async def _test_worker(self, servers: list[McpServer]) -> None:
        for server in servers:
            await self.guard(self._test(server))
