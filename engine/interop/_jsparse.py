"""A parser for the JavaScript *expressions* found in n8n ``{{ }}`` and Node-RED fields.

It reads one JavaScript expression (no statements, except an arrow function body that is
a single ``return``) into a small tree of tuples that :mod:`engine.interop._jsemit`
turns into an AURA expression. It never runs anything. Whatever it does not understand
raises :class:`Untranslatable` with a reason, so the caller keeps the original text and
adds a note.

Tree nodes: ``("num", v)``, ``("str", v)``, ``("tpl", [str | node, ...])``,
``("regex", pattern, flags)``, ``("lit", True | False | None)``, ``("name", id)``,
``("arr", [node])``, ``("obj", [(key, node) | ("...", node)])``, ``("spread", node)``,
``("member", obj, name, optional)``, ``("index", obj, node, optional)``,
``("call", callee, [node], optional)``, ``("new", callee, [node])``,
``("unary", op, node)``, ``("bin", op, a, b)``, ``("cond", c, a, b)``,
``("arrow", [param], body)``.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["Node", "Untranslatable", "parse_js"]

Node = tuple[Any, ...]


class Untranslatable(ValueError):
    """The expression uses JavaScript that has no AURA equivalent (the message says what)."""


_PUNCT = sorted(
    [
        "...",
        "===",
        "!==",
        "**",
        "=>",
        "?.",
        "??",
        "&&",
        "||",
        "==",
        "!=",
        "<=",
        ">=",
        "<<",
        ">>",
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        ".",
        ",",
        ":",
        ";",
        "?",
        "+",
        "-",
        "*",
        "/",
        "%",
        "!",
        "<",
        ">",
        "=",
        "&",
        "|",
        "^",
        "~",
    ],
    key=len,
    reverse=True,
)
_NUM = re.compile(r"0[xX][0-9a-fA-F]+|(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_IDENT = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
_ESC = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
_OPERAND_END = {"num", "str", "tpl", "name", "regex"}


def _read_string(src: str, i: int) -> tuple[str, int]:
    q = src[i]
    i += 1
    out: list[str] = []
    while i < len(src):
        c = src[i]
        if c == q:
            return "".join(out), i + 1
        if c == "\\":
            i += 1
            e = src[i : i + 1]
            if e == "u" and src[i + 1 : i + 2] == "{":
                end = src.index("}", i)
                out.append(chr(int(src[i + 2 : end], 16)))
                i = end + 1
                continue
            if e == "u":
                out.append(chr(int(src[i + 1 : i + 5], 16)))
                i += 5
                continue
            if e == "x":
                out.append(chr(int(src[i + 1 : i + 3], 16)))
                i += 3
                continue
            if e == "\n":
                i += 1
                continue
            out.append(_ESC.get(e, e))
            i += 1
            continue
        if c == "\n" and q != "`":
            raise Untranslatable("a string is not closed on its line")
        out.append(c)
        i += 1
    raise Untranslatable("a string is not closed")


def _tokens(src: str) -> list[tuple[str, Any]]:
    toks: list[tuple[str, Any]] = []
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if c.isspace():
            i += 1
            continue
        if src.startswith("//", i):
            j = src.find("\n", i)
            i = n if j < 0 else j
            continue
        if src.startswith("/*", i):
            j = src.find("*/", i + 2)
            if j < 0:
                raise Untranslatable("a comment is not closed")
            i = j + 2
            continue
        if c in "'\"":
            s, i = _read_string(src, i)
            toks.append(("str", s))
            continue
        if c == "`":
            parts, i = _read_template(src, i)
            toks.append(("tpl", parts))
            continue
        prev = toks[-1] if toks else None
        if c == "/" and not (prev and (prev[0] in _OPERAND_END or prev[1] in (")", "]", "}"))):
            j, cls = i + 1, False
            while j < n and (src[j] != "/" or cls):
                if src[j] == "\\":
                    j += 1
                elif src[j] == "[":
                    cls = True
                elif src[j] == "]":
                    cls = False
                elif src[j] == "\n":
                    raise Untranslatable("a regular expression is not closed")
                j += 1
            m = re.compile(r"[a-z]*").match(src, j + 1)
            assert m is not None
            toks.append(("regex", (src[i + 1 : j], m.group())))
            i = m.end()
            continue
        m = _NUM.match(src, i)
        if m and (c.isdigit() or (c == "." and src[i + 1 : i + 2].isdigit())):
            text = m.group()
            toks.append(
                (
                    "num",
                    int(text, 16)
                    if text[:2] in ("0x", "0X")
                    else (float(text) if any(x in text for x in ".eE") else int(text)),
                )
            )
            i = m.end()
            continue
        m = _IDENT.match(src, i)
        if m:
            toks.append(("name", m.group()))
            i = m.end()
            continue
        for p in _PUNCT:
            if src.startswith(p, i):
                toks.append(("op", p))
                i += len(p)
                break
        else:
            raise Untranslatable(f"unexpected character {c!r}")
    toks.append(("end", None))
    return toks


def _read_template(src: str, i: int) -> tuple[list[Any], int]:
    i += 1
    parts: list[Any] = []
    buf: list[str] = []
    while i < len(src):
        c = src[i]
        if c == "`":
            if buf:
                parts.append("".join(buf))
            return parts, i + 1
        if c == "\\":
            e = src[i + 1 : i + 2]
            buf.append(_ESC.get(e, e))
            i += 2
            continue
        if src.startswith("${", i):
            if buf:
                parts.append("".join(buf))
                buf = []
            depth, j = 1, i + 2
            while j < len(src) and depth:
                if src[j] in "'\"`":
                    j = _read_template(src, j)[1] if src[j] == "`" else _read_string(src, j)[1]
                    continue
                depth += {"{": 1, "}": -1}.get(src[j], 0)
                j += 1
            if depth:
                raise Untranslatable("a template literal's ${ is not closed")
            parts.append(parse_js(src[i + 2 : j - 1]))
            i = j
            continue
        buf.append(c)
        i += 1
    raise Untranslatable("a template literal is not closed")


_BINARY = [
    ("??",),
    ("||",),
    ("&&",),
    ("|",),
    ("^",),
    ("&",),
    ("==", "!=", "===", "!=="),
    ("<", ">", "<=", ">=", "in", "instanceof"),
    ("<<", ">>"),
    ("+", "-"),
    ("*", "/", "%"),
]


class _Parser:
    def __init__(self, toks: list[tuple[str, Any]]) -> None:
        self.toks = toks
        self.i = 0

    def peek(self, k: int = 0) -> tuple[str, Any]:
        return self.toks[min(self.i + k, len(self.toks) - 1)]

    def at(self, text: str) -> bool:
        kind, v = self.peek()
        return kind in ("op", "name") and v == text

    def take(self, text: str | None = None) -> tuple[str, Any]:
        t = self.peek()
        if text is not None and not (t[0] in ("op", "name") and t[1] == text):
            raise Untranslatable(f"expected '{text}' but found {t[1]!r}")
        self.i += 1
        return t

    def expression(self) -> Node:
        node = self.assign()
        if self.at(","):
            raise Untranslatable("the comma operator is not supported")
        return node

    def assign(self) -> Node:
        arrow = self._arrow()
        if arrow is not None:
            return arrow
        node = self.conditional()
        if self.at("=") or (self.peek()[0] == "op" and self.peek()[1] in ("+=", "-=")):
            raise Untranslatable("assignments are not supported in expressions")
        return node

    def _arrow(self) -> Node | None:
        kind, v = self.peek()
        if kind == "name" and self.peek(1) == ("op", "=>"):
            self.i += 2
            return ("arrow", [v], self._arrow_body())
        if (kind, v) != ("op", "("):
            return None
        depth, j = 0, self.i
        while j < len(self.toks):
            k, t = self.toks[j]
            if k == "op" and t in ("(", "[", "{"):
                depth += 1
            elif k == "op" and t in (")", "]", "}"):
                depth -= 1
                if depth == 0:
                    break
            j += 1
        if self.toks[min(j + 1, len(self.toks) - 1)] != ("op", "=>"):
            return None
        params: list[str] = []
        for k, t in self.toks[self.i + 1 : j]:
            if k == "name":
                params.append(t)
            elif (k, t) != ("op", ","):
                raise Untranslatable(
                    "arrow functions with default or destructured parameters are not supported"
                )
        self.i = j + 2
        return ("arrow", params, self._arrow_body())

    def _arrow_body(self) -> Node:
        """An expression, or a block of ``const x = ...;`` bindings and one ``return``
        (the bindings are substituted into the returned expression)."""
        if not self.at("{"):
            return self.assign()
        self.take("{")
        bindings: list[tuple[str, Node]] = []
        while self.peek()[0] == "name" and self.peek()[1] in ("const", "let", "var"):
            self.take()
            kind, name = self.take()
            if kind != "name":
                raise Untranslatable("destructuring declarations are not supported")
            self.take("=")
            bindings.append((name, self.assign()))
            if self.at(";"):
                self.take(";")
        if not self.at("return"):
            raise Untranslatable(
                "arrow functions with statement bodies (if, loops, assignments) are not supported"
            )
        self.take("return")
        body = self.expression()
        if self.at(";"):
            self.take(";")
        self.take("}")
        for name, value in reversed(bindings):
            body = _substitute(body, name, value)
        return body

    def conditional(self) -> Node:
        cond = self.binary(0)
        if self.at("?"):
            self.take("?")
            a = self.assign()
            self.take(":")
            b = self.assign()
            return ("cond", cond, a, b)
        return cond

    def binary(self, level: int) -> Node:
        if level == len(_BINARY):
            return self.power()
        node = self.binary(level + 1)
        while self.peek()[0] in ("op", "name") and self.peek()[1] in _BINARY[level]:
            op = self.take()[1]
            node = ("bin", op, node, self.binary(level + 1))
        return node

    def power(self) -> Node:
        node = self.unary()
        if self.at("**"):
            self.take()
            return ("bin", "**", node, self.power())
        return node

    def unary(self) -> Node:
        kind, v = self.peek()
        if (kind == "op" and v in ("!", "-", "+", "~")) or (
            kind == "name" and v in ("typeof", "void", "delete", "await")
        ):
            self.take()
            return ("unary", v, self.unary())
        return self.postfix()

    def postfix(self) -> Node:
        if self.at("new"):
            self.take()
            callee = self.primary()
            while self.at("."):
                self.take()
                callee = ("member", callee, self.take()[1], False)
            args = self.arguments() if self.at("(") else []
            node: Node = ("new", callee, args)
        else:
            node = self.primary()
        while True:
            if self.at("."):
                self.take()
                k, name = self.take()
                if k != "name":
                    raise Untranslatable(f"expected a field name after '.', found {name!r}")
                node = ("member", node, name, False)
            elif self.at("?."):
                self.take()
                if self.at("("):
                    node = ("call", node, self.arguments(), True)
                elif self.at("["):
                    self.take()
                    node = ("index", node, self.expression(), True)
                    self.take("]")
                else:
                    node = ("member", node, self.take()[1], True)
            elif self.at("["):
                self.take()
                node = ("index", node, self.expression(), False)
                self.take("]")
            elif self.at("("):
                node = ("call", node, self.arguments(), False)
            elif self.peek()[0] == "tpl":
                raise Untranslatable("tagged template literals are not supported")
            else:
                return node

    def arguments(self) -> list[Node]:
        self.take("(")
        args: list[Node] = []
        while not self.at(")"):
            if self.at("..."):
                self.take()
                args.append(("spread", self.assign()))
            else:
                args.append(self.assign())
            if not self.at(")"):
                self.take(",")
        self.take(")")
        return args

    def primary(self) -> Node:
        kind, v = self.take()
        if kind in ("num", "str"):
            return (kind, v)
        if kind == "tpl":
            return ("tpl", v)
        if kind == "regex":
            return ("regex", v[0], v[1])
        if kind == "name":
            if v in ("true", "false"):
                return ("lit", v == "true")
            if v in ("null", "undefined"):
                return ("lit", None)
            if v in (
                "function",
                "class",
                "const",
                "let",
                "var",
                "if",
                "for",
                "while",
                "return",
                "this",
                "yield",
                "async",
            ):
                raise Untranslatable(f"'{v}' (statements and functions) is not supported")
            return ("name", v)
        if (kind, v) == ("op", "("):
            node = self.expression()
            self.take(")")
            return node
        if (kind, v) == ("op", "["):
            items: list[Node] = []
            while not self.at("]"):
                if self.at("..."):
                    self.take()
                    items.append(("spread", self.assign()))
                else:
                    items.append(self.assign())
                if not self.at("]"):
                    self.take(",")
            self.take("]")
            return ("arr", items)
        if (kind, v) == ("op", "{"):
            return self._object()
        raise Untranslatable(
            f"unexpected {v!r}" if v is not None else "the expression ends too early"
        )

    def _object(self) -> Node:
        entries: list[Any] = []
        while not self.at("}"):
            if self.at("..."):
                self.take()
                entries.append(("...", self.assign()))
            else:
                k, key = self.take()
                if k == "op" and key == "[":
                    raise Untranslatable("computed object keys are not supported")
                if k not in ("name", "str", "num"):
                    raise Untranslatable(f"unexpected {key!r} in an object")
                if self.at(":"):
                    self.take()
                    entries.append((str(key), self.assign()))
                elif k == "name":
                    entries.append((key, ("name", key)))
                else:
                    raise Untranslatable("expected ':' in an object")
            if not self.at("}"):
                self.take(",")
        self.take("}")
        return ("obj", entries)


def _substitute(node: Any, name: str, value: Node) -> Any:
    """``node`` with the variable ``name`` replaced by ``value`` (not inside an arrow
    function that rebinds the name)."""
    if not isinstance(node, tuple) or not node:
        if isinstance(node, list):
            return [_substitute(x, name, value) for x in node]
        return node
    if node == ("name", name):
        return value
    if node[0] == "arrow" and name in node[1]:
        return node
    if node[0] == "obj":
        return ("obj", [(k, _substitute(v, name, value)) for k, v in node[1]])
    if node[0] in ("member",):
        return ("member", _substitute(node[1], name, value), node[2], node[3])
    return tuple(_substitute(x, name, value) if isinstance(x, tuple | list) else x for x in node)


def parse_js(src: str) -> Node:
    """The tree of one JavaScript expression.

    Raises:
        Untranslatable: the text is not one expression this parser reads.
    """
    text = src.strip().rstrip(";").strip()
    if not text:
        raise Untranslatable("the expression is empty")
    try:
        p = _Parser(_tokens(text))
        node = p.expression()
    except (IndexError, ValueError) as exc:
        if isinstance(exc, Untranslatable):
            raise
        raise Untranslatable(f"cannot read the expression ({exc})") from None
    except RecursionError:
        raise Untranslatable("the expression is nested too deeply") from None
    if p.peek()[0] != "end":
        raise Untranslatable(f"unexpected {p.peek()[1]!r} after the expression")
    return node
