"""Per-run state of the sandboxed process and the refusal exception.

Kept apart so that both the guards and the module proxies can refuse without importing
each other. A run process is forked fresh for each request, so this state never carries
over from one run to the next.
"""

from __future__ import annotations

import sys
import types

__all__ = ["STATE", "USER_FILENAME", "Violation", "refuse", "user_line"]

USER_FILENAME = "<code>"


class Violation(BaseException):
    """A refused operation. Not an ``Exception``: user code cannot catch it."""


class _State:
    def __init__(self) -> None:
        self.violation: str | None = None
        self.violation_line: int | None = None
        self.user_classes: set[type] = set()
        self.stdout: list[str] = []
        self.stdout_size = 0
        self.stdout_truncated = False
        self.max_stdout = 256 * 1024


STATE = _State()


def user_line(frame: types.FrameType | None = None) -> int | None:
    """Line of the innermost frame of user code on the current stack (or ``frame``'s)."""
    f: types.FrameType | None = frame if frame is not None else sys._getframe(1)
    while f is not None:
        if f.f_code.co_filename == USER_FILENAME:
            return f.f_lineno
        f = f.f_back
    return None


def refuse(message: str) -> Violation:
    """Records the first refusal (message and user line) and returns the exception."""
    if STATE.violation is None:
        STATE.violation = message
        STATE.violation_line = user_line()
    return Violation(message)
