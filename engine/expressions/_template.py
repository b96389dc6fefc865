"""Templates: a parameter value with ``{{ }}`` parts, compiled once and cached.

A value that is exactly one ``{{ expr }}`` (whitespace around allowed) evaluates to the
expression's value itself; otherwise the parts are joined as text.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from engine.errors import ExpressionError
from engine.expressions._compile import compile_expression
from engine.expressions._errors import ExpressionLimitError
from engine.expressions._limits import DEFAULT_LIMITS, Limits, State
from engine.expressions._tokenize import split_template, to_python
from engine.expressions._values import to_plain, to_text

if TYPE_CHECKING:
    from engine.expressions import ExpressionContext

__all__ = ["Template", "compile_cached", "with_source", "wrap_exception"]

Fn = Callable[[State], Any]


_settings: Callable[[], Any] | None = None


def _timeout() -> float:
    """``settings().execution.expression_timeout_s`` (settings are cached by engine.config)."""
    global _settings
    if _settings is None:
        from engine.config import settings

        _settings = settings
    return float(_settings().execution.expression_timeout_s)


class Template:
    """A compiled parameter value. ``evaluate(ctx)`` runs it for one item."""

    __slots__ = ("_fn", "_parts", "limits", "nodes", "source")

    def __init__(self, source: str, limits: Limits = DEFAULT_LIMITS) -> None:
        self.source = source
        self.limits = limits
        if len(source) > limits.max_template:
            raise ExpressionLimitError(
                f"The value is longer than {limits.max_template:,} characters."
            )
        parts: list[str | Fn] = []
        nodes: set[str] = set()
        for is_expr, text in split_template(source):
            if not is_expr:
                parts.append(text)
                continue
            if len(text) > limits.max_source:
                raise ExpressionLimitError(
                    f"An expression is longer than {limits.max_source:,} characters."
                )
            try:
                fn, used = compile_expression(to_python(text), limits, text)
            except ExpressionError as exc:
                raise with_source(exc, "{{ " + text.strip() + " }}") from None
            parts.append(fn)
            nodes |= used
        self.nodes: frozenset[str] = frozenset(nodes)
        """Node names read with ``$node("literal")`` (for renames and dependency checks)."""
        native = [p for p in parts if not isinstance(p, str)]
        if len(native) == 1 and all(
            isinstance(p, str) and not p.strip() for p in parts if p is not native[0]
        ):
            self._fn: Fn | None = native[0]
            self._parts: tuple[str | Fn, ...] = ()
        else:
            self._fn = None
            self._parts = tuple(parts)

    @property
    def is_native(self) -> bool:
        """True when the value is one ``{{ expr }}`` and evaluates to its native value."""
        return self._fn is not None

    def __repr__(self) -> str:
        return f"Template({self.source!r})"

    def evaluate(self, ctx: ExpressionContext, limits: Limits | None = None) -> Any:
        """The value for ``ctx``: native for a single expression, else text.

        Raises:
            ExpressionError: the expression failed (no node/parameter set; see
                :func:`engine.expressions.evaluate`).
        """
        lim = limits or self.limits
        st = State(ctx, lim, lim.timeout_s if lim.timeout_s is not None else _timeout())
        fn = self._fn
        try:
            if fn is not None:
                v = fn(st)
                t = type(v)
                if t is str or t is int or t is float or t is bool or v is None:
                    return v
                return to_plain(v, lim)
            out = []
            for p in self._parts:
                if type(p) is str:
                    out.append(p)
                else:
                    out.append(to_text(p(st), lim))  # type: ignore[operator]
            st.sized(sum(map(len, out)), "The text")
            return "".join(out)
        except ExpressionError as exc:
            raise with_source(exc, self.source) from None
        except Exception as exc:  # every failure becomes an ExpressionError
            raise with_source(wrap_exception(exc), self.source) from None


def with_source(exc: ExpressionError, source: str) -> ExpressionError:
    """``exc`` with the expression text appended to its message (once)."""
    if "(expression: " in exc.bare_message:
        return exc
    snippet = " ".join(source.split())
    snippet = snippet if len(snippet) <= 80 else snippet[:77] + "..."
    details = exc.details if exc.details is not None else {"expression": source}
    return type(exc)(
        f"{exc.bare_message} (expression: {snippet})",
        node=exc.node,
        parameter=exc.parameter,
        details=details,
    )


def wrap_exception(exc: BaseException) -> ExpressionError:
    """A friendly ExpressionError for a Python exception raised while evaluating."""
    if isinstance(exc, RecursionError | MemoryError):
        return ExpressionLimitError("The expression needs too much memory or nesting.")
    if isinstance(exc, ZeroDivisionError):
        return ExpressionError("Division by zero.")
    if isinstance(exc, OverflowError):
        return ExpressionLimitError("A number became too large.")
    return ExpressionError(f"The expression failed: {str(exc)[:200] or type(exc).__name__}.")


@lru_cache(maxsize=4096)
def compile_cached(source: str) -> Template:
    """The compiled Template of ``source`` with default limits (LRU cache)."""
    return Template(source)
