"""The outbound HTTP allow-list in effect: ``AURA_HTTP_ALLOW`` plus the run-time list an
owner or admin keeps in the store (setting ``security.http_allow``, edited through
:mod:`engine.services.security`).

The run-time list is read from the process-wide store when this process has one open
(the studio, API servers and workers do; a bare node test harness does not) and cached
for :data:`CACHE_S` seconds, so every worker follows a change within seconds without a
restart. A store that cannot be read counts as an empty list: the guard then falls back
to the environment's list, never to "allow everything".
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from typing import Any

from engine.net.ssrf import AllowList, parse_allow

__all__ = ["CACHE_S", "SETTING_KEY", "effective_allow", "invalidate", "runtime_allow",
           "runtime_entries"]

SETTING_KEY = "security.http_allow"
CACHE_S = 3.0
"""How long a process keeps the run-time list before reading it again."""

_log = logging.getLogger(__name__)
_lock = threading.Lock()
_cache: dict[str, Any] = {}


def _open_store() -> Any:
    """The process-wide store if this process opened one (never opens one itself)."""
    module = sys.modules.get("engine.store.current")
    return module.opened_store() if module is not None else None


def runtime_entries() -> list[str]:
    """The admin-managed entries (cached for :data:`CACHE_S` seconds per store)."""
    store = _open_store()
    if store is None:
        return []
    now = time.monotonic()
    with _lock:
        if _cache.get("store") is store and now - _cache.get("at", 0.0) < CACHE_S:
            return list(_cache["entries"])
    try:
        value = store.settings.get(SETTING_KEY)
    except Exception as exc:  # a broken store must not break (or open) outbound HTTP
        _log.warning("could not read the HTTP allow-list from the store: %s", exc)
        value = None
    entries = [str(v) for v in value] if isinstance(value, list) else []
    with _lock:
        _cache.update(store=store, at=now, entries=entries)
    return list(entries)


def runtime_allow() -> AllowList:
    """:func:`runtime_entries` as an :class:`AllowList` (bad stored entries skipped)."""
    entries = runtime_entries()
    try:
        return parse_allow(entries)
    except ValueError:
        good = []
        for entry in entries:
            try:
                parse_allow([entry])
            except ValueError:
                _log.warning("ignoring invalid HTTP allow-list entry %r", entry)
                continue
            good.append(entry)
        return parse_allow(good)


def effective_allow(base: Any = None) -> AllowList:
    """``base`` (default ``AURA_HTTP_ALLOW``) merged with the run-time list."""
    if base is None:
        from engine.config import settings

        base = settings().http.allow
    allow = base if isinstance(base, AllowList) else parse_allow(base)
    return allow.merged(runtime_allow())


def invalidate() -> None:
    """Forgets the cached run-time list (after this process changed it; tests)."""
    with _lock:
        _cache.clear()
