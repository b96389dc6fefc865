"""Secrets never leave through the API: masking, merging updates, validation.

The API shows a secret field as :data:`MASK` when it is set (``""`` when it is not);
an update that sends :data:`MASK` back (or leaves the field out) keeps the stored value,
so an edit form never needs the secret.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pydantic

from engine.credentials.base import CredentialKind
from engine.credentials.registry import get_kind
from engine.errors import ValidationError

__all__ = ["MASK", "UNCHANGED", "mask", "merge_update", "secret_values", "validate"]

MASK = "********"
"""What a stored secret looks like in the API."""
UNCHANGED = MASK
"""Sending this value on update keeps the stored secret."""


def validate(kind: str, data: Mapping[str, Any]) -> CredentialKind:
    """``data`` checked against ``kind``'s model; ValidationError lists each problem."""
    cls = get_kind(kind)
    try:
        return cls.model_validate(dict(data))
    except pydantic.ValidationError as exc:
        problems = [{"path": ".".join(str(p) for p in e["loc"]) or "data",
                     "message": e["msg"]} for e in exc.errors()]
        first = problems[0]
        raise ValidationError(f"Invalid {cls.title or kind} credential: {first['path']}: "
                              f"{first['message']}.", details=problems) from None


def dump(model: CredentialKind) -> dict[str, Any]:
    """The stored form of a validated credential (aliases, e.g. ``in``)."""
    return model.model_dump(by_alias=True, mode="json")


def mask(kind: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """``data`` with every secret field replaced by :data:`MASK` (``""`` if unset).
    Unknown kinds mask every field."""
    try:
        secrets = set(get_kind(kind).secret_fields())
    except Exception:
        secrets = set(data)
    return {k: ((MASK if v not in (None, "") else "") if k in secrets else v)
            for k, v in data.items()}


def merge_update(kind: str, stored: Mapping[str, Any], update: Mapping[str, Any]
                 ) -> dict[str, Any]:
    """New data for an update: fields left out or sent as :data:`MASK` keep their stored
    value; ``None`` clears an optional field."""
    merged = dict(stored)
    for key, value in update.items():
        if value == MASK:
            continue
        merged[key] = value
    return merged


def secret_values(kind: str, data: Mapping[str, Any]) -> set[str]:
    """The secret strings of a stored credential (and derived forms) for redaction."""
    try:
        return get_kind(kind).model_validate(dict(data)).secret_values()
    except Exception:
        return {str(v) for v in data.values() if isinstance(v, str) and v}
