"""Checks every serving process makes before it starts work (``aura up``, the API,
``aura worker``, ``aura scheduler``), and that ``/readyz`` repeats.

Today: the encryption key decrypts this installation's data
(:mod:`engine.vault.keycheck`). A process that fails a check refuses to start with the
check's message instead of failing later, when a credential is first used.
"""

from __future__ import annotations

import threading

from engine.vault.keycheck import EncryptionKeyError

__all__ = ["EncryptionKeyError", "check_encryption_key", "encryption_key_status"]

_checked: dict[tuple[int, str | None], str] = {}
_lock = threading.Lock()


def check_encryption_key() -> str:
    """Checks the configured key against the process-wide store; returns its key id.

    Raises:
        EncryptionKeyError: the key is malformed or does not decrypt the stored data.
    """
    from engine.config import settings
    from engine.services.store import get_store
    from engine.vault.keycheck import check_encryption_key as check

    s = settings()
    store = get_store()
    key_id = check(store, s.data_dir, s.security.encryption_key)
    with _lock:
        _checked[(id(store), s.security.encryption_key)] = key_id
    return key_id


def encryption_key_status() -> str:
    """``"ok"`` when the key checks out (checked once per store and key), else why not."""
    from engine.config import settings
    from engine.services.store import get_store

    with _lock:
        done = (id(get_store()), settings().security.encryption_key) in _checked
    if done:
        return "ok"
    try:
        check_encryption_key()
    except EncryptionKeyError as exc:
        return exc.message
    return "ok"
