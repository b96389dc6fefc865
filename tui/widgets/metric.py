"""A metric card: a title, a big value, a caption and an optional sparkline."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, Sparkline

__all__ = ["MetricCard"]


class MetricCard(Vertical):
    """One figure of the dashboard (``n/a`` until :meth:`show` is called)."""

    DEFAULT_CSS = """
    MetricCard { height: auto; min-height: 7; border: round $primary 50%; padding: 0 1; }
    MetricCard > .metric-title { color: $text-muted; text-style: bold; }
    MetricCard > .metric-value { text-style: bold; color: $text; }
    MetricCard > .metric-caption { color: $text-muted; }
    MetricCard > Sparkline { height: 1; margin: 0; }
    MetricCard.-alert > .metric-value { color: $error; }
    """

    def __init__(self, title: str, *, sparkline: bool = False, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._title = title
        self._sparkline = sparkline

    def compose(self) -> ComposeResult:
        yield Label(self._title, classes="metric-title")
        yield Label("n/a", classes="metric-value")
        if self._sparkline:
            yield Sparkline([], summary_function=max)
        yield Label("", classes="metric-caption")

    @property
    def value(self) -> str:
        """The value shown (for tests and screen readers)."""
        return str(self.query_one(".metric-value", Label).content)

    def show(self, value: str, caption: str = "", series: Sequence[float] | None = None,
             *, alert: bool = False) -> None:
        """Displays ``value`` (and ``series`` in the sparkline)."""
        self.query_one(".metric-value", Label).update(value)
        self.query_one(".metric-caption", Label).update(caption)
        self.set_class(alert, "-alert")
        if self._sparkline:
            self.query_one(Sparkline).data = list(series or [])
