"""The process-wide store, opened lazily from settings (the service API of
:mod:`engine.store.current`, which owns it)."""

from __future__ import annotations

from engine.store.current import get_store, opened_store, reset_store

__all__ = ["get_store", "opened_store", "reset_store"]
