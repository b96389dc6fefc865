"""Errors of the sandbox beyond the ones in :mod:`engine.errors`.

The project-wide tree already has :class:`~engine.errors.SandboxViolation`,
:class:`~engine.errors.SandboxTimeout` and :class:`~engine.errors.SandboxMemoryError`.
This module adds what only the sandbox raises:

- :class:`UserCodeError`: the user's own code raised (``ZeroDivisionError``, a
  ``KeyError``, a ``SyntaxError``...). It is a :class:`~engine.errors.NodeExecutionError`
  so the executor records and routes it like any node failure.
- :class:`SandboxOutputTooLarge`: the returned value is larger than the result cap.
- :class:`SandboxCrashed`: the sandbox process died without saying why (a signal, a
  broken protocol). The host is unaffected; the process is replaced.
"""

from __future__ import annotations

from typing import Any

from engine.errors import NodeExecutionError, SandboxError, SandboxViolation

__all__ = ["SandboxCrashed", "SandboxOutputTooLarge", "UserCodeError"]


class UserCodeError(NodeExecutionError):
    """The user's code raised an exception (or has a syntax error).

    Attributes:
        error_type: the Python exception type name, e.g. ``"ZeroDivisionError"``.
        line: the line of the user's code where it happened, when known.
        item_index: in once-per-item mode, the input item being processed.
        stdout: what the code printed before it failed.
    """

    code = "user_code_error"

    def __init__(
        self,
        message: str,
        *,
        error_type: str = "Exception",
        line: int | None = None,
        item_index: int | None = None,
        node: str | None = None,
        details: Any = None,
    ) -> None:
        info: dict[str, Any] = {"error_type": error_type, "line": line}
        if item_index is not None:
            info["item_index"] = item_index
        if isinstance(details, dict):
            info.update(details)
        super().__init__(message, node=node, details=info, error_type=error_type)
        self.line = line
        self.item_index = item_index
        self.stdout: list[str] = []


class SandboxOutputTooLarge(SandboxViolation):
    """The value returned by the code is larger than the sandbox's result cap."""

    code = "sandbox_output_too_large"


class SandboxCrashed(SandboxError):
    """The sandbox process died or broke the protocol; it was replaced."""

    code = "sandbox_crashed"
