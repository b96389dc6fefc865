"""What every main screen shares: header, connection bar, footer, access to the API
client, error reporting, reloading when shown, and live events."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, cast

from textual import work
from textual.app import ComposeResult
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer

from tui.client import ApiClient
from tui.errors import ConsoleError
from tui.messages import FeedModeChanged, LiveEvent
from tui.widgets.connection_bar import ConnectionBar
from tui.widgets.nav_bar import NavBar

if TYPE_CHECKING:
    from tui.app import AuraConsole

__all__ = ["ConsoleScreen"]


class ConsoleScreen(Screen[None]):
    """Base of the main screens (dashboard, workflows, executions, queues, logs).

    Subclasses implement :meth:`compose_body` and :meth:`reload`; they may handle
    :class:`~tui.messages.LiveEvent` with ``on_live_event`` and poll with :meth:`every`.
    Textual calls the resume and suspend handlers of every class in the hierarchy, so
    subclasses do not define (or chain to) their own.
    """

    TITLE_TEXT = ""
    _reload_due = False
    _shown_timers: tuple[Timer, ...] = ()

    def compose(self) -> ComposeResult:
        yield NavBar(self.app.current_mode, self.TITLE_TEXT)
        yield ConnectionBar()
        yield from self.compose_body()
        yield Footer(compact=True)

    def compose_body(self) -> ComposeResult:
        """The screen's own widgets."""
        yield from ()

    @property
    def aura(self) -> AuraConsole:
        """The console app."""
        return cast("AuraConsole", self.app)

    @property
    def client(self) -> ApiClient:
        """The API client of the signed-in server."""
        return self.aura.client

    def on_mount(self) -> None:
        if self.TITLE_TEXT:
            self.sub_title = self.TITLE_TEXT
        self.watch(self, "sub_title", self._sub_title_changed, init=False)

    def _sub_title_changed(self, value: str) -> None:
        nav = self.query_one(NavBar)
        nav.show(nav.mode, value)

    def every(self, interval: float, callback: Callable[[], object]) -> Timer:
        """Calls ``callback`` every ``interval`` seconds while this screen is the one
        shown: paused while another screen is, resumed when it comes back."""
        timer = self.set_interval(interval, callback, pause=True)
        self._shown_timers = (*self._shown_timers, timer)
        return timer

    def on_screen_resume(self) -> None:
        self.refresh_data()
        for timer in self._shown_timers:
            timer.resume()

    def on_screen_suspend(self) -> None:
        for timer in self._shown_timers:
            timer.pause()

    def refresh_data(self) -> None:
        """Reloads the screen's data in the background (one reload at a time)."""
        if self.aura.signed_in:
            self._reload_worker()

    def refresh_soon(self, delay: float = 0.3) -> None:
        """Reloads once within ``delay`` seconds however many times it is asked (a burst
        of live events causes one reload, not one per event)."""
        if not self._reload_due:
            self._reload_due = True
            self.set_timer(delay, self._due)

    def _due(self) -> None:
        self._reload_due = False
        self.refresh_data()

    @work(group="reload", exclusive=True)
    async def _reload_worker(self) -> None:
        try:
            await self.guard(self.reload())
        except NoMatches as exc:  # the screen was closed (or the app quit) mid-reload
            self.log.warning(f"reload of {self!r} abandoned: {exc}")

    async def reload(self) -> None:
        """Fetches and shows the screen's data."""

    async def guard(self, call: Awaitable[Any]) -> Any:
        """Awaits ``call``; a console error is reported instead of raised (None then)."""
        try:
            return await call
        except ConsoleError as exc:
            self.aura.report_error(exc)
            return None

    def on_live_event(self, message: LiveEvent) -> None:
        """A live event arrived (default: nothing)."""

    def on_feed_mode_changed(self, message: FeedModeChanged) -> None:
        """The feed switched source (default: nothing)."""
