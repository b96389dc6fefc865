"""The process-wide store, opened lazily from settings."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.store import Store

__all__ = ["get_store", "reset_store"]

_store: Store | None = None
_lock = threading.Lock()


def get_store() -> Store:
    """Opens (and migrates) the configured database once per process."""
    global _store
    with _lock:
        if _store is None:
            from engine.config import settings
            from engine.store import open_store

            _store = open_store(settings().database_url())
        return _store


def reset_store() -> None:
    global _store
    with _lock:
        if _store is not None:
            close = getattr(_store, "close", None)
            if close:
                close()
        _store = None
