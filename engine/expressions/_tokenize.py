"""From template text to Python-syntax source the compiler can parse.

:func:`split_template` finds the ``{{ ... }}`` parts of a parameter value (aware of
strings and brackets inside them; ``\\{{`` is a literal ``{{``). :func:`to_python`
rewrites one expression: ``$name`` becomes a reserved identifier, JavaScript habits are
translated (``&&``, ``||``, ``!x``, ``===``, ``!==``, ``c ? a : b``, ``a ?? b``,
``a?.b``), and field names that are Python keywords (``$json.from``) are escaped.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass, field

from engine.expressions._errors import ExpressionLimitError, ExpressionSyntaxError

__all__ = ["KEYWORD", "OPTIONAL", "RESERVED", "split_template", "to_python"]

RESERVED = "_DOLLAR_"   # `$json` -> `_DOLLAR_json`
OPTIONAL = "_Q_"        # `a?.b`  -> `a._Q_b`
KEYWORD = "_K_"         # `a.from` -> `a._K_from`
MAX_NESTING = 100

_TOKEN = re.compile(r"""
  (?P<ws>\s+)
| (?P<str>(?P<prefix>[rRbBuUfF]{1,2})?
    (?:'''(?:\\.|[^\\])*?'''|\"\"\"(?:\\.|[^\\])*?\"\"\"|'(?:\\.|[^\\'\n])*'|"(?:\\.|[^\\"\n])*"))
| (?P<num>0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+
    |(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d+)?[jJ]?)
| (?P<dollar>\$[A-Za-z_][A-Za-z0-9_]*|\$)
| (?P<name>[A-Za-z_][A-Za-z0-9_]*)
| (?P<op>===|!==|\*\*|//|<<|>>|<=|>=|==|!=|&&|\|\||\?\?|\?\.|=>|->|:=|[-+*/%@&|^~<>()\[\]{}.,:;=!?])
""", re.VERBOSE | re.DOTALL)
_OPEN = {"(": ")", "[": "]", "{": "}"}
_JS = {"===": "==", "!==": "!=", "&&": "and", "||": "or"}


@dataclass(slots=True)
class Tok:
    kind: str
    text: str


@dataclass(slots=True)
class Group:
    open: str
    items: list[Tok | Group] = field(default_factory=list)


Item = Tok | Group


def split_template(text: str) -> list[tuple[bool, str]]:
    """``[(is_expression, text), ...]``; literal parts have ``\\{{`` unescaped."""
    parts: list[tuple[bool, str]] = []
    buf: list[str] = []
    i, n = 0, len(text)
    while i < n:
        j = text.find("{{", i)
        if j < 0:
            buf.append(text[i:])
            break
        if j > 0 and text[j - 1] == "\\":
            buf.append(text[i:j - 1] + "{{")
            i = j + 2
            continue
        buf.append(text[i:j])
        end = _find_close(text, j + 2)
        if end < 0:
            raise ExpressionSyntaxError(
                f"'{{{{' at position {j} has no matching '}}}}' (check for an unterminated "
                "string or bracket). To write a literal '{{', use '\\{{'.")
        if buf:
            parts.append((False, "".join(buf)))
            buf = []
        parts.append((True, text[j + 2:end]))
        i = end + 2
    if buf and "".join(buf):
        parts.append((False, "".join(buf)))
    return parts


def _find_close(s: str, i: int) -> int:
    depth, n = 0, len(s)
    while i < n:
        c = s[i]
        if c == "'" or c == '"':
            q = s[i:i + 3] if s[i:i + 3] in ("'''", '"""') else c
            i += len(q)
            while i < n and not s.startswith(q, i):
                i += 2 if s[i] == "\\" else 1
            if i >= n:
                return -1
            i += len(q)
            continue
        if c in "([{":
            depth += 1
        elif c in ")]":
            depth = max(0, depth - 1)
        elif c == "}":
            if depth == 0 and s.startswith("}}", i):
                return i
            depth = max(0, depth - 1)
        i += 1
    return -1


def _tokens(src: str) -> list[Tok]:
    out: list[Tok] = []
    pos = 0
    while pos < len(src):
        m = _TOKEN.match(src, pos)
        if m is None:
            ch = src[pos]
            hint = (" Use '...' or \"...\" for text; template literals are not supported."
                    if ch == "`" else "")
            if ch in "'\"":
                raise ExpressionSyntaxError(
                    f"Unterminated string starting at '{src[pos:pos + 20]}'.")
            raise ExpressionSyntaxError(f"Unexpected character '{ch}' in the expression.{hint}")
        pos = m.end()
        kind = m.lastgroup or ""
        if kind == "ws":
            continue
        text = m.group()
        if kind == "str":
            prefix = (m.group("prefix") or "").lower()
            if "f" in prefix:
                raise ExpressionSyntaxError(
                    "f-strings are not supported; write text around {{ }} instead, or "
                    "join with +.")
            if "b" in prefix:
                raise ExpressionSyntaxError("Bytes literals are not supported; use text.")
        if kind == "op" and text == "=>":
            raise ExpressionSyntaxError(
                "Arrow functions are not supported. Use a list comprehension instead, "
                "e.g. [x.name for x in $json.items].")
        out.append(Tok(kind, text))
    return out


def _rewrite_tokens(toks: list[Tok]) -> list[Tok]:
    out: list[Tok] = []
    for i, t in enumerate(toks):
        if t.kind == "dollar":
            if t.text == "$":
                if i + 1 < len(toks) and toks[i + 1].text == "(":
                    out.append(Tok("name", RESERVED + "node"))
                    continue
                raise ExpressionSyntaxError("A lone '$' must be followed by a variable name "
                                            "(like $json) or ('Node name').")
            out.append(Tok("name", RESERVED + t.text[1:]))
        elif t.kind == "op" and t.text in _JS:
            out.append(Tok("name" if t.text in ("&&", "||") else "op", _JS[t.text]))
        elif t.kind == "op" and t.text == "?.":
            nxt = toks[i + 1] if i + 1 < len(toks) else None
            if nxt is None or nxt.kind != "name":
                raise ExpressionSyntaxError("'?.' must be followed by a field or method name; "
                                            "for items use .get(...) or [..] with a check.")
            out.append(Tok("op", "."))
            nxt.text = OPTIONAL + nxt.text
        elif (t.kind == "name" and out and out[-1].text == "." and keyword.iskeyword(t.text)):
            out.append(Tok("name", KEYWORD + t.text))
        else:
            out.append(t)
    return out


def _tree(toks: list[Tok]) -> list[Item]:
    root: list[Item] = []
    stack: list[tuple[list[Item], Group | None]] = [(root, None)]
    for t in toks:
        if t.kind == "op" and t.text in _OPEN:
            if len(stack) > MAX_NESTING:
                raise ExpressionLimitError(f"The expression nests brackets more than "
                                           f"{MAX_NESTING} deep.")
            g = Group(t.text)
            stack[-1][0].append(g)
            stack.append((g.items, g))
        elif t.kind == "op" and t.text in (")", "]", "}"):
            top = stack[-1][1]
            if top is None or _OPEN[top.open] != t.text:
                raise ExpressionSyntaxError(f"Unbalanced '{t.text}' in the expression.")
            stack.pop()
        else:
            stack[-1][0].append(t)
    if len(stack) > 1:
        raise ExpressionSyntaxError("Unclosed bracket in the expression.")
    return root


def _is(x: Item, *texts: str) -> bool:
    return isinstance(x, Tok) and x.text in texts and x.kind in ("op", "name")


def _rewrite(items: list[Item]) -> list[Item]:
    for x in items:
        if isinstance(x, Group):
            x.items = _rewrite(x.items)
    items = _rewrite_not(items)
    if any(_is(x, "?", "??") for x in items):
        segments = _split(items, ",")
        items = []
        for k, seg in enumerate(segments):
            if k:
                items.append(Tok("op", ","))
            items.extend(_segment(seg))
    return items


def _rewrite_not(items: list[Item]) -> list[Item]:
    i = len(items) - 1
    while i >= 0:
        if _is(items[i], "!"):
            j = i + 1
            while j < len(items) and _is(items[j], "-", "+", "~"):
                j += 1
            nxt = items[j] if j < len(items) else None
            if nxt is None or (isinstance(nxt, Tok) and nxt.kind == "op"):
                raise ExpressionSyntaxError("'!' must be followed by a value.")
            j += 1
            while j < len(items):
                nxt = items[j]  # trailers: calls, subscripts, .field
                if isinstance(nxt, Group) and nxt.open in "([":
                    j += 1
                elif _is(nxt, ".") and j + 1 < len(items) and isinstance(items[j + 1], Tok):
                    j += 2
                else:
                    break
            items[i:j] = [Group("(", [Tok("name", "not"), *items[i + 1:j]])]
        i -= 1
    return items


def _split(items: list[Item], sep: str) -> list[list[Item]]:
    out: list[list[Item]] = [[]]
    for x in items:
        if _is(x, sep):
            out.append([])
        else:
            out[-1].append(x)
    return out


def _segment(seg: list[Item]) -> list[Item]:
    q = next((k for k, x in enumerate(seg) if _is(x, "?", "??")), None)
    if q is None:
        return seg
    start = 0
    for k in range(q):
        if _is(seg[k], ":", "="):
            start = k + 1
    end = next((k for k in range(q, len(seg)) if _is(seg[k], "for")), len(seg))
    return seg[:start] + _conditional(seg[start:end]) + seg[end:]


def _conditional(region: list[Item]) -> list[Item]:
    q = next((k for k, x in enumerate(region) if _is(x, "?")), None)
    if q is not None:
        depth, colon = 0, None
        for k in range(q + 1, len(region)):
            if _is(region[k], "?"):
                depth += 1
            elif _is(region[k], ":"):
                if depth == 0:
                    colon = k
                    break
                depth -= 1
        if colon is None:
            raise ExpressionSyntaxError("'?' needs a matching ':' (condition ? yes : no).")
        cond, yes, no = region[:q], region[q + 1:colon], region[colon + 1:]
        if not cond or not yes or not no:
            raise ExpressionSyntaxError("Write the conditional as: condition ? yes : no.")
        return [Group("(", [Group("(", _conditional(yes)), Tok("name", "if"),
                            Group("(", _conditional(cond)), Tok("name", "else"),
                            Group("(", _conditional(no))])]
    parts = _split(region, "??")
    if len(parts) == 1:
        return region
    if any(not p for p in parts):
        raise ExpressionSyntaxError("'??' needs a value on both sides.")
    args: list[Item] = []
    for k, p in enumerate(parts):
        if k:
            args.append(Tok("op", ","))
        args.append(Group("(", p))
    return [Tok("name", RESERVED + "coalesce"), Group("(", args)]


def _flatten(items: list[Item], out: list[str]) -> None:
    for x in items:
        if isinstance(x, Group):
            out.append(x.open)
            _flatten(x.items, out)
            out.append(_OPEN[x.open])
        else:
            out.append(x.text)


def to_python(expr: str) -> str:
    """The expression rewritten into Python syntax (see the module docstring)."""
    toks = _rewrite_tokens(_tokens(expr))
    if not toks:
        raise ExpressionSyntaxError("The expression between {{ and }} is empty.")
    words: list[str] = []
    _flatten(_rewrite(_tree(toks)), words)
    return " ".join(words)
