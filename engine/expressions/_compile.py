"""Compiles one expression's Python AST into a tree of closures ``fn(state) -> value``.

Only the node kinds handled here exist in the language; anything else (lambda, walrus,
starred, await, yield, sets, f-strings...) is refused when the expression is compiled,
as are attribute names starting with ``_`` and names that are not variables, helpers,
loop variables or constants. Closures are built once per expression and reused for
every item.
"""

from __future__ import annotations

import ast
import builtins
import keyword
from collections.abc import Callable
from typing import Any

from engine.errors import ExpressionError
from engine.expressions._comprehension import compile_comprehension
from engine.expressions._errors import (
    ExpressionLimitError,
    ExpressionRefused,
    ExpressionSyntaxError,
)
from engine.expressions._limits import Limits, State
from engine.expressions._ops import (
    BINARY,
    COMPARE,
    call_method,
    get_field,
    get_index,
    get_slice,
    negate,
)
from engine.expressions._tokenize import KEYWORD, OPTIONAL, RESERVED
from engine.expressions._variables import CONSTANTS, dollar_call, dollar_name, env_lookup
from engine.expressions.helpers import HELPERS

__all__ = ["Fn", "Source", "compile_expression"]

Fn = Callable[[State], Any]
_REFUSED = {
    ast.Lambda: "Functions (lambda) are not allowed in expressions; use a list "
    "comprehension such as [x.name for x in list].",
    ast.NamedExpr: "Assignments (:=) are not allowed in expressions.",
    ast.Starred: "Unpacking with * is not allowed in expressions; use concat() or +.",
    ast.Await: "'await' is not allowed in expressions.",
    ast.Yield: "'yield' is not allowed in expressions.",
    ast.YieldFrom: "'yield' is not allowed in expressions.",
    ast.Set: "Sets are not JSON values; use a list, e.g. unique([...]).",
    ast.SetComp: "Sets are not JSON values; use a list comprehension with unique().",
    ast.JoinedStr: "f-strings are not supported; write text around {{ }} instead.",
}


class Source:
    """The expression text of a node, computed only when an error message needs it."""

    __slots__ = ("_node",)

    def __init__(self, node: ast.AST) -> None:
        self._node = node

    def __str__(self) -> str:
        text = ast.unparse(self._node).replace(RESERVED + "node(", "$node(")
        text = text.replace(RESERVED, "$").replace(OPTIONAL, "").replace(KEYWORD, "")
        return text if len(text) <= 60 else text[:57] + "..."


def attr_name(raw: str) -> tuple[str, bool]:
    """The field name behind an escaped attribute and whether it was ``?.`` access."""
    optional = raw.startswith(OPTIONAL)
    name = raw[len(OPTIONAL) :] if optional else raw
    if name.startswith(KEYWORD) and keyword.iskeyword(name[len(KEYWORD) :]):
        return name[len(KEYWORD) :], optional
    if name.startswith("_"):
        raise ExpressionRefused(
            f"Cannot access attribute '{name}': names starting with '_' are not allowed. "
            f'To read a field with that name, write $json["{name}"].'
        )
    return name, optional


class Compiler:
    """Turns one parsed expression into closures; tracks loop-variable scopes."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.scopes: list[frozenset[str]] = []
        self.nodes: set[str] = set()

    def expr(self, node: ast.AST, depth: int) -> Fn:
        if depth > self.limits.max_depth:
            raise ExpressionLimitError(
                f"The expression is nested too deeply (more than {self.limits.max_depth} levels)."
            )
        handler = _HANDLERS.get(type(node))
        if handler is None:
            message = _REFUSED.get(type(node)) or (
                f"'{type(node).__name__}' is not allowed in expressions."
            )
            raise ExpressionRefused(message)
        return handler(self, node, depth + 1)

    def in_scope(self, name: str) -> bool:
        return any(name in s for s in self.scopes)

    # -- leaves ------------------------------------------------------------------------
    def constant(self, node: ast.Constant, depth: int) -> Fn:
        v = node.value
        if v is not None and type(v) not in (bool, int, float, str):
            raise ExpressionRefused(
                f"{type(v).__name__} literals are not supported; "
                "use numbers, text, true/false or null."
            )
        if type(v) is int and v.bit_length() > self.limits.max_int_bits:
            raise ExpressionLimitError("The number literal is too large.")
        return lambda st: v

    def name(self, node: ast.Name, depth: int) -> Fn:
        n = node.id
        if n.startswith(RESERVED):
            return dollar_name(n[len(RESERVED) :])
        if self.in_scope(n):
            return lambda st: st.locals[n]
        if n in CONSTANTS:
            c = CONSTANTS[n]
            return lambda st: c
        if n in HELPERS:
            raise ExpressionSyntaxError(
                f"'{n}' is a function: call it, e.g. {HELPERS[n].signature}."
            )
        raise unknown_name(n)

    # -- access --------------------------------------------------------------------------
    def attribute(self, node: ast.Attribute, depth: int) -> Fn:
        name, optional = attr_name(node.attr)
        base = node.value
        if isinstance(base, ast.Name) and base.id == RESERVED + "env":
            return lambda st: env_lookup(st, name)
        if isinstance(base, ast.Name) and base.id == RESERVED + "json":

            def json_field(st: State) -> Any:
                d = st.ctx.json
                if type(d) is dict:
                    return d.get(name)
                return get_field(st, d, name, "$json")

            return json_field
        obj = self.expr(base, depth)
        src = Source(base)

        def field(st: State) -> Any:
            v = obj(st)
            if type(v) is dict:
                return v.get(name)
            if optional and v is None:
                return None
            return get_field(st, v, name, src)

        return field

    def subscript(self, node: ast.Subscript, depth: int) -> Fn:
        base, sl = node.value, node.slice
        if isinstance(base, ast.Name) and base.id == RESERVED + "node":
            return self.dollar_call("node", [sl], {}, depth)
        if isinstance(sl, ast.Slice):
            obj = self.expr(base, depth)
            parts = [
                None if p is None else self.expr(p, depth) for p in (sl.lower, sl.upper, sl.step)
            ]
            src = Source(base)

            def sliced(st: State) -> Any:
                lo, hi, step = (None if p is None else p(st) for p in parts)
                return get_slice(st, obj(st), lo, hi, step, src)

            return sliced
        key = self.expr(sl, depth)
        if isinstance(base, ast.Name) and base.id == RESERVED + "env":

            def env_item(st: State) -> Any:
                k = key(st)
                if not isinstance(k, str):
                    raise ExpressionError("Environment variable names are text.")
                return env_lookup(st, k)

            return env_item
        obj = self.expr(base, depth)
        src = Source(base)

        def item(st: State) -> Any:
            v = obj(st)
            k = key(st)
            if type(v) is dict and type(k) is str:
                return v.get(k)
            return get_index(st, v, k, src)

        return item

    # -- calls ---------------------------------------------------------------------------
    def call(self, node: ast.Call, depth: int) -> Fn:
        for a in node.args:
            if isinstance(a, ast.Starred):
                raise ExpressionRefused(_REFUSED[ast.Starred])
        for kw in node.keywords:
            if kw.arg is None:
                raise ExpressionRefused("Unpacking with ** is not allowed in calls.")
            if kw.arg.startswith("_"):
                raise ExpressionRefused(
                    f"Argument names starting with '_' are not allowed ('{kw.arg}')."
                )
        func = node.func
        kwnodes = {kw.arg: kw.value for kw in node.keywords if kw.arg is not None}
        if isinstance(func, ast.Name):
            if func.id.startswith(RESERVED):
                return self.dollar_call(func.id[len(RESERVED) :], node.args, kwnodes, depth)
            if func.id in HELPERS and not self.in_scope(func.id):
                return self.helper_call(func.id, node.args, kwnodes, depth)
            if func.id in CONSTANTS or self.in_scope(func.id):
                raise ExpressionRefused(f"'{func.id}' is a value, not a function.")
            raise unknown_name(func.id)
        if isinstance(func, ast.Attribute):
            return self.method_call(func, node.args, kwnodes, depth)
        raise ExpressionRefused(
            "Only helper functions and methods can be called, e.g. "
            "upper($json.name) or $json.name.upper()."
        )

    def dollar_call(
        self, name: str, args: list[ast.expr], kwargs: dict[str, ast.expr], depth: int
    ) -> Fn:
        if (
            name == "node"
            and args
            and isinstance(args[0], ast.Constant)
            and isinstance(args[0].value, str)
        ):
            self.nodes.add(args[0].value)
        fns = [self.expr(a, depth) for a in args]
        kws = {k: self.expr(v, depth) for k, v in kwargs.items()}
        return dollar_call(name, fns, kws)

    def helper_call(
        self, name: str, args: list[ast.expr], kwargs: dict[str, ast.expr], depth: int
    ) -> Fn:
        h = HELPERS[name]
        try:
            h.params.bind(*args, **kwargs)
        except TypeError as exc:
            raise ExpressionSyntaxError(f"Wrong arguments for {h.signature}: {exc}.") from None
        fn = h.fn
        fns = [self.expr(a, depth) for a in args]
        kws = {k: self.expr(v, depth) for k, v in kwargs.items()}
        if not kws and len(fns) == 1:
            a0 = fns[0]

            def call1(st: State) -> Any:
                r = fn(st, a0(st))
                if (type(r) is str or type(r) is list) and len(r) > 1024:
                    st.charge(len(r) >> 7)
                return r

            return call1

        def call(st: State) -> Any:
            r = fn(st, *[a(st) for a in fns], **{k: c(st) for k, c in kws.items()})
            if (type(r) is str or type(r) is list) and len(r) > 1024:
                st.charge(len(r) >> 7)
            return r

        return call

    def method_call(
        self, func: ast.Attribute, args: list[ast.expr], kwargs: dict[str, ast.expr], depth: int
    ) -> Fn:
        name, optional = attr_name(func.attr)
        obj = self.expr(func.value, depth)
        fns = [self.expr(a, depth) for a in args]
        kws = {k: self.expr(v, depth) for k, v in kwargs.items()}
        src = Source(func.value)

        def call(st: State) -> Any:
            v = obj(st)
            if optional and v is None:
                return None
            r = call_method(
                st, v, name, [a(st) for a in fns], {k: c(st) for k, c in kws.items()}, src
            )
            if (type(r) is str or type(r) is list) and len(r) > 1024:
                st.charge(len(r) >> 7)
            return r

        return call

    # -- operators -----------------------------------------------------------------------
    def binop(self, node: ast.BinOp, depth: int) -> Fn:
        op = BINARY.get(type(node.op))
        if op is None:
            raise ExpressionRefused("The '@' operator is not supported.")
        left, right = self.expr(node.left, depth), self.expr(node.right, depth)
        return lambda st: op(st, left(st), right(st))

    def unaryop(self, node: ast.UnaryOp, depth: int) -> Fn:
        operand = self.expr(node.operand, depth)
        if isinstance(node.op, ast.Not):
            return lambda st: not operand(st)
        if isinstance(node.operand, ast.Constant) and type(node.operand.value) in (int, float):
            folded = negate(None, node.operand.value, node.op)  # type: ignore[arg-type]
            return lambda st: folded
        op = node.op
        return lambda st: negate(st, operand(st), op)

    def boolop(self, node: ast.BoolOp, depth: int) -> Fn:
        fns = [self.expr(v, depth) for v in node.values]
        if isinstance(node.op, ast.And):

            def all_(st: State) -> Any:
                v = None
                for f in fns:
                    v = f(st)
                    if not v:
                        return v
                return v

            return all_

        def any_(st: State) -> Any:
            v = None
            for f in fns:
                v = f(st)
                if v:
                    return v
            return v

        return any_

    def compare(self, node: ast.Compare, depth: int) -> Fn:
        left = self.expr(node.left, depth)
        ops = [COMPARE[type(o)] for o in node.ops]
        rights = [self.expr(c, depth) for c in node.comparators]
        if len(ops) == 1:
            op, right = ops[0], rights[0]
            return lambda st: op(left(st), right(st))

        def chain(st: State) -> bool:
            a = left(st)
            for op, r in zip(ops, rights, strict=True):
                b = r(st)
                if not op(a, b):
                    return False
                a = b
            return True

        return chain

    def ifexp(self, node: ast.IfExp, depth: int) -> Fn:
        test, body, other = (self.expr(n, depth) for n in (node.test, node.body, node.orelse))
        return lambda st: body(st) if test(st) else other(st)

    # -- literals ------------------------------------------------------------------------
    def list_(self, node: ast.List | ast.Tuple, depth: int) -> Fn:
        fns = [self.expr(e, depth) for e in node.elts]
        return lambda st: [f(st) for f in fns]

    def dict_(self, node: ast.Dict, depth: int) -> Fn:
        pairs = [
            (None if k is None else self.expr(k, depth), self.expr(v, depth))
            for k, v in zip(node.keys, node.values, strict=True)
        ]

        def build(st: State) -> dict[str, Any]:
            out: dict[str, Any] = {}
            for k, v in pairs:
                val = v(st)
                if k is None:
                    if not isinstance(val, dict):
                        raise ExpressionError("Only objects can be spread with ** in {...}.")
                    st.sized(len(out) + len(val), "The object")
                    out.update(val)
                    continue
                key = k(st)
                if type(key) is not str:
                    raise ExpressionError("Object keys must be text; use str(...) for others.")
                out[key] = val
            return out

        return build

    def comprehension(self, node: ast.ListComp | ast.GeneratorExp | ast.DictComp, depth: int) -> Fn:
        return compile_comprehension(self, node, depth)


def unknown_name(n: str) -> ExpressionError:
    """The error for a bare name that is not a variable, helper or loop variable."""
    if n.startswith("_"):
        return ExpressionRefused(f"Names starting with '_' are not allowed ('{n}').")
    if hasattr(builtins, n) or n in ("exec", "eval", "compile", "globals", "locals"):
        return ExpressionRefused(
            f"'{n}' is not available in expressions. Variables start "
            "with $ ($json, $node(...)); see the list of helpers."
        )
    hint = (
        f" Did you mean ${n}?"
        if n in ("json", "item", "input", "node", "vars", "env", "now", "today", "index")
        else ""
    )
    return ExpressionSyntaxError(
        f"Unknown name '{n}'.{hint} Variables start with $, "
        "e.g. $json.field; functions are helpers such as len()."
    )


_HANDLERS: dict[type, Callable[[Compiler, Any, int], Fn]] = {
    ast.Constant: Compiler.constant,
    ast.Name: Compiler.name,
    ast.Attribute: Compiler.attribute,
    ast.Subscript: Compiler.subscript,
    ast.Call: Compiler.call,
    ast.BinOp: Compiler.binop,
    ast.UnaryOp: Compiler.unaryop,
    ast.BoolOp: Compiler.boolop,
    ast.Compare: Compiler.compare,
    ast.IfExp: Compiler.ifexp,
    ast.List: Compiler.list_,
    ast.Tuple: Compiler.list_,
    ast.Dict: Compiler.dict_,
    ast.ListComp: Compiler.comprehension,
    ast.GeneratorExp: Compiler.comprehension,
    ast.DictComp: Compiler.comprehension,
}


def _where(source: str, original: str, exc: SyntaxError) -> str:
    """``at character 16 (after '$json.price *')``: where the parser stopped, counted in
    the text the user wrote (``source`` is its Python form, re-spaced by the tokenizer)."""
    line = source.split("\n")[max(0, (exc.lineno or 1) - 1)] if source else ""
    col = (exc.offset or 0) - 1
    if col < 0 or col >= len(line.rstrip()):
        return "at the end (something is missing)"
    before = "\n".join([*source.split("\n")[: max(0, (exc.lineno or 1) - 1)], line[:col]])
    before = before.replace(RESERVED, "$").replace(OPTIONAL, "").replace(KEYWORD, "")
    wanted = sum(1 for ch in before if not ch.isspace() and ch != "?")
    seen, pos = 0, 0
    while pos < len(original) and seen < wanted:
        if not original[pos].isspace() and original[pos] != "?":
            seen += 1
        pos += 1
    shown = " ".join(original[:pos].split())[-24:]
    if not shown:
        return "at the start"
    return f"at character {len(original[:pos].lstrip()) + 1} (after '{shown}')"


def compile_expression(source: str, limits: Limits, original: str = "") -> tuple[Fn, set[str]]:
    """Compiles Python-syntax ``source``; returns the closure and the node names it
    reads with ``$node('literal')``."""
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        msg = (exc.msg or "").replace(RESERVED, "$")
        why = "" if msg in ("", "invalid syntax") else f": {msg}"
        where = _where(source, original or source, exc)
        raise ExpressionSyntaxError(f"Invalid expression syntax {where}{why}.") from None
    except (RecursionError, MemoryError, ValueError, OverflowError) as exc:
        raise ExpressionLimitError(
            f"The expression is too complex or too large to read ({type(exc).__name__})."
        ) from None
    c = Compiler(limits)
    try:
        fn = c.expr(tree.body, 1)
    except RecursionError:
        raise ExpressionLimitError("The expression is nested too deeply.") from None
    return fn, c.nodes
