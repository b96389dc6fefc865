"""Instance settings changed at run time (``store.settings``): JSON values by key.

These are what an admin changes in the studio (e.g. default retention, SMTP host);
settings fixed at deploy time come from ``AURA_*`` variables (:mod:`engine.config`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, delete, select

from engine.store._repo import Repository
from engine.store.models import Setting
from engine.store.types import jsonable, utcnow

__all__ = ["SettingRepository"]


class SettingRepository(Repository):
    """Get, set, delete and list settings."""

    def get(self, key: str, default: Any = None) -> Any:
        """The value of ``key``, or ``default`` when it was never set."""
        with self._db.read() as s:
            row = s.get(Setting, key)
        return default if row is None else row.value

    def set(self, key: str, value: Any) -> Setting:
        """Sets ``key`` to a JSON value (insert or replace, atomically)."""
        value = jsonable(value)
        now = utcnow()
        insert = postgresql.insert if self._db.dialect == "postgresql" else sqlite.insert
        stmt = insert(Setting).values(key=key, value=value, updated_at=now)
        stmt = stmt.on_conflict_do_update(index_elements=[col(Setting.key)],
                                          set_={"value": value, "updated_at": now})
        with self._db.write() as s:
            s.exec(stmt)
        return Setting(key=key, value=value, updated_at=now)

    def delete(self, key: str) -> bool:
        """Removes ``key``; False if it was not set."""
        with self._db.write() as s:
            return bool(s.exec(delete(Setting).where(col(Setting.key) == key)).rowcount)

    def all(self) -> dict[str, Any]:
        """Every setting, by key."""
        with self._db.read() as s:
            return {row.key: row.value for row in s.exec(select(Setting).order_by(
                col(Setting.key))).all()}
