"""Variables (``store.variables``): the ``$vars`` that expressions read.

A variable is global (``project_id`` None) or belongs to a project; keys are unique in
each scope. Keys are identifiers so that ``$vars.KEY`` works in expressions. Values are
strings; variables are not secret (credentials are).
"""

from __future__ import annotations

import builtins
import re

from sqlalchemy import ColumnElement
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select

from engine.errors import ConflictError, NotFoundError, ValidationError
from engine.store._db import Database
from engine.store._repo import Repository
from engine.store.models import Variable
from engine.store.stamps import StampedCache

__all__ = ["VariableRepository"]

KEY_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")


def _check(key: str, value: str | None = None) -> None:
    if not isinstance(key, str) or not KEY_RE.match(key):
        raise ValidationError(
            f"Invalid variable key {key!r}: use letters, digits and underscores, not "
            "starting with a digit (at most 128 characters), e.g. API_BASE_URL."
        )
    if value is not None and not isinstance(value, str):
        raise ValidationError(
            f"Variable {key} must be a string, not {type(value).__name__}; convert it first."
        )


def _scope(project_id: str | None) -> ColumnElement[bool]:
    return (
        col(Variable.project_id).is_(None)
        if project_id is None
        else col(Variable.project_id) == project_id
    )


class VariableRepository(Repository):
    """Set, read, list and delete variables. Rows come back detached."""

    def __init__(self, db: Database) -> None:
        super().__init__(db)
        self._vars: StampedCache[str | None, dict[str, str]] = StampedCache(db)

    def set(self, key: str, value: str, *, project_id: str | None = None) -> Variable:
        """Creates or replaces variable ``key`` in the scope (global by default)."""
        _check(key, value)
        for _ in range(2):  # a concurrent insert of the same key: retry as an update
            try:
                with self._db.write() as s:
                    row = self._find(s, key, project_id)
                    if row is None:
                        row = Variable(key=key, value=value, project_id=project_id)
                    row.value = value
                    s.add(row)
                    return row
            except IntegrityError:
                continue
        raise ConflictError(f"Variable {key} is being changed concurrently; try again.")

    def get(self, key: str, *, project_id: str | None = None) -> Variable:
        """Variable ``key`` of the scope. Raises NotFoundError."""
        with self._db.read() as s:
            row = self._find(s, key, project_id)
        if row is None:
            raise NotFoundError(
                f"No variable {key!r}; list them with 'aura variable list'.",
                details={"key": key, "project_id": project_id},
            )
        return row

    def list(self, *, project_id: str | None = None) -> builtins.list[Variable]:
        """The variables of one scope (global by default), by key."""
        with self._db.read() as s:
            return builtins.list(
                s.exec(select(Variable).where(_scope(project_id)).order_by(col(Variable.key))).all()
            )

    def as_dict(self, project_id: str | None = None) -> dict[str, str]:
        """``$vars`` as seen from a project: global values, overridden by the project's
        (every execution reads them: kept while the store's stamp is unchanged, see
        :mod:`engine.store.stamps`)."""
        return dict(self._vars.get(project_id, lambda: self._load(project_id)))

    def _load(self, project_id: str | None) -> dict[str, str]:
        scope = (
            _scope(None)
            if project_id is None
            else (col(Variable.project_id).is_(None) | (col(Variable.project_id) == project_id))
        )
        with self._db.read() as s:  # one query (every execution reads it)
            rows = s.exec(
                select(Variable.key, Variable.value, Variable.project_id).where(scope)
            ).all()
        merged = {k: v for k, v, p in rows if p is None}
        merged.update({k: v for k, v, p in rows if p is not None})
        return merged

    def delete(self, key: str, *, project_id: str | None = None) -> None:
        """Deletes variable ``key`` of the scope. Raises NotFoundError."""
        with self._db.write() as s:
            result = s.exec(delete(Variable).where(col(Variable.key) == key, _scope(project_id)))
            if not result.rowcount:
                raise NotFoundError(
                    f"No variable {key!r}.", details={"key": key, "project_id": project_id}
                )

    @staticmethod
    def _find(s: Session, key: str, project_id: str | None) -> Variable | None:
        return s.exec(select(Variable).where(col(Variable.key) == key, _scope(project_id))).first()
