"""From a parsed JavaScript expression (:mod:`engine.interop._jsparse`) to AURA expression
text: n8n variables, Luxon dates, ``JSON``/``Math``/``Object`` calls, regular expressions,
template literals and ``map``/``filter``/``find`` with arrow functions become AURA syntax
and helpers. Anything without an equivalent raises :class:`Untranslatable`.
"""

from __future__ import annotations

import json
import keyword
import re
from typing import Any

from engine.interop._jsparse import Node, Untranslatable

__all__ = ["emit", "luxon_to_strftime"]

_VARS = {
    "$json",
    "$item",
    "$index",
    "$itemIndex",
    "$binary",
    "$input",
    "$node",
    "$",
    "$vars",
    "$env",
    "$now",
    "$today",
    "$workflow",
    "$execution",
    "$if",
    "$ifEmpty",
}
_NOT_IN_AURA = {
    "$jmespath": "$jmespath queries have no AURA equivalent; use fields and comprehensions",
    "$runIndex": "$runIndex (loop runs) has no AURA equivalent",
    "$prevNode": '$prevNode has no AURA equivalent; name the node with $node("Name")',
    "$parameter": "$parameter (the node's own parameters) has no AURA equivalent",
    "$position": "$position has no AURA equivalent",
    "$evaluateExpression": "$evaluateExpression has no AURA equivalent",
}
_AI_KEY = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_GLOBAL_FUNCS = {
    "parseInt": "int",
    "parseFloat": "float",
    "Number": "number",
    "String": "str",
    "Boolean": "bool",
    "encodeURIComponent": "url_encode",
    "decodeURIComponent": "url_decode",
}
_MATH = {
    "round": "round",
    "floor": "floor",
    "ceil": "ceil",
    "abs": "abs",
    "max": "max",
    "min": "min",
}
_OBJECT = {"keys": "keys", "values": "values", "entries": "items"}
_RENAMED = {
    "replaceAll": "replace",
    "toISODate": None,
    "toJSDate": None,
    "toJsDate": None,
    "parseJson": None,
    "trimStart": "lstrip",
    "trimEnd": "rstrip",
}
_AS_HELPER = {
    "parseJson": "parse_json",
    "base64Decode": "base64_decode",
    "base64Encode": "base64_encode",
    "urlEncode": "url_encode",
    "urlDecode": "url_decode",
}
_BINARY_PROPS = {"mimeType": "mime_type", "fileName": "file_name", "fileSize": "file_size"}
_LUXON = [
    ("yyyy", "%Y"),
    ("yy", "%y"),
    ("MMMM", "%B"),
    ("LLLL", "%B"),
    ("LLL", "%b"),
    ("LL", "%m"),
    ("L", "%-m"),
    ("MMM", "%b"),
    ("MM", "%m"),
    ("M", "%-m"),
    ("dd", "%d"),
    ("d", "%-d"),
    ("HH", "%H"),
    ("H", "%-H"),
    ("hh", "%I"),
    ("h", "%-I"),
    ("mm", "%M"),
    ("m", "%-M"),
    ("ss", "%S"),
    ("s", "%-S"),
    ("a", "%p"),
    ("EEEE", "%A"),
    ("EEE", "%a"),
    ("cccc", "%A"),
    ("ccc", "%a"),
    ("ZZZ", "%z"),
    ("ZZ", "%z"),
    ("z", "%Z"),
    ("SSS", "%f"),
    ("o", "%j"),
    ("WW", "%V"),
]
_COMPOUND = {"bin", "cond", "unary", "arrow"}
_LOOPS = {"map", "filter", "find", "some", "every", "flatMap"}


def _known_methods() -> set[str]:
    import engine.expressions  # noqa: F401  (fills the registries)
    from engine.expressions._registry import METHODS

    return {name for table in METHODS.values() for name in table}


_METHODS: set[str] | None = None


def luxon_to_strftime(fmt: str) -> str:
    """A Luxon ``toFormat`` pattern as a strftime pattern (``yyyy-MM-dd`` → ``%Y-%m-%d``)."""
    out, i = [], 0
    while i < len(fmt):
        if fmt[i] == "'":
            j = fmt.find("'", i + 1)
            if j < 0:
                raise Untranslatable("a quoted part of a date format is not closed")
            out.append(fmt[i + 1 : j].replace("%", "%%") or "'")
            i = j + 1
            continue
        for tok, rep in _LUXON:
            if fmt.startswith(tok, i):
                out.append(rep)
                i += len(tok)
                break
        else:
            if fmt[i].isalpha():
                raise Untranslatable(f"the date format token {fmt[i]!r} has no strftime equivalent")
            out.append("%%" if fmt[i] == "%" else fmt[i])
            i += 1
    return "".join(out)


def _js_replacement(text: str) -> str:
    """``$1`` / ``$&`` in a JavaScript replacement as ``\\1`` / ``\\g<0>``."""
    return re.sub(
        r"\$(\d+|&)",
        lambda m: "\\g<0>" if m.group(1) == "&" else f"\\{m.group(1)}",
        text.replace("\\", "\\\\"),
    )


def _flags(flags: str) -> str:
    bad = set(flags) - set("gimsuy")
    if bad or "y" in flags:
        raise Untranslatable(f"regular expression flags {flags!r} are not supported")
    return "".join(f for f in flags if f in "ims")


class _Emitter:
    def __init__(self) -> None:
        self.scope: list[str] = []

    def atom(self, node: Node) -> str:
        text = self.emit(node)
        return f"({text})" if node[0] in _COMPOUND else text

    def emit(self, node: Node) -> str:
        kind = node[0]
        if kind == "num":
            return repr(node[1])
        if kind == "str":
            return json.dumps(node[1], ensure_ascii=False)
        if kind == "lit":
            return {True: "true", False: "false", None: "null"}[node[1]]
        if kind == "tpl":
            parts = [
                json.dumps(p, ensure_ascii=False) if isinstance(p, str) else f"str({self.emit(p)})"
                for p in node[1]
            ]
            return (
                "(" + " + ".join(parts) + ")" if len(parts) > 1 else (parts[0] if parts else '""')
            )
        if kind == "regex":
            raise Untranslatable(
                "a regular expression literal is only supported in "
                "replace(), match(), test() and split()"
            )
        if kind == "name":
            return self.name(node[1])
        if kind == "arr":
            return self.array(node[1])
        if kind == "obj":
            return self.object(node[1])
        if kind == "spread":
            raise Untranslatable("spread (...) is only supported in lists and objects")
        if kind == "member":
            return self.member(node)
        if kind == "index":
            obj = self.atom(node[1])
            if node[3]:
                return f"$if({obj} == null, null, {obj}[{self.emit(node[2])}])"
            return f"{obj}[{self.emit(node[2])}]"
        if kind == "call":
            return self.call(node)
        if kind == "new":
            return self.new(node)
        if kind == "unary":
            return self.unary(node[1], node[2])
        if kind == "bin":
            return self.binary(node[1], node[2], node[3])
        if kind == "cond":
            return f"{self.atom(node[2])} if {self.atom(node[1])} else {self.atom(node[3])}"
        if kind == "arrow":
            raise Untranslatable(
                "arrow functions are only supported in map(), filter(), find(), some() and every()"
            )
        raise Untranslatable(f"unsupported syntax {kind}")

    def name(self, name: str) -> str:
        if name in self.scope:
            return name
        if name in _VARS:
            return name
        if name == "$executionId":
            return "$execution.id"
        if name in _NOT_IN_AURA:
            raise Untranslatable(_NOT_IN_AURA[name])
        if name == "NaN" or name == "Infinity":
            raise Untranslatable(f"{name} has no AURA equivalent")
        raise Untranslatable(f"unknown name '{name}'")

    def array(self, items: list[Node]) -> str:
        if not any(i[0] == "spread" for i in items):
            return "[" + ", ".join(self.emit(i) for i in items) + "]"
        parts = [self.emit(i[1]) if i[0] == "spread" else f"[{self.emit(i)}]" for i in items]
        return f"concat({', '.join(parts)})"

    def object(self, entries: list[Any]) -> str:
        out = []
        for key, value in entries:
            if key == "..." and isinstance(value, tuple):
                out.append(f"**{self.atom(value)}")
            else:
                out.append(f"{json.dumps(key, ensure_ascii=False)}: {self.emit(value)}")
        return "{" + ", ".join(out) + "}"

    def member(self, node: Node) -> str:
        _, obj, name, optional = node
        if obj == ("name", "Math") and name == "PI":
            return "3.141592653589793"
        if obj[0] == "member" and obj[1] == ("name", "$binary") and name in _BINARY_PROPS:
            return f"$binary.{obj[2]}.{_BINARY_PROPS[name]}"
        if obj[0] == "member" and obj[1] == ("name", "$binary") and name == "fileExtension":
            return f'($binary.{obj[2]}.file_name ?? "").split(".").last()'
        if obj[0] == "member" and obj[1] == ("name", "$binary"):
            raise Untranslatable(
                f"binary data field '{name}' has no AURA equivalent "
                "(AURA has mime_type, file_name and file_size)"
            )
        if obj == ("name", "$execution") and name == "resumeUrl":
            return "$execution.resume_url"
        if name.startswith("_") or (keyword.iskeyword(name) and name not in ("from", "class")):
            return f'{self.atom(obj)}["{name}"]'
        return f"{self.atom(obj)}{'?.' if optional else '.'}{name}"

    def args(self, args: list[Node]) -> list[str]:
        if any(a[0] == "spread" for a in args):
            raise Untranslatable("spread arguments (...) are not supported")
        return [self.emit(a) for a in args]

    def from_ai(self, args: list[Node]) -> str:
        """``$fromAI("key", ...)``: the argument the agent's model gives the tool, which an
        AURA node tool reads as ``$json.key`` (its default, the 4th argument, if absent)."""
        if not args or args[0][0] != "str" or not _AI_KEY.match(str(args[0][1])):
            raise Untranslatable("$fromAI() needs a key of letters, digits, _ or - first")
        key = str(args[0][1])
        out = f"$json.{key}" if key.isidentifier() else f"$json[{json.dumps(key)}]"
        if len(args) >= 4 and args[3] != ("str", ""):
            return f"({out} ?? {self.emit(args[3])})"
        return out

    def call(self, node: Node) -> str:
        _, callee, args, optional = node
        if callee[0] == "arrow" and not callee[1] and not args:
            return self.emit(callee[2])  # (() => { const x = ...; return ... })()
        if callee[0] == "name":
            fn = callee[1]
            if fn == "$fromAI":
                return self.from_ai(args)
            if fn in ("$", "$node", "$if", "$ifEmpty"):
                return f"{fn}({', '.join(self.args(args))})"
            if fn == "$items":
                if not args:
                    return "$input.all()"
                if len(args) == 1:
                    return f"$node({self.emit(args[0])}).all()"
                raise Untranslatable("$items() with a branch or run index is not supported")
            if fn in _GLOBAL_FUNCS:
                if fn == "parseInt" and len(args) == 2 and args[1] != ("num", 10):
                    raise Untranslatable("parseInt() with a radix other than 10")
                return f"{_GLOBAL_FUNCS[fn]}({self.args(args[:1])[0]})"
            self.name(fn)
            raise Untranslatable(f"'{fn}' cannot be called")
        if callee[0] == "member":
            obj, meth = callee[1], callee[2]
            glob = obj[1] if obj[0] == "name" and obj[1] not in self.scope else None
            if glob == "JSON":
                if meth == "stringify":
                    a = self.args([x for x in args if x != ("lit", None)])
                    return f"to_json({', '.join(a[:2])})"
                if meth == "parse":
                    return f"parse_json({self.args(args)[0]})"
            if glob == "Math":
                if meth in ("max", "min") and len(args) == 1 and args[0][0] == "spread":
                    return f"{meth}({self.emit(args[0][1])})"  # Math.max(...list)
                if meth in _MATH:
                    return f"{_MATH[meth]}({', '.join(self.args(args))})"
                if meth == "random" and not args:
                    return "random()"
                if meth == "pow" and len(args) == 2:
                    base, power = self.args(args)
                    return f"({base}) ** ({power})"
                raise Untranslatable(f"Math.{meth}() has no AURA equivalent")
            if glob == "Object":
                if meth in _OBJECT:
                    return f"{_OBJECT[meth]}({self.args(args)[0]})"
                if meth == "assign":
                    rest = [a for a in args if a != ("obj", [])]
                    return f"merge({', '.join(self.args(rest))})"
                raise Untranslatable(f"Object.{meth}() has no AURA equivalent")
            if glob == "Array" and meth == "isArray":
                return f"is_list({self.args(args)[0]})"
            if glob == "DateTime":
                if meth in ("now", "local") and not args:
                    return "$now"
                if meth in ("fromISO", "fromSeconds", "fromMillis") and len(args) == 1:
                    return f"date({self.emit(args[0])})"
                if meth == "fromFormat" and len(args) >= 2 and args[1][0] == "str":
                    return (
                        f"date({self.emit(args[0])}, {json.dumps(luxon_to_strftime(args[1][1]))})"
                    )
                raise Untranslatable(f"DateTime.{meth}() is not supported")
            if glob == "Date" and meth == "now":
                return "$now.to_millis()"
            if obj[0] == "regex" and meth == "test" and len(args) == 1:
                return (
                    f"regex_test({self.emit(args[0])}, {json.dumps(obj[1])}, "
                    f"{json.dumps(_flags(obj[2]))})"
                )
            return self.method(obj, meth, args, callee[3] or optional)
        raise Untranslatable("only functions and methods can be called")

    def method(self, obj: Node, meth: str, args: list[Node], optional: bool) -> str:
        dot = "?." if optional else "."
        if meth in _LOOPS and len(args) == 1 and args[0][0] == "arrow":
            return self.loop(obj, meth, args[0])
        if meth == "reduce" and len(args) == 2 and args[0][0] == "arrow":
            return self.reduce(obj, args[0], args[1])
        recv = self.atom(obj)
        if meth in ("replace", "replaceAll") and len(args) == 2:
            pat, rep = args
            if rep[0] != "str" and (
                pat[0] == "regex" or rep[0] not in ("name", "member", "call", "index")
            ):
                raise Untranslatable(f"{meth}() with a function or computed replacement")
            if pat[0] == "regex":
                count = 0 if "g" in pat[2] or meth == "replaceAll" else 1
                repl = (
                    json.dumps(_js_replacement(rep[1]), ensure_ascii=False)
                    if rep[0] == "str"
                    else self.emit(rep)
                )
                return (
                    f"{recv}{dot}regex_replace({json.dumps(pat[1], ensure_ascii=False)}, "
                    f"{repl}, {count}, {json.dumps(_flags(pat[2]))})"
                )
            a, b = self.args(args)
            return f"{recv}{dot}replace({a}, {b}{', 1' if meth == 'replace' else ''})"
        if meth == "match" and len(args) == 1 and args[0][0] == "regex":
            _, pat, flags = args[0]
            which = "regex_find_all" if "g" in flags else "regex_match"
            return (
                f"{recv}{dot}{which}({json.dumps(pat, ensure_ascii=False)}, "
                f"{json.dumps(_flags(flags))})"
            )
        if meth == "split" and len(args) == 1 and args[0][0] == "regex":
            _, pat, flags = args[0]
            return (
                f"{recv}{dot}regex_split({json.dumps(pat, ensure_ascii=False)}, "
                f"{json.dumps(_flags(flags))})"
            )
        if meth in ("plus", "minus") and len(args) == 1 and args[0][0] == "obj":
            out = recv
            for key, value in args[0][1]:
                if key == "...":
                    raise Untranslatable(f"{meth}() with a spread object")
                unit = key if key.endswith("s") else key + "s"
                out = f"{out}{dot}{meth}({self.emit(value)}, {json.dumps(unit)})"
            return out
        if meth == "toString" and args:
            raise Untranslatable("toString() with a radix has no AURA equivalent")
        if meth == "toFormat" and len(args) == 1 and args[0][0] == "str":
            return f"{recv}{dot}format({json.dumps(luxon_to_strftime(args[0][1]))})"
        if meth == "toISODate" and not args:
            return f'{recv}{dot}format("%Y-%m-%d")'
        if meth in ("toJSDate", "toJsDate") and not args:
            return recv
        if meth in _AS_HELPER and not args:
            return f"{_AS_HELPER[meth]}({self.emit(obj)})"
        if meth == "hash" and len(args) <= 1:
            algo = self.emit(args[0]) if args else '"md5"'
            return f"hash({self.emit(obj)}, {algo})"
        if meth == "isUrl" and not args:
            return f'regex_test({self.emit(obj)}, "^https?://[^\\s/$.?#][^\\s]*$")'
        if meth == "toUTC" and not args:
            return f'{recv}{dot}to_timezone("UTC")'
        if meth == "toTitleCase" and not args:
            return f"{recv}{dot}title()"
        if meth in (
            "substr",
            "toLocaleString",
            "toLocaleDateString",
            "toLocaleTimeString",
            "push",
            "pop",
            "shift",
            "unshift",
            "splice",
            "forEach",
            "reduce",
            "findIndex",
        ):
            raise Untranslatable(f"the JavaScript method {meth}() has no AURA equivalent")
        name = _RENAMED.get(meth) or meth
        global _METHODS
        if _METHODS is None:
            _METHODS = _known_methods()
        if name not in _METHODS:
            raise Untranslatable(f"AURA expressions have no method {meth}()")
        return f"{recv}{dot}{name}({', '.join(self.args(args))})"

    def loop(self, obj: Node, meth: str, arrow: Node) -> str:
        params, body = arrow[1], arrow[2]
        if len(params) != 1:
            raise Untranslatable(f"{meth}() with an index parameter is not supported")
        var = params[0]
        if var.startswith(("_", "$")) or keyword.iskeyword(var):
            raise Untranslatable(f"the loop variable name '{var}' is not allowed in AURA")
        recv = self.atom(obj)
        self.scope.append(var)
        try:
            b = self.emit(body)
        finally:
            self.scope.pop()
        if meth == "map":
            return f"[{b} for {var} in {recv}]"
        if meth == "flatMap":
            return f"flatten([{b} for {var} in {recv}])"
        if meth == "filter":
            return f"[{var} for {var} in {recv} if {b}]"
        if meth == "find":
            return f"first([{var} for {var} in {recv} if {b}])"
        return f"{'any' if meth == 'some' else 'all'}([{b} for {var} in {recv}])"

    def reduce(self, obj: Node, arrow: Node, init: Node) -> str:
        """The common folds: a sum from 0, and/or from true/false, objects merged from {},
        lists concatenated from []; any other ``reduce()`` is kept."""
        params, body = arrow[1], arrow[2]
        if len(params) == 2:
            acc, cur = ("name", params[0]), ("name", params[1])
            recv = self.emit(obj)
            if body == ("bin", "+", acc, cur) and init == ("num", 0):
                return f"sum({recv})"
            if body == ("bin", "&&", acc, cur) and init == ("lit", True):
                return f"all({recv})"
            if body == ("bin", "||", acc, cur) and init == ("lit", False):
                return f"any({recv})"
            if body == ("obj", [("...", acc), ("...", cur)]) and init == ("obj", []):
                return f"{{k: v for o in {recv} for k, v in o.items()}}"
            if body == ("call", ("member", acc, "concat", False), [cur], False) and init == (
                "arr",
                [],
            ):
                return f"flatten({recv})"
        raise Untranslatable("the JavaScript method reduce() has no AURA equivalent")

    def new(self, node: Node) -> str:
        _, callee, args = node
        if callee == ("name", "Date"):
            if not args:
                return "$now"
            if len(args) == 1:
                return f"date({self.emit(args[0])})"
        raise Untranslatable("'new' is only supported for Date")

    def unary(self, op: str, x: Node) -> str:
        if op == "!":
            return f"not {self.atom(x)}"
        if op == "-":
            return f"-{self.atom(x)}"
        if op == "+":
            return f"number({self.emit(x)})"
        if op == "typeof":
            return f"typeof({self.emit(x)})"
        raise Untranslatable(f"the operator '{op}' has no AURA equivalent")

    def binary(self, op: str, a: Node, b: Node) -> str:
        mapped = {"===": "==", "!==": "!=", "&&": "and", "||": "or"}.get(op, op)
        if op == "instanceof":
            raise Untranslatable("instanceof has no AURA equivalent; use typeof()")
        return f"{self.atom(a)} {mapped} {self.atom(b)}"


def emit(node: Node) -> str:
    """AURA expression text (without ``{{ }}``) for a parsed JavaScript expression.

    Raises:
        Untranslatable: something in it has no AURA equivalent.
    """
    return _Emitter().emit(node)
