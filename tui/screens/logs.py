"""Logs (key 5): follow the live event stream, filtered by kind, text and errors.

Events come from the app's live feed (the server's SSE stream, or changes seen while
polling ``/executions``); the screen keeps nothing itself and redraws from the feed's
history whenever a filter changes or it is shown again.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Input, Label, RichLog, Select

from tui.messages import FeedModeChanged, LiveEvent
from tui.models import Event
from tui.screens.base import ConsoleScreen
from tui.widgets.status_badge import STATUS_STYLES

__all__ = ["KINDS", "LogsScreen", "event_line", "matches"]

KINDS = [("Executions", "execution."), ("Nodes", "node."), ("Workflows", "workflow."),
         ("Services", "service.")]
ERRORS = {"failed", "crashed", "error"}


def matches(event: Event, kind: str | None, text: str, errors_only: bool) -> bool:
    """Whether ``event`` passes the filters (``kind`` is a type prefix)."""
    if kind and not event.type.startswith(kind):
        return False
    if errors_only and event.status not in ERRORS and not event.type.endswith(
            ("failed", "error", "crashed")):
        return False
    if text:
        hay = " ".join((event.type, event.status, event.workflow_name, event.workflow_id,
                        event.execution_id, event.node, event.message)).lower()
        return all(word in hay for word in text.lower().split())
    return True


def event_line(event: Event) -> Text:
    """One log line: time, type, status, workflow, execution, node, message."""
    _, style = STATUS_STYLES.get(event.status, ("", "white"))
    line = Text()
    line.append(event.at.astimezone().strftime("%H:%M:%S "), style="dim")
    line.append(f"{event.type:<20} ", style="bold")
    if event.status:
        line.append(f"{event.status:<10} ", style=style)
    if event.workflow_name or event.workflow_id:
        line.append(f"{event.workflow_name or event.workflow_id[:8]} ", style="bold")
    if event.execution_id:
        line.append(f"{event.execution_id[:8]} ", style="cyan")
    if event.node:
        line.append(f"▸ {event.node} ", style="magenta")
    if event.message:
        line.append(event.message, style="red" if event.status in ERRORS else "")
    if event.source == "poll":
        line.append("  (polled)", style="dim italic")
    return line


class LogsScreen(ConsoleScreen):
    """The live event log."""

    TITLE_TEXT = "Logs"
    BINDINGS = [
        Binding("slash", "focus_filter", "Filter"),
        Binding("f", "toggle_follow", "Follow/pause"),
        Binding("E", "toggle_errors", "Errors only"),
        Binding("C", "clear", "Clear"),
        Binding("escape", "focus_log", "Log", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.follow = True
        self.errors_only = False
        self.kind: str | None = None
        self.shown = 0
        self._cleared_at = 0

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="log-filters", classes="filters"):
            yield Input(placeholder="/ filter: words in workflow, id, node, message",
                        id="log-text")
            yield Select(KINDS, prompt="All events", id="log-kind")
        yield RichLog(id="log", wrap=False, highlight=False, markup=False, max_lines=5000)
        yield Label("", id="log-info", classes="note")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one(RichLog).focus()

    async def reload(self) -> None:
        self._redraw()

    def _filters(self) -> tuple[str | None, str, bool]:
        return self.kind, self.query_one("#log-text", Input).value.strip(), self.errors_only

    def _history(self) -> list[Event]:
        feed = self.aura.feed
        return feed.since(self._cleared_at) if feed is not None else []

    def _redraw(self) -> None:
        log = self.query_one(RichLog)
        log.clear()
        self.shown = 0
        kind, text, errors = self._filters()
        for event in self._history():
            if matches(event, kind, text, errors):
                log.write(event_line(event), scroll_end=self.follow)
                self.shown += 1
        self._show_info()

    def _show_info(self) -> None:
        feed = self.aura.feed
        source = feed.describe() if feed is not None else "no feed"
        state = "following" if self.follow else "paused (f resumes)"
        errors = " · errors only" if self.errors_only else ""
        empty = "" if self.shown else " · nothing yet: events appear as executions run"
        self.query_one("#log-info", Label).update(
            f"{self.shown} event(s){errors} · {state} · {source}{empty}")

    def on_live_event(self, message: LiveEvent) -> None:
        if matches(message.event, *self._filters()):
            self.query_one(RichLog).write(event_line(message.event),
                                          scroll_end=self.follow)
            self.shown += 1
            self._show_info()

    def on_feed_mode_changed(self, message: FeedModeChanged) -> None:
        self._show_info()

    @on(Input.Changed, "#log-text")
    def _text_changed(self) -> None:
        self._redraw()

    @on(Input.Submitted, "#log-text")
    def _text_submitted(self) -> None:
        self.action_focus_log()

    @on(Select.Changed, "#log-kind")
    def _kind_changed(self, event: Select.Changed) -> None:
        self.kind = None if event.value is Select.NULL else str(event.value)
        self._redraw()

    def action_focus_filter(self) -> None:
        """Moves to the text filter."""
        self.query_one("#log-text", Input).focus()

    def action_focus_log(self) -> None:
        """Back to the log."""
        self.query_one(RichLog).focus()

    def action_toggle_follow(self) -> None:
        """Stops or resumes scrolling to new events."""
        self.follow = not self.follow
        log = self.query_one(RichLog)
        log.auto_scroll = self.follow
        if self.follow:
            log.scroll_end(animate=False)
        self._show_info()

    def action_toggle_errors(self) -> None:
        """Shows only failures, or everything again."""
        self.errors_only = not self.errors_only
        self._redraw()

    def action_clear(self) -> None:
        """Clears the log (new events still appear)."""
        feed = self.aura.feed
        self._cleared_at = feed.emitted if feed is not None else 0
        self._redraw()
