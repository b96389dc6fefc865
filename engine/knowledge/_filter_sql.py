"""A metadata filter as SQL (private to :mod:`engine.knowledge.filters`): a condition on
``knowledge_chunk.meta`` that keeps every chunk the filter may match and drops most of
the others, so a search does not read and parse the metadata of the whole base. The rows
kept are checked again in Python (:func:`engine.knowledge.filters._matches` decides).

Only exact values are turned into SQL, and only where that is sure to keep every match:
a text that is not a number (the stored text equals it), or a finite number (stored
numbers equal to it; every stored text and true/false is kept, as ``"3"`` and ``true``
may match). True/false, the words ``true``/``false``, ranges and ``document`` add no
condition. Keys and values are bound parameters, never SQL text.
"""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import TextClause, text

__all__ = ["meta_condition"]

_EXACT = 2**53  # integers beyond this are equal as floats to neighbours they differ from


def _number(value: Any) -> float | None:
    """``value`` as a finite float if it is a number or a text of one, else None."""
    if isinstance(value, bool):
        return None
    try:
        n = float(value)
    except (TypeError, ValueError):
        return None
    return n if math.isfinite(n) else None


def _one(dialect: str, key: str, value: Any, tag: str) -> tuple[str, dict[str, Any]] | None:
    """The SQL of "the chunk's ``key`` may equal ``value``", or None (no condition)."""
    if isinstance(value, bool):
        return None
    n = _number(value)
    if n is None and isinstance(value, int | float):
        return None  # NaN or infinite
    if n is None and str(value).lower() in ("true", "false"):
        return None  # equals a stored true/false
    if n is not None and n == int(n) and abs(n) >= _EXACT:
        return None
    p, v = f"p_{tag}", f"v_{tag}"
    if dialect == "sqlite":
        typ, val = f"json_type(meta, :{p})", f"json_extract(meta, :{p})"
        params: dict[str, Any] = {p: '$."' + key.replace('"', '\\"') + '"'}
        if n is None:
            return f"({typ} = 'text' AND {val} = :{v})", {**params, v: str(value)}
        return (
            f"({typ} IN ('text', 'true', 'false') OR "
            f"({typ} IN ('integer', 'real') AND {val} = :{v}))",
            {**params, v: n},
        )
    typ, val = f"json_typeof(meta -> :{p})", f"(meta ->> :{p})"
    params = {p: key}
    if n is None:
        return f"({typ} = 'string' AND {val} = :{v})", {**params, v: str(value)}
    # numbers are stored as Python's json writes them: an int's digits or a float's repr
    forms = {repr(n)} | ({str(int(n))} if n == int(n) else set()) | ({"-0.0"} if n == 0 else set())
    names = [f"{v}_{i}" for i in range(len(forms))]
    listed = ", ".join(f":{name}" for name in names)
    return (
        f"({typ} IN ('string', 'boolean') OR ({typ} = 'number' AND {val} IN ({listed})))",
        {**params, **dict(zip(names, sorted(forms), strict=True))},
    )


def meta_condition(dialect: str, wanted: dict[str, Any]) -> TextClause | None:
    """The SQL condition for the filter's exact values (see the module), or None."""
    parts: list[str] = []
    params: dict[str, Any] = {}
    for f, (key, want) in enumerate(wanted.items()):
        if key == "document" or isinstance(want, dict):
            continue
        ors = [_one(dialect, key, value, f"{f}_{i}") for i, value in enumerate(want)]
        found = [o for o in ors if o is not None]
        if not found or len(found) < len(ors):
            continue  # a value SQL cannot narrow: this field adds no condition
        parts.append("(" + " OR ".join(sql for sql, _ in found) + ")")
        for _, bound in found:
            params.update(bound)
    if not parts:
        return None
    return text(" AND ".join(parts)).bindparams(**params)
