"""Status badges: one colour and symbol per execution, node, worker or service state,
used by every table so a status reads the same everywhere."""

from __future__ import annotations

from rich.text import Text

__all__ = ["STATUS_STYLES", "status_text"]

STATUS_STYLES: dict[str, tuple[str, str]] = {
    "succeeded": ("✔", "green"),
    "success": ("✔", "green"),
    "ok": ("✔", "green"),
    "healthy": ("✔", "green"),
    "ready": ("✔", "green"),
    "up": ("✔", "green"),
    "idle": ("○", "green"),
    "running": ("▶", "cyan"),
    "busy": ("▶", "cyan"),
    "started": ("▶", "cyan"),
    "queued": ("…", "yellow"),
    "scheduled": ("◷", "yellow"),
    "deferred": ("◷", "yellow"),
    "waiting": ("⏸", "magenta"),
    "suspended": ("⏸", "magenta"),
    "degraded": ("!", "yellow"),
    "stale": ("?", "yellow"),
    "failed": ("✖", "red"),
    "crashed": ("☠", "red"),
    "error": ("✖", "red"),
    "down": ("✖", "red"),
    "unhealthy": ("✖", "red"),
    "cancelled": ("⊘", "bright_black"),
    "skipped": ("↷", "bright_black"),
    "active": ("●", "green"),
    "inactive": ("○", "bright_black"),
}


def status_text(status: str, *, width: int = 0) -> Text:
    """``status`` with its symbol and colour, padded to ``width``."""
    symbol, style = STATUS_STYLES.get(status.lower(), ("·", "white"))
    label = f"{symbol} {status}"
    return Text(label.ljust(width), style=f"bold {style}")
