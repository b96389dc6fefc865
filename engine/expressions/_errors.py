"""The expression errors: syntax, refused constructs and exceeded limits.

All derive from :class:`engine.errors.ExpressionError`, so callers catch one class.
:func:`locate` re-raises an error with the node and parameter path filled in.
"""

from __future__ import annotations

from engine.errors import ExpressionError

__all__ = [
    "ExpressionLimitError",
    "ExpressionRefused",
    "ExpressionSyntaxError",
    "locate",
]


class ExpressionSyntaxError(ExpressionError):
    """The text inside ``{{ }}`` is not a valid expression."""


class ExpressionRefused(ExpressionError):
    """The expression uses something expressions may not do (dunder access, lambda...)."""


class ExpressionLimitError(ExpressionError):
    """The expression exceeded a time, size, depth or work limit."""


def locate(err: ExpressionError, node: str | None, parameter: str | None) -> ExpressionError:
    """A copy of ``err`` (same class) naming ``node`` and ``parameter``.

    Locations already set on ``err`` win, so the innermost caller's path is kept.
    """
    node = err.node or node
    parameter = err.parameter or parameter
    if node == err.node and parameter == err.parameter:
        return err
    new = type(err)(err.bare_message, node=node, parameter=parameter, details=err.details)
    new.__cause__ = err.__cause__
    return new
