"""Column types and small value helpers shared by every table of the store.

* :class:`UTCDateTime` keeps every timestamp timezone-aware and in UTC, on SQLite (which
  has no time zones) as on PostgreSQL (``timestamptz``).
* :data:`JSONValue` is JSON text on both backends (on PostgreSQL ``json``, not ``jsonb``:
  jsonb reorders object keys, and the order of a user's parameters and item fields
  must survive). Python ``None`` is stored as SQL ``NULL``.
* :func:`utcnow`, :func:`new_id`, :func:`canonical_json`, :func:`checksum` and
  :func:`jsonable` are the helpers the repositories use for ids, times and JSON.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import JSON, DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

__all__ = ["JSONValue", "UTCDateTime", "canonical_json", "check_aware", "checksum", "dumps",
           "error_dict", "jsonable", "new_id", "utcnow"]


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def new_id() -> str:
    """A new random id: 32 lower-case hex digits (a UUID4 without dashes)."""
    return uuid.uuid4().hex


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, Enum):
        return value.value
    return str(value)


def _finite(value: Any) -> Any:
    """``value`` with every NaN and ±Infinity replaced by None (nested)."""
    if isinstance(value, float | Decimal) and not math.isfinite(value):
        return None
    if isinstance(value, Mapping):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_finite(v) for v in value]
    return value


def dumps(value: Any) -> str:
    """JSON text of ``value``; values JSON cannot hold become strings, never an error.

    Used as the engine's JSON serializer so that recording an execution never fails on
    an odd value (a datetime, bytes, a set) a node left in its output. NaN and ±Infinity
    (not JSON numbers: PostgreSQL refuses them, API clients cannot parse them) become
    ``null``, as in JavaScript's ``JSON.stringify``, on every backend.
    """
    try:
        return json.dumps(value, default=_default, ensure_ascii=False, allow_nan=False)
    except ValueError:
        try:
            cleaned = _finite(value)
        except RecursionError:
            raise ValueError("Circular reference detected") from None
        return json.dumps(cleaned, default=lambda v: _finite(_default(v)),
                          ensure_ascii=False, allow_nan=False)


def jsonable(value: Any) -> Any:
    """``value`` converted to plain JSON types (dict, list, str, int, float, bool, None)."""
    return json.loads(dumps(value))


def canonical_json(value: Any) -> str:
    """The canonical JSON text of ``value``: sorted keys, no spaces, UTF-8 kept."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=_default)


def checksum(value: Mapping[str, Any]) -> str:
    """sha256 hex digest of the canonical JSON of ``value``."""
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend.

    Naive datetimes are refused (they are always a bug here). SQLite stores the UTC wall
    time without an offset, so string order is time order; values read back are aware.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(
                f"naive datetime {value.isoformat()} given to the store; use an aware "
                "datetime such as datetime.now(UTC)")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect
                             ) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


JSONValue: TypeEngine[Any] = JSON(none_as_null=True)
"""JSON column type (key order kept on every backend); ``None`` is SQL NULL."""


def error_dict(error: BaseException | Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The stored shape of an error: ``{type, message, node, details}`` (JSON only).

    Accepts an exception (AURA errors contribute ``node`` and ``details``) or a mapping
    with those keys; other keys of a mapping are kept.
    """
    if error is None:
        return None
    if isinstance(error, BaseException):
        return {
            "type": getattr(error, "error_type", None) or type(error).__name__,
            "message": str(error),
            "node": getattr(error, "node", None),
            "details": jsonable(getattr(error, "details", None)),
        }
    out = jsonable(dict(error))
    out["type"] = str(error.get("type") or "Error")
    out["message"] = str(error.get("message") or "")
    out.setdefault("node", None)
    out.setdefault("details", None)
    return dict(out)


def check_aware(**values: Any) -> None:
    """Raises ValidationError for any naive datetime among ``values`` (name=value)."""
    from engine.errors import ValidationError

    for name, value in values.items():
        if isinstance(value, datetime) and (value.tzinfo is None or value.utcoffset() is None):
            raise ValidationError(
                f"{name} is a naive datetime ({value.isoformat()}); pass an aware one, "
                "e.g. datetime.now(UTC) or '2025-01-31T12:00:00+00:00'.")
