"""A small Server-Sent Events parser (the ``text/event-stream`` format).

Feed it lines as they arrive; it yields one :class:`SseMessage` per blank-line-terminated
block. Comments (``: keep-alive``) are skipped, multi-line ``data:`` fields are joined
with newlines, ``id:`` and ``retry:`` are kept.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SseMessage", "SseParser"]


@dataclass(frozen=True)
class SseMessage:
    """One dispatched event."""

    event: str
    data: str
    id: str = ""
    retry_ms: int | None = None


class SseParser:
    """Line-by-line SSE decoder keeping the partial block between calls."""

    def __init__(self) -> None:
        self._event = ""
        self._data: list[str] = []
        self._id = ""
        self._retry: int | None = None
        self.last_id = ""

    def feed(self, line: str) -> SseMessage | None:
        """Takes one line (without its newline); returns a message when one is complete."""
        line = line.rstrip("\r\n")
        if line == "":
            return self._dispatch()
        if line.startswith(":"):
            return None
        name, sep, value = line.partition(":")
        if sep and value.startswith(" "):
            value = value[1:]
        if name == "event":
            self._event = value
        elif name == "data":
            self._data.append(value)
        elif name == "id":
            self._id = value
        elif name == "retry" and value.isdigit():
            self._retry = int(value)
        return None

    def _dispatch(self) -> SseMessage | None:
        if not self._data and not self._event:
            return None
        msg = SseMessage(self._event or "message", "\n".join(self._data), self._id,
                         self._retry)
        if self._id:
            self.last_id = self._id
        self._event, self._data, self._id, self._retry = "", [], "", None
        return msg
