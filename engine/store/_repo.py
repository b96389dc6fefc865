"""Shared pieces of the repositories (private): the base class and query helpers."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import ColumnElement, cast, exists, func, literal, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Session

from engine.errors import NotFoundError
from engine.store._db import Database

__all__ = ["Repository", "json_list_contains", "page"]

T = TypeVar("T")

MAX_PAGE = 1000


class Repository:
    """Base of the repositories: holds the :class:`Database`; every method opens its own
    short-lived session, so one repository is safe to share between threads."""

    def __init__(self, db: Database) -> None:
        self._db = db

    @staticmethod
    def _require(session: Session, model: type[T], key: Any, what: str, hint: str = ""
                 ) -> T:
        row = session.get(model, key)
        if row is None:
            raise NotFoundError(f"No {what} with id {key!r}.{' ' + hint if hint else ''}",
                                details={"id": key})
        return row


def page(limit: int, offset: int) -> tuple[int, int]:
    """``limit`` clamped to 0..MAX_PAGE and ``offset`` to >= 0."""
    return max(0, min(int(limit), MAX_PAGE)), max(0, int(offset))


def json_list_contains(column: Any, value: str, dialect: str) -> ColumnElement[bool]:
    """SQL for "the JSON list in ``column`` contains the string ``value``"."""
    if dialect == "postgresql":
        return cast(column, JSONB).contains([value])
    each = func.json_each(column).table_valued("value")
    return exists(select(literal(1)).select_from(each).where(each.c.value == value))


