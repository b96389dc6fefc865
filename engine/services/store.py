"""The process-wide store, opened lazily from settings (the service API of
:mod:`engine.store.current`, which owns it), and the JSON encoding of stored values."""

from __future__ import annotations

from engine.store.current import get_store, opened_store, reset_store
from engine.store.types import dumps

__all__ = ["dumps", "get_store", "opened_store", "reset_store"]
