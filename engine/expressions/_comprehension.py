"""List and dict comprehensions with counted iterations.

``[f(x) for x in xs if p(x)]``, ``{k: v for k, v in d.items()}`` and generator
expressions (evaluated eagerly into lists: no generator object ever exists). Every
iteration is charged one step, so nested loops stop at the step limit or the deadline.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from engine.errors import ExpressionError
from engine.expressions._errors import ExpressionRefused
from engine.expressions._tokenize import RESERVED
from engine.expressions._values import describe, kind
from engine.expressions._variables import CONSTANTS

if TYPE_CHECKING:
    from engine.expressions._compile import Compiler, Fn
    from engine.expressions._limits import State

__all__ = ["compile_comprehension"]

Assign = Callable[[dict[str, Any], Any], None]


def _target(node: ast.expr) -> tuple[Assign, list[str]]:
    if isinstance(node, ast.Name):
        n = node.id
        if n.startswith(("_", RESERVED)) or n in CONSTANTS:
            raise ExpressionRefused(f"'{n.replace(RESERVED, '$')}' cannot be a loop variable.")

        def assign(loc: dict[str, Any], v: Any) -> None:
            loc[n] = v
        return assign, [n]
    if isinstance(node, ast.Tuple | ast.List):
        parts = [_target(e) for e in node.elts]
        size = len(parts)

        def unpack(loc: dict[str, Any], v: Any) -> None:
            if not isinstance(v, list | tuple) or len(v) != size:
                raise ExpressionError(f"Cannot unpack {describe(v)} into {size} loop "
                                      "variables.")
            for (fn, _), x in zip(parts, v, strict=True):
                fn(loc, x)
        return unpack, [n for _, names in parts for n in names]
    raise ExpressionRefused("A loop variable must be a name (or names: for k, v in ...).")


def _iterable(v: Any) -> Any:
    k = kind(v)
    if k in ("list", "text"):
        return v
    if k == "object":
        return list(v)
    if k == "input":
        return v.all()
    raise ExpressionError(f"Cannot loop over {describe(v)}.")


def compile_comprehension(c: Compiler, node: ast.ListComp | ast.GeneratorExp | ast.DictComp,
                          depth: int) -> Fn:
    """Compiles a comprehension; loop variables are visible only inside it."""
    levels: list[tuple[Fn, Assign, list[Fn]]] = []
    pushed = 0
    try:
        for g in node.generators:
            if g.is_async:
                raise ExpressionRefused("'async for' is not allowed in expressions.")
            it = c.expr(g.iter, depth)
            assign, names = _target(g.target)
            c.scopes.append(frozenset(names))
            pushed += 1
            levels.append((it, assign, [c.expr(cond, depth) for cond in g.ifs]))
        if isinstance(node, ast.DictComp):
            key_fn: Fn | None = c.expr(node.key, depth)
            elt = c.expr(node.value, depth)
        else:
            key_fn, elt = None, c.expr(node.elt, depth)
    finally:
        del c.scopes[len(c.scopes) - pushed:]
    last = len(levels) - 1

    def run(st: State, i: int, out: Any) -> None:
        it, assign, ifs = levels[i]
        loc = st.locals
        for v in _iterable(it(st)):
            st.steps += 1
            if st.steps >= st.check_at:
                st.check()
            assign(loc, v)
            if ifs and not all(cond(st) for cond in ifs):
                continue
            if i < last:
                run(st, i + 1, out)
            elif key_fn is None:
                out.append(elt(st))
            else:
                k = key_fn(st)
                if type(k) is not str:
                    raise ExpressionError("Object keys must be text; use str(...) for others.")
                out[k] = elt(st)

    def comprehension(st: State) -> Any:
        outer = st.locals
        st.locals = dict(outer)
        out: Any = [] if key_fn is None else {}
        try:
            run(st, 0, out)
        finally:
            st.locals = outer
        return out
    return comprehension
