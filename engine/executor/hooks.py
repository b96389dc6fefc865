"""Hooks: how the outside world (store, events, progress bars) follows an execution.

The executor is pure: it calls these hooks and never talks to a database or Redis.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.executor.result import ExecutionResult, NodeRunRecord

__all__ = ["ExecutionHooks", "MultiHooks"]


class ExecutionHooks:
    """Override what you need; every method is a no-op by default."""

    def execution_started(self, result: ExecutionResult) -> None:
        """The execution started running."""

    def node_started(self, result: ExecutionResult, run: NodeRunRecord) -> None:
        """A node is about to run."""

    def node_finished(self, result: ExecutionResult, run: NodeRunRecord) -> None:
        """A node finished (any status)."""

    def execution_ending(self, result: ExecutionResult) -> None:
        """Its outcome is known (status, output, webhook answer), just before
        :meth:`execution_finished` (where the store records it): what must exist by the
        time anyone sees the execution finished is made here."""

    def execution_finished(self, result: ExecutionResult) -> None:
        """The execution reached a final status, or parked as ``waiting`` (durable wait)."""


class MultiHooks(ExecutionHooks):
    """Fans out to several hooks in order."""

    def __init__(self, *hooks: ExecutionHooks) -> None:
        self.hooks = [h for h in hooks if h is not None]

    def execution_started(self, result: ExecutionResult) -> None:
        for h in self.hooks:
            h.execution_started(result)

    def node_started(self, result: ExecutionResult, run: NodeRunRecord) -> None:
        for h in self.hooks:
            h.node_started(result, run)

    def node_finished(self, result: ExecutionResult, run: NodeRunRecord) -> None:
        for h in self.hooks:
            h.node_finished(result, run)

    def execution_ending(self, result: ExecutionResult) -> None:
        for h in self.hooks:
            h.execution_ending(result)

    def execution_finished(self, result: ExecutionResult) -> None:
        for h in self.hooks:
            h.execution_finished(result)
