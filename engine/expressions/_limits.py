"""Limits of one expression and the per-evaluation :class:`State` that enforces them.

Evaluation without loops is bounded by the size of the compiled tree, so work is only
counted where it can grow: comprehension iterations, helpers that walk data, and
operations that build large strings or lists (charged by size). The wall-clock
deadline is checked every :data:`CHECK_EVERY` steps.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from engine.expressions._errors import ExpressionLimitError

if TYPE_CHECKING:
    from engine.expressions import ExpressionContext

__all__ = ["CHECK_EVERY", "DEFAULT_LIMITS", "Limits", "State"]

CHECK_EVERY = 1024


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on one expression. ``timeout_s=None`` reads the execution setting."""

    max_source: int = 10_000
    """Characters between ``{{`` and ``}}``."""
    max_template: int = 1_000_000
    """Characters of a whole parameter value containing expressions."""
    max_depth: int = 100
    """Nesting depth of the expression's syntax tree."""
    max_steps: int = 1_000_000
    """Units of work: loop iterations, elements walked by helpers, big allocations/128."""
    max_size: int = 1_000_000
    """Characters of a string / elements of a list an expression builds."""
    max_int_bits: int = 10_000
    """Size of an integer an expression builds (about 3,000 decimal digits)."""
    max_result_depth: int = 200
    """Nesting depth of a value leaving the expression."""
    max_output: int = 64_000_000
    """Approximate JSON size of a value leaving the expression."""
    timeout_s: float | None = None
    """Wall-clock limit; None uses ``settings().execution.expression_timeout_s``."""


DEFAULT_LIMITS = Limits()
_EMPTY: dict[str, Any] = {}


class State:
    """Mutable state of one evaluation: context, work counter, deadline, loop variables."""

    __slots__ = ("check_at", "ctx", "deadline", "limits", "locals", "steps", "timeout")

    def __init__(self, ctx: ExpressionContext, limits: Limits, timeout: float) -> None:
        self.ctx = ctx
        self.limits = limits
        self.steps = 0
        self.check_at = CHECK_EVERY
        self.timeout = timeout
        self.deadline = time.monotonic() + timeout
        self.locals = _EMPTY

    def charge(self, n: int = 1) -> None:
        """Counts ``n`` units of work; checks the step limit and the deadline now and then."""
        self.steps += n
        if self.steps >= self.check_at:
            self.check()

    def check(self) -> None:
        """Raises :class:`ExpressionLimitError` if out of steps or past the deadline."""
        if self.steps > self.limits.max_steps:
            raise ExpressionLimitError(
                f"The expression does too much work (more than {self.limits.max_steps:,} "
                "steps). Loop over less data, or do the work in a Code node.")
        if time.monotonic() > self.deadline:
            raise ExpressionLimitError(
                f"The expression took longer than {self.timeout:g} s. Loop over less data, "
                "or do the work in a Code node.")
        self.check_at = self.steps + CHECK_EVERY

    def sized(self, n: int, what: str = "The result") -> None:
        """Call before building a string or list of ``n`` characters/elements."""
        if n > self.limits.max_size:
            raise ExpressionLimitError(
                f"{what} would have {n:,} characters or elements, more than the limit of "
                f"{self.limits.max_size:,}.")
        if n > CHECK_EVERY:
            self.charge(n >> 7)
