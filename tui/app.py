"""The AURA operator console: a Textual app that is a client of the HTTP API.

Seven main screens are app *modes* (each keeps its own screen stack): dashboard (1),
workflows (2), executions (3), queues (4), logs (5), agents (6) and knowledge (7).
The app owns the API client, the sign-in (:mod:`tui.screens.login`), the connection
monitor (:mod:`tui.connection`) and the live feed (:mod:`tui.feed`); screens reach them
through :class:`~tui.screens.base.ConsoleScreen`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

import httpx
from textual.app import App, ScreenStackError, SystemCommand
from textual.binding import Binding, BindingType
from textual.reactive import reactive
from textual.screen import Screen

from tui.client import ApiClient
from tui.commands import ConsoleCommands
from tui.config import DEFAULT_URL, ConsoleConfig, Credentials, normalize_url
from tui.connection import Backoff, ConnectionMonitor, ConnectionState
from tui.errors import AuthRequired, ConsoleError, Unreachable
from tui.feed import LiveFeed
from tui.messages import FeedModeChanged, LiveEvent
from tui.models import Event, Me
from tui.screens.agents import AgentsScreen
from tui.screens.dashboard import DashboardScreen
from tui.screens.executions import ExecutionsScreen
from tui.screens.help import HelpScreen
from tui.screens.knowledge import KnowledgeScreen
from tui.screens.login import LoginScreen
from tui.screens.logs import LogsScreen
from tui.screens.queues import QueuesScreen
from tui.screens.workflows import WorkflowsScreen
from tui.widgets.nav_bar import SCREENS

__all__ = ["SCREENS_ORDER", "AuraConsole"]

SCREENS_ORDER = SCREENS
THEMES = ("textual-dark", "textual-light")


class AuraConsole(App[None]):
    """The console. ``url`` defaults to the last server used (or 127.0.0.1:5678).

    Args:
        url: the AURA server.
        config: saved settings and sign-ins (default: the user's config file).
        api_key: sign in with this key instead of the saved sign-in (not saved).
        poll_interval: seconds between polls when the server has no event stream.
        health_interval: seconds between health probes while connected.
        backoff: reconnection delays while the server does not answer.
        probe_interval: seconds between attempts to get an event stream while polling.
        transport: an ``httpx`` transport for every request (tests).
    """

    TITLE = "AURA console"
    CSS_PATH = "app.tcss"
    MODES: ClassVar[dict[str, Any]] = {
        "dashboard": DashboardScreen, "workflows": WorkflowsScreen,
        "executions": ExecutionsScreen, "queues": QueuesScreen, "logs": LogsScreen,
        "agents": AgentsScreen, "knowledge": KnowledgeScreen}
    BINDINGS: ClassVar[list[BindingType]] = [
        *(Binding(str(i), f"show('{mode}')", title, show=False)
          for i, (mode, title) in enumerate(SCREENS_ORDER, 1)),
        Binding("question_mark,f1", "help", "Help"),
        Binding("ctrl+t", "toggle_theme", "Theme", show=False),
        Binding("ctrl+r", "reconnect", "Reconnect now", show=False),
    ]
    COMMANDS = App.COMMANDS | {ConsoleCommands}
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]

    connection: reactive[ConnectionState] = reactive(ConnectionState, always_update=True)
    feed_mode: reactive[str] = reactive("connecting")

    def __init__(self, url: str | None = None, *, config: ConsoleConfig | None = None,
                 api_key: str | None = None, poll_interval: float = 2.0,
                 health_interval: float = 5.0, backoff: Backoff | None = None,
                 probe_interval: float = 30.0,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        super().__init__()
        self.config = config or ConsoleConfig.load()
        self.url = normalize_url(url or self.config.last_url or DEFAULT_URL)
        self.poll_interval = poll_interval
        self.health_interval = health_interval
        self.backoff = backoff or Backoff()
        self.probe_interval = probe_interval
        self._api_key = api_key
        self._transport = transport
        self.me: Me | None = None
        self.client = self._new_client(self.url, self._initial_credentials(self.url))
        self.monitor: ConnectionMonitor | None = None
        self.feed: LiveFeed | None = None
        self._login_shown = False
        self.set_reactive(AuraConsole.connection, ConnectionState(url=self.url))

    # -- sign-in ----------------------------------------------------------------------
    def _initial_credentials(self, url: str) -> Credentials | None:
        if self._api_key:
            return Credentials("api_key", api_key=self._api_key)
        return self.config.credentials(url)

    def _new_client(self, url: str, creds: Credentials | None) -> ApiClient:
        def saved(new: Credentials) -> None:
            self.config.remember(url, new)

        return ApiClient(url, creds, on_credentials=saved, transport=self._transport)

    async def use_server(self, url: str) -> ApiClient:
        """Points the console at ``url`` (with its saved sign-in, if any)."""
        url = normalize_url(url)
        if url != self.client.url:
            await self.client.close()
            self.url = url
            self.client = self._new_client(url, self._initial_credentials(url))
            self.connection = ConnectionState(url=url)
        return self.client

    @property
    def signed_in(self) -> bool:
        return self.me is not None

    @property
    def user_label(self) -> str:
        """``email (role)`` of the signed-in account."""
        if self.me is None:
            return ""
        via = ", API key" if self.client.credentials.kind == "api_key" else ""
        return f"{self.me.email or self.me.name} ({self.me.role}{via})"

    @property
    def feed_text(self) -> str:
        return self.feed.describe() if self.feed is not None else ""

    def on_mount(self) -> None:
        if self.config.theme in self.available_themes:
            self.theme = self.config.theme
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        self.require_login()

    def require_login(self, reason: str = "") -> None:
        """Shows the sign-in screen (once), e.g. after the session expired."""
        if self._login_shown:
            return
        self._login_shown = True
        self.me = None
        self.push_screen(LoginScreen(self.url, reason), callback=self._signed_in)

    def _signed_in(self, me: Me | None) -> None:
        self._login_shown = False
        if me is None:
            self.exit()
            return
        self.me = me
        self.connection = ConnectionState("connected", self.client.url,
                                          since=self.connection.since)
        self._start_background()
        self.switch_mode("dashboard")
        self.notify(f"Signed in to {self.client.url} as {self.user_label}.", timeout=3)

    def _start_background(self) -> None:
        self.workers.cancel_group(self, "background")
        self.monitor = ConnectionMonitor(self.client.url, self.client.health,
                                         self._connection_changed,
                                         interval=self.health_interval, backoff=self.backoff)
        self.feed = LiveFeed(lambda: self.client, self._publish, self._feed_mode_changed,
                             poll_interval=self.poll_interval,
                             probe_interval=self.probe_interval)
        self.run_worker(self.monitor.run(), group="background", name="monitor")
        self.run_worker(self.feed.run(), group="background", name="feed")

    async def sign_out(self) -> None:
        """Ends the session, forgets the saved sign-in and shows the sign-in screen."""
        self.workers.cancel_group(self, "background")
        await self.client.logout()
        self.config.forget(self.client.url)
        self.require_login("Signed out.")

    # -- background reports -----------------------------------------------------------
    def _active_screen(self) -> Screen[Any] | None:
        """The screen on top, or None while the app is starting or shutting down (the
        background workers report at any time)."""
        try:
            return self.screen
        except ScreenStackError:
            return None

    def _connection_changed(self, state: ConnectionState) -> None:
        was = self.connection
        self.connection = state
        screen = self._active_screen()
        if state.connected and was.status == "reconnecting" and screen is not None:
            self.notify("The server answers again.", title="Reconnected", timeout=3)
            screen.post_message(FeedModeChanged(self.feed_mode))
            if hasattr(screen, "refresh_data"):
                screen.refresh_data()

    def _publish(self, event: Event) -> None:
        screen = self._active_screen()
        if screen is not None:
            screen.post_message(LiveEvent(event))

    def _feed_mode_changed(self, mode: str) -> None:
        self.feed_mode = mode
        screen = self._active_screen()
        if screen is not None:
            screen.post_message(FeedModeChanged(mode))

    def report_error(self, exc: ConsoleError) -> None:
        """Shows an API error the right way: sign-in, reconnect state or a notice."""
        if isinstance(exc, AuthRequired):
            self.require_login(exc.message)
        elif isinstance(exc, Unreachable):
            if self.monitor is not None:
                self.monitor.check_now()
            if self.connection.connected:
                self.notify(exc.message, severity="warning", timeout=4)
        else:
            self.notify(exc.message, title="The server refused", severity="error",
                        timeout=6)

    # -- actions ----------------------------------------------------------------------
    def action_show(self, mode: str) -> None:
        """Switches to a main screen (only once signed in)."""
        if self.signed_in and mode in self.MODES:
            self.switch_mode(mode)

    def action_help(self) -> None:
        """Shows the keys of the current screen and of the app."""
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_toggle_theme(self) -> None:
        """Switches between the dark and the light theme."""
        self.theme = THEMES[1] if self.current_theme.dark else THEMES[0]

    def _theme_changed(self, _: Any) -> None:
        if self.config.theme != self.theme:
            self.config.theme = self.theme
            self.config.save()

    def action_reconnect(self) -> None:
        """Probes the server now instead of waiting for the backoff."""
        if self.monitor is not None:
            self.monitor.check_now()

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if self.signed_in:
            for i, (mode, title) in enumerate(SCREENS_ORDER, 1):
                yield SystemCommand(f"Go to {title}", f"Open the {title.lower()} screen "
                                    f"(key {i})", lambda m=mode: self.action_show(m))
            yield SystemCommand("Sign out", f"Sign out of {self.client.url} and forget "
                                "the saved sign-in", self._sign_out_command)
        yield SystemCommand("Toggle light/dark", "Switch between the light and dark theme "
                            "(ctrl+t)", self.action_toggle_theme)
        yield SystemCommand("Reconnect now", "Probe the server now (ctrl+r)",
                            self.action_reconnect)
        yield SystemCommand("Help", "Keys of this screen (?)", self.action_help)

    def _sign_out_command(self) -> None:
        self.run_worker(self.sign_out(), group="sign-out")

    async def action_quit(self) -> None:
        self.workers.cancel_group(self, "background")
        await self.client.close()
        self.exit()
