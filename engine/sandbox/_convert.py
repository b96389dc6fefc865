"""Turns what user code returned into JSON text, inside the sandbox process.

Only exact built-in types are accepted (``type(x) is dict``, not ``isinstance``), so a
user class that overrides ``__eq__``, ``items`` or ``keys`` never runs during the
conversion and nothing but JSON leaves the process. Tuples become lists; dates and
times become ISO-8601 strings; ``int``/``float``/``bool``/``None`` dict keys become
strings as ``json`` would. The size is counted while walking, so an oversized result is
refused before its JSON text is built, and containers that contain themselves are
refused instead of recursing forever.
"""

from __future__ import annotations

import datetime
import json
import math
from typing import Any

__all__ = ["MAX_DEPTH", "ResultProblem", "to_json_bytes"]

MAX_DEPTH = 200
_DATES = (datetime.datetime, datetime.date, datetime.time)


class ResultProblem(Exception):
    """The value cannot be returned; ``kind`` is ``type`` or ``size``."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


class _Walker:
    def __init__(self, limit: int, root: str) -> None:
        self.limit = limit
        self.size = 0
        self.root = root
        self.keys: list[Any] = []
        self.open: set[int] = set()

    def where(self) -> str:
        path = self.root + "".join(f"[{k!r}]" for k in self.keys[:12])
        return path + ("..." if len(self.keys) > 12 else "")

    def fail(self, text: str) -> ResultProblem:
        return ResultProblem("type", f"{self.where()} {text}")

    def add(self, n: int) -> None:
        self.size += n
        if self.size > self.limit:
            raise ResultProblem("size", f"the result is larger than {self.limit} bytes")

    def convert(self, value: Any) -> Any:
        t = type(value)
        if value is None or t is bool:
            self.add(5)
            return value
        if t is str:
            self.add(len(value) + 2)
            return value
        if t is int:
            if value.bit_length() > 13_000:
                raise self.fail(
                    "is an integer too large for JSON (more than 4000 digits); "
                    "return it as a string"
                )
            self.add(len(str(value)))
            return value
        if t is float:
            if not math.isfinite(value):
                raise self.fail(
                    f"is {value!r}, which JSON cannot represent; return None or a string instead"
                )
            self.add(24)
            return value
        if t in _DATES:
            self.add(40)
            return value.isoformat()
        if t is dict or t is list or t is tuple:
            return self.container(value, t)
        raise self.fail(
            f"is of type {_type_name(value)}; return only dicts, lists, strings, "
            "numbers, booleans and None"
        )

    def container(self, value: Any, t: type) -> Any:
        ident = id(value)
        if ident in self.open:
            raise self.fail("contains itself (a cycle); JSON cannot represent that")
        if len(self.keys) >= MAX_DEPTH:
            raise self.fail(f"is nested more than {MAX_DEPTH} levels deep")
        self.open.add(ident)
        self.add(2)
        try:
            if t is dict:
                out: dict[str, Any] = {}
                for k, v in list(value.items()):
                    key = self.key(k)
                    self.add(len(key) + 4)
                    self.keys.append(key)
                    out[key] = self.convert(v)
                    self.keys.pop()
                return out
            items = []
            for i, v in enumerate(value):
                self.keys.append(i)
                items.append(self.convert(v))
                self.keys.pop()
            return items
        finally:
            self.open.discard(ident)

    def key(self, k: Any) -> str:
        tk = type(k)
        if tk is str:
            return str(k)
        if tk is int or tk is float or tk is bool or k is None:
            return json.dumps(k)
        raise self.fail(f"has a key of type {_type_name(k)}; JSON object keys must be strings")


def _type_name(value: Any) -> str:
    try:
        return str(type(value).__name__)
    except Exception:
        return "unknown"


def to_json_bytes(value: Any, limit: int, root: str = "result") -> bytes:
    """JSON text (ASCII) of ``value``.

    Raises:
        ResultProblem: not JSON-compatible, or larger than ``limit`` bytes.
    """
    plain = _Walker(limit, root).convert(value)
    data = json.dumps(plain, ensure_ascii=True, allow_nan=False, separators=(",", ":")).encode(
        "ascii"
    )
    if len(data) > limit:
        raise ResultProblem("size", f"the result is larger than {limit} bytes")
    return data
