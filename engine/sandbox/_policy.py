"""Compiles user code with RestrictedPython as the body of a function.

:class:`AuraPolicy` is RestrictedPython's transformer with three changes:

- ``d[k] += 1`` and ``obj.n += 1`` are allowed: they become calls of guarded helpers
  (``_inplaceitem_``/``_inplaceattr_``) that read through the read guard and write
  through the write guard; RestrictedPython alone refuses them.
- a bare ``except:`` is refused (it would catch the sandbox's own refusals; write
  ``except Exception:``).
- annotated assignments (``x: int = 1``) are accepted as plain assignments.
- function names, arguments and everything else keep RestrictedPython's checks: no name
  or attribute starting with ``_``, no ``exec``/``eval``, no ``async``, no ``try/except*``,
  no ``nonlocal``, no ``match`` (unknown nodes are refused by default).

:func:`compile_user_function` parses the code, wraps its statements in
``def aura_main(<inputs>): ...`` without changing line numbers, and compiles it.
"""

from __future__ import annotations

import ast
import keyword
import types
from dataclasses import dataclass

from RestrictedPython.transformer import (
    INSPECT_ATTRIBUTES,
    IOPERATOR_TO_STR,
    RestrictingNodeTransformer,
    copy_locations,
)

from engine.sandbox._state import USER_FILENAME

__all__ = ["FILENAME", "FUNCTION", "CompileProblem", "check_input_name", "compile_user_function"]

FILENAME = USER_FILENAME
FUNCTION = "aura_main"
_RESERVED = frozenset({"print", "printed", FUNCTION})
UNAVAILABLE = frozenset(
    {
        "open",
        "eval",
        "exec",
        "compile",
        "globals",
        "locals",
        "vars",
        "dir",
        "type",
        "input",
        "breakpoint",
        "help",
        "exit",
        "quit",
        "memoryview",
        "id",
        "super",
        "setattr",
        "delattr",
        "aiter",
        "anext",
        "copyright",
        "credits",
        "license",
        "BaseException",
        "SystemExit",
        "KeyboardInterrupt",
        "GeneratorExit",
        "BaseExceptionGroup",
        "ExceptionGroup",
    }
)
"""Builtins that user code may not use (unless it defines a name of its own)."""


@dataclass
class CompileProblem(Exception):
    """Code that cannot run: ``kind`` is ``syntax``, ``policy`` or ``limit``."""

    kind: str
    message: str
    line: int | None = None


class AuraPolicy(RestrictingNodeTransformer):
    """RestrictedPython's policy plus guarded augmented assignment to items/attributes."""

    bound: frozenset[str] = frozenset()

    def visit_Name(self, node: ast.Name) -> ast.AST | None:
        if isinstance(node.ctx, ast.Load) and node.id in UNAVAILABLE and node.id not in self.bound:
            self.error(node, f"'{node.id}' is not available in the sandbox")
        return super().visit_Name(node)  # type: ignore[return-value]

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.AST | None:
        target = node.target
        op = ast.Constant(IOPERATOR_TO_STR[type(node.op)])
        if isinstance(target, ast.Subscript):
            key = target.slice
            if isinstance(key, ast.Slice) or (
                isinstance(key, ast.Tuple) and any(isinstance(e, ast.Slice) for e in key.elts)
            ):
                self.error(
                    node,
                    "Augmented assignment to a slice is not supported; write "
                    "'a[i:j] = a[i:j] + x'.",
                )
                return node
            call = ast.Call(
                func=ast.Name("_inplaceitem_", ast.Load()),
                args=[self.visit(target.value), self.visit(key), op, self.visit(node.value)],
                keywords=[],
            )
        elif isinstance(target, ast.Attribute):
            if target.attr.startswith("_") or target.attr in INSPECT_ATTRIBUTES:
                self.error(node, f'"{target.attr}" is an invalid attribute name.')
                return node
            call = ast.Call(
                func=ast.Name("_inplaceattr_", ast.Load()),
                args=[
                    self.visit(target.value),
                    ast.Constant(target.attr),
                    op,
                    self.visit(node.value),
                ],
                keywords=[],
            )
        else:
            return super().visit_AugAssign(node)  # type: ignore[return-value]
        stmt = ast.Expr(value=call)
        copy_locations(stmt, node)
        return stmt

    def visit_AnnAssign(self, node: ast.AnnAssign) -> ast.AST | None:
        """``x: int = 1`` becomes ``x = 1``; a bare ``x: int`` becomes ``pass``."""
        new: ast.stmt
        if node.value is None:
            new = ast.Pass()
        else:
            new = ast.Assign(targets=[node.target], value=node.value)
        copy_locations(new, node)
        return self.visit(new)  # type: ignore[no-any-return]

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> ast.AST | None:
        if node.type is None:
            self.error(node, "A bare 'except:' is not allowed; write 'except Exception:'.")
        return super().visit_ExceptHandler(node)  # type: ignore[return-value]


def check_input_name(name: object) -> str | None:
    """Why ``name`` cannot be an input variable, or None if it can."""
    if type(name) is not str or not name.isidentifier() or keyword.iskeyword(name):
        return f"input name {name!r} is not a valid Python identifier"
    if name.startswith("_") or name in _RESERVED:
        return f"input name {name!r} is reserved"
    return None


def compile_user_function(code: str, arg_names: list[str]) -> types.CodeType:
    """Compiles ``code`` as the body of ``def aura_main(*arg_names)``.

    Raises:
        CompileProblem: syntax error, refused construct, or code too large/deep.
    """
    try:
        module = ast.parse(code, FILENAME, "exec")
    except SyntaxError as exc:
        text = (exc.text or "").strip()
        where = f": {text[:80]}{'...' if len(text) > 80 else ''}" if text else ""
        raise CompileProblem(
            "syntax", f"{exc.msg} (line {exc.lineno}){where}", exc.lineno
        ) from None
    except (RecursionError, MemoryError):
        raise CompileProblem("limit", "the code is nested too deeply to compile") from None
    body: list[ast.stmt] = module.body or [ast.Pass()]
    func = ast.FunctionDef(
        name=FUNCTION,
        args=ast.arguments(
            posonlyargs=[],
            args=[ast.arg(arg=n) for n in arg_names],
            vararg=None,
            kwonlyargs=[],
            kw_defaults=[],
            kwarg=None,
            defaults=[],
        ),
        body=body,
        decorator_list=[],
        returns=None,
        type_comment=None,
        lineno=1,
        col_offset=0,
        end_lineno=1,
        end_col_offset=0,
    )
    wrapper = ast.Module(body=[func], type_ignores=[])
    ast.fix_missing_locations(wrapper)
    errors: list[str] = []
    warnings: list[str] = []
    policy = AuraPolicy(errors, warnings, {})
    try:
        policy.bound = _bound_names(wrapper)
        policy.visit(wrapper)
    except RecursionError:
        raise CompileProblem("limit", "the code is nested too deeply to compile") from None
    if errors:
        line, first = _split_line(errors[0])
        more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
        raise CompileProblem("policy", first + more, line)
    try:
        return compile(wrapper, FILENAME, "exec", dont_inherit=True)
    except SyntaxError as exc:
        raise CompileProblem("syntax", f"{exc.msg} (line {exc.lineno})", exc.lineno) from None
    except (RecursionError, MemoryError):
        raise CompileProblem("limit", "the code is nested too deeply to compile") from None


def _bound_names(tree: ast.AST) -> frozenset[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            names.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.alias):
            names.add(node.asname or node.name.split(".")[0])
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
    return frozenset(names)


def _split_line(message: str) -> tuple[int | None, str]:
    """``"Line 3: text."`` -> ``(3, "text")``."""
    line = None
    if message.startswith("Line "):
        head, _, rest = message[5:].partition(":")
        if head.isdigit():
            line, message = int(head), rest.strip()
    return line, message.rstrip(".")
