"""The executor: graph → ordered node runs → results, observed through hooks."""

from __future__ import annotations

from engine.executor.executor import Executor, RunRequest
from engine.executor.hooks import ExecutionHooks, MultiHooks
from engine.executor.result import ExecutionResult, ExecutionStatus, NodeRunRecord, NodeRunStatus

__all__ = ["ExecutionHooks", "ExecutionResult", "ExecutionStatus", "Executor", "MultiHooks",
           "NodeRunRecord", "NodeRunStatus", "RunRequest"]
