"""Keep secrets out of logs and execution data: replace them with ``***``.

``redact(value, secrets)`` walks JSON-like data (dicts, lists, tuples, strings) and
replaces every occurrence of a secret inside any string (values and keys) with ``***``.
Common encodings of each secret are caught too: URL-encoded (a key in a query string)
and JSON-escaped. Secrets shorter than :data:`MIN_LENGTH` are ignored: replacing ``"a"``
everywhere would destroy the data and such values are not secrets anyway.

Use :class:`Redactor` to redact many values with the same secrets (the pattern is
compiled once)::

    r = Redactor(secret_values)
    output = r(node_output)
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any
from urllib.parse import quote, quote_plus

__all__ = ["MIN_LENGTH", "PLACEHOLDER", "Redactor", "redact"]

PLACEHOLDER = "***"
MIN_LENGTH = 4


def _variants(secret: str) -> set[str]:
    out = {secret, quote(secret, safe=""), quote_plus(secret, safe=""),
           json.dumps(secret)[1:-1]}
    return {v for v in out if len(v) >= MIN_LENGTH}


@lru_cache(maxsize=256)
def _pattern(secrets: frozenset[str]) -> re.Pattern[str] | None:
    variants: set[str] = set()
    for s in secrets:
        if isinstance(s, str) and len(s) >= MIN_LENGTH:
            variants |= _variants(s)
    if not variants:
        return None
    # longest first, so a secret containing another is replaced whole
    return re.compile("|".join(re.escape(v) for v in sorted(variants, key=len, reverse=True)))


class Redactor:
    """Redacts values with a fixed set of secrets."""

    def __init__(self, secrets: Iterable[str], placeholder: str = PLACEHOLDER) -> None:
        self.pattern = _pattern(frozenset(s for s in secrets if isinstance(s, str)))
        self.placeholder = placeholder

    def __bool__(self) -> bool:
        return self.pattern is not None

    def text(self, text: str) -> str:
        """``text`` with secrets replaced."""
        if self.pattern is None or not text:
            return text
        return self.pattern.sub(self.placeholder, text)

    def __call__(self, value: Any) -> Any:
        if self.pattern is None:
            return value
        return self._walk(value)

    def _walk(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {(self.text(k) if isinstance(k, str) else k): self._walk(v)
                    for k, v in value.items()}
        if isinstance(value, list):
            return [self._walk(v) for v in value]
        if isinstance(value, tuple):
            return tuple(self._walk(v) for v in value)
        return value


def redact(value: Any, secrets: set[str] | frozenset[str] | Iterable[str],
           placeholder: str = PLACEHOLDER) -> Any:
    """A copy of ``value`` (JSON-like data or a string) with every occurrence of each
    secret replaced by ``placeholder``. Non-string leaves are kept as they are."""
    return Redactor(secrets, placeholder)(value)
