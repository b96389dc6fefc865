"""A metadata filter as SQL (private to :mod:`engine.knowledge.filters`): a condition on
``knowledge_chunk.meta`` that keeps every chunk the filter may match and drops most of
the others, so a search does not read and parse the metadata of the whole base. The rows
kept are checked again in Python (:func:`engine.knowledge.filters._matches` decides), so
the SQL may keep a few chunks too many, never leave one out.

* **Exact values**: a text that is not a number (the stored text equals it); a finite
  number (stored numbers equal to it; every stored text and true/false is kept, as
  ``"3"`` and ``true`` may match); true/false (the stored true/false, or a text that
  is ``true``/``false`` in any case); the words ``true``/``false`` (the stored
  true/false, or that very text).
* **Number ranges**: stored numbers, and texts of plain decimal numbers (``"12.50"``,
  ``"1e3"``), compared as numbers with the bounds widened by a hair (a billionth of
  the bound), so that rounding in SQL never drops a chunk Python keeps; other texts are
  kept unless they hold a letter no number has (Python reads ``" 3 "``, ``"1_000"``,
  ``"inf"`` as numbers; ``"unknown"`` is none).
* **Date ranges**: texts starting with an ASCII ``YYYY-MM-DD`` are kept when that date is
  within two days of the bounds (a zone moves an instant by less than a day); other
  texts of ten characters or more are kept when their first four could be digits.
* ``document`` adds no condition (it is decided per document). Missing keys, nulls,
  lists and objects match no range and no value, and are left out.

Keys and values are bound parameters, never SQL text.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import TextClause, text

__all__ = ["meta_condition"]

_EXACT = 2**53  # integers beyond this are equal as floats to neighbours they differ from
_SLACK = 1e-9  # a range's bounds are widened by this share of themselves in SQL
_NOT_NUMBER = "bcdghjklmopqrsuvwxz"  # letters no text Python reads as a number holds
_PG_NUMBER = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]{1,4})?$"
_DAYS = timedelta(days=2)
Part = tuple[str, dict[str, Any]]


def _number(value: Any) -> float | None:
    """``value`` as a finite float if it is a number or a text of one, else None."""
    if isinstance(value, bool):
        return None
    try:
        n = float(value)
    except (TypeError, ValueError):
        return None
    return n if math.isfinite(n) else None


class _Field:
    """SQL for one metadata key: its JSON type and its value (bound parameter ``p``)."""

    def __init__(self, dialect: str, key: str, tag: str) -> None:
        self.sqlite = dialect == "sqlite"
        self.tag = tag
        p = f"p_{tag}"
        if self.sqlite:
            self.typ, self.val = f"json_type(meta, :{p})", f"json_extract(meta, :{p})"
            self.params: dict[str, Any] = {p: '$."' + key.replace('"', '\\"') + '"'}
            self.text = "'text'"
        else:
            self.typ, self.val = f"json_typeof(meta -> :{p})", f"(meta ->> :{p})"
            self.params = {p: key}
            self.text = "'string'"

    def bool_is(self, want: bool) -> str:
        """The stored value is JSON ``want``."""
        word = "true" if want else "false"
        if self.sqlite:
            return f"{self.typ} = '{word}'"
        return f"({self.typ} = 'boolean' AND {self.val} = '{word}')"

    def bind(self, name: str, value: Any) -> str:
        self.params[f"{name}_{self.tag}"] = value
        return f":{name}_{self.tag}"


def _exact(f: _Field, value: Any, i: int) -> str | None:
    """The SQL of "the chunk's value may equal ``value``", or None (no condition)."""
    v = f"v{i}"
    if isinstance(value, bool):  # true/false, or a text of it in any case
        word = "'true'" if value else "'false'"
        return f"({f.bool_is(value)} OR ({f.typ} = {f.text} AND lower({f.val}) = {word}))"
    n = _number(value)
    if n is None and isinstance(value, int | float):
        return None  # NaN or infinite
    if n is None and str(value).lower() in ("true", "false"):  # that true/false, or the text
        return (
            f"({f.bool_is(str(value).lower() == 'true')} OR "
            f"({f.typ} = {f.text} AND {f.val} = {f.bind(v, str(value))}))"
        )
    if n is not None and n == int(n) and abs(n) >= _EXACT:
        return None
    if n is None:
        return f"({f.typ} = {f.text} AND {f.val} = {f.bind(v, str(value))})"
    if f.sqlite:
        return (
            f"({f.typ} IN ('text', 'true', 'false') OR "
            f"({f.typ} IN ('integer', 'real') AND {f.val} = {f.bind(v, n)}))"
        )
    # numbers are stored as Python's json writes them: an int's digits or a float's repr
    forms = {repr(n)} | ({str(int(n))} if n == int(n) else set()) | ({"-0.0"} if n == 0 else set())
    listed = ", ".join(f.bind(f"{v}_{j}", form) for j, form in enumerate(sorted(forms)))
    return f"({f.typ} IN ('string', 'boolean') OR ({f.typ} = 'number' AND {f.val} IN ({listed})))"


def _widened(bounds: dict[str, float]) -> tuple[float | None, float | None]:
    """The lowest and highest value a range may hold, widened by :data:`_SLACK` (None:
    no such bound, or one too large to widen)."""
    lo = [b - abs(b) * _SLACK - 1e-300 for op, b in bounds.items() if op in ("$gt", "$gte")]
    hi = [b + abs(b) * _SLACK + 1e-300 for op, b in bounds.items() if op in ("$lt", "$lte")]
    lo, hi = [b for b in lo if math.isfinite(b)], [b for b in hi if math.isfinite(b)]
    return (max(lo) if lo else None), (min(hi) if hi else None)


def _numbers(f: _Field, bounds: dict[str, float]) -> str:
    """The SQL of "the chunk's value may be a number within ``bounds``"."""
    low, high = _widened(bounds)  # none (a bound too large): still a number, or may be
    as_number = f"CAST({f.val} AS REAL)" if f.sqlite else f"CAST({f.val} AS numeric)"
    cast = (lambda b: b) if f.sqlite else (lambda b: Decimal(b))

    def within(value: str) -> str:
        parts = [f"{value} >= {f.bind('lo', cast(low))}"] if low is not None else []
        parts += [f"{value} <= {f.bind('hi', cast(high))}"] if high is not None else []
        return "(" + " AND ".join(parts) + ")" if parts else ("1" if f.sqlite else "true")

    letters = f.bind("letters", f"*[{_NOT_NUMBER}]*" if f.sqlite else f"[{_NOT_NUMBER}]")
    if f.sqlite:
        plain = f"{f.val} NOT GLOB {f.bind('plain', '*[^0-9.eE+-]*')}"
        return (
            f"(CASE {f.typ} WHEN 'integer' THEN {within(f.val)} "
            f"WHEN 'real' THEN {within(f.val)} "
            f"WHEN 'text' THEN CASE WHEN {plain} THEN {within(as_number)} "
            f"ELSE lower({f.val}) NOT GLOB {letters} END ELSE 0 END)"
        )
    plain = f"{f.val} ~ {f.bind('plain', _PG_NUMBER)} AND length({f.val}) <= 100"
    return (
        f"(CASE {f.typ} WHEN 'number' THEN {within(as_number)} "
        f"WHEN 'string' THEN CASE WHEN {plain} THEN {within(as_number)} "
        f"ELSE lower({f.val}) !~ {letters} END ELSE false END)"
    )


def _day(when: datetime, shift: timedelta) -> str | None:
    try:
        return (when.astimezone(UTC) + shift).date().isoformat()
    except OverflowError:
        return None


def _dates(f: _Field, bounds: dict[str, datetime]) -> str:
    """The SQL of "the chunk's value may be a date within ``bounds``"."""
    low = [d for op, b in bounds.items() if op in ("$gt", "$gte") and (d := _day(b, -_DAYS))]
    high = [d for op, b in bounds.items() if op in ("$lt", "$lte") and (d := _day(b, _DAYS))]
    day = f"substr({f.val}, 1, 10)" + ("" if f.sqlite else ' COLLATE "C"')
    near = [f"{day} >= {f.bind('dlo', max(low))}"] if low else []
    near += [f"{day} <= {f.bind('dhi', min(high))}"] if high else []
    if not near:  # bounds at the ends of the calendar: any date may be in the range
        near = ["1" if f.sqlite else "true"]
    head = f"substr({f.val}, 1, 4)"
    if f.sqlite:
        iso = f"substr({f.val}, 1, 10) GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'"
        digits = f"({head} GLOB '[0-9][0-9][0-9][0-9]' OR length(CAST({head} AS BLOB)) > 4)"
        no = "0"
    else:
        iso = f"substr({f.val}, 1, 10) ~ '^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}$'"
        digits = f"({head} ~ '^[0-9]{{4}}$' OR octet_length({head}) > 4)"
        no = "false"
    return (
        f"(CASE WHEN {f.typ} = {f.text} AND length({f.val}) >= 10 THEN "
        f"CASE WHEN {iso} THEN {' AND '.join(near)} ELSE {digits} END "
        f"ELSE {no} END)"
    )


def meta_condition(dialect: str, wanted: dict[str, Any]) -> TextClause | None:
    """The SQL condition for the filter (see the module), or None."""
    parts: list[str] = []
    params: dict[str, Any] = {}
    for n, (key, want) in enumerate(wanted.items()):
        if key == "document":
            continue
        f = _Field(dialect, key, str(n))
        if isinstance(want, dict):
            dated = isinstance(next(iter(want.values())), datetime)
            found = _dates(f, want) if dated else _numbers(f, want)
        else:
            ors = [_exact(f, value, i) for i, value in enumerate(want)]
            if not ors or any(o is None for o in ors):
                continue  # a value SQL cannot narrow: this field adds no condition
            found = "(" + " OR ".join(o for o in ors if o is not None) + ")"
        parts.append(found)
        params.update(f.params)
    if not parts:
        return None
    return text(" AND ".join(parts)).bindparams(**params)
