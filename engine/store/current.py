"""The process-wide store: opened lazily from settings, once per process.

Layers below the services (runtimes, triggers, observability) reach the database through
:func:`get_store`; :mod:`engine.services.store` re-exports it as the public service API.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.store import Store

__all__ = ["get_store", "opened_store", "reset_store"]

_store: Store | None = None
_lock = threading.Lock()


def get_store() -> Store:
    """Opens (and migrates) the configured database once per process."""
    global _store
    with _lock:
        if _store is None:
            from engine.config import settings
            from engine.store.store import open_store

            _store = open_store(settings().database_url())
        return _store


def opened_store() -> Store | None:
    """The process-wide store if this process opened one (never opens one itself)."""
    return _store


def reset_store() -> None:
    """Closes the process-wide store; the next :func:`get_store` opens it again."""
    global _store
    with _lock:
        if _store is not None:
            close = getattr(_store, "close", None)
            if close:
                close()
        _store = None
