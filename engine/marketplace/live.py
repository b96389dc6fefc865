"""The installed package set as every process sees it, and its hot reload.

What is installed lives in the store (settings rows, shared by the API and every
worker): ``marketplace.installed`` (per package: active version, enabled, versions with
their hashes and who signed them, hosts granted by an admin), one
``marketplace.pkg:<name>@<version>`` record per installed version (manifest, sources,
docs), and ``marketplace.stamp``, a counter bumped by every change.

A process reads the stamp before it uses the node catalog (throttled to once per
:data:`CHECK_S`; a forked work horse reads it at its first use, whatever its worker
last read, so a run queued right after an install finds the new node); when it moved,
it reloads the records and the catalog is rebuilt
(:func:`engine.sdk.catalog.get_catalog`). Nothing of a package is imported: its specs
are derived from the manifest and its code only ever runs in the sandbox. Every
installed version of an enabled package stays registered, so a workflow pinned to an
older node version keeps running; where two versions declare the same node version,
the active one wins.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import os
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from engine.errors import UnknownNodeType
from engine.marketplace.manifest import NodeDecl
from engine.marketplace.package import Package, package_from_record

__all__ = [
    "CHECK_S",
    "Found",
    "bump",
    "current",
    "installed_state",
    "invalidate",
    "lookup",
    "record_key",
    "save_state",
    "staged",
    "wheel_approvals",
]

log = logging.getLogger(__name__)
STATE_KEY = "marketplace.installed"
STAMP_KEY = "marketplace.stamp"
CHECK_S = 0.5
"""How long a process trusts its copy of the stamp before reading it again."""


def record_key(name: str, version: str) -> str:
    return f"marketplace.pkg:{name}@{version}"


@dataclass(frozen=True)
class Found:
    package: Package
    node: NodeDecl
    extra_hosts: list[str] = field(default_factory=list)


@dataclass
class _Loaded:
    stamp: int = -1
    checked_at: float = -1e9
    store: Any = None
    generation: int = 0
    specs: list[Any] = field(default_factory=list)
    nodes: dict[tuple[str, int], Found] = field(default_factory=dict)
    wheels: dict[str, dict[str, Any]] = field(default_factory=dict)


_lock = threading.Lock()
_loaded = _Loaded()
_staged: contextvars.ContextVar[dict[tuple[str, int], Found] | None] = contextvars.ContextVar(
    "aura_staged_package", default=None
)


@contextlib.contextmanager
def staged(pkg: Package) -> Iterator[None]:
    """Within the block (this thread), :func:`lookup` finds ``pkg``'s nodes although
    the package is not installed: its checks run before anything is stored."""
    token = _staged.set({(d.type, d.version): Found(pkg, d) for d in pkg.manifest.nodes})
    try:
        yield
    finally:
        _staged.reset(token)


def _store() -> Any:
    # engine.store.current, looked up in sys.modules rather than imported per call (the
    # catalog asks several times per webhook); not imported yet: no store is open
    current = sys.modules.get("engine.store.current")
    return None if current is None else current.opened_store()


def installed_state(store: Any) -> dict[str, dict[str, Any]]:
    value = store.settings.get(STATE_KEY)
    return dict(value) if isinstance(value, dict) else {}


def save_state(store: Any, state: dict[str, dict[str, Any]]) -> int:
    """Writes the installed set and bumps the stamp; returns the new stamp."""
    store.settings.set(STATE_KEY, state)
    return bump(store)


def bump(store: Any) -> int:
    stamp = int(store.settings.get(STAMP_KEY) or 0) + 1
    store.settings.set(STAMP_KEY, stamp)
    invalidate()
    return stamp


def invalidate() -> None:
    """Makes this process read the stamp on its next catalog use."""
    with _lock:
        _loaded.checked_at = -1e9


def _after_fork() -> None:
    """In a forked child: a fresh lock (a parent thread may have held it at the fork)
    and the stamp read again at the first catalog use (the parent may have trusted its
    copy for up to :data:`CHECK_S` more)."""
    global _lock
    _lock = threading.Lock()
    _loaded.checked_at = -1e9


os.register_at_fork(after_in_child=_after_fork)


def _load(store: Any, stamp: int) -> _Loaded:
    from engine.marketplace.specs import node_specs
    from engine.marketplace.wheels import approvals

    out = _Loaded(
        stamp=stamp, checked_at=time.monotonic(), store=store, generation=_loaded.generation + 1
    )
    out.wheels = approvals(store)
    for name, entry in sorted(installed_state(store).items()):
        if not entry.get("enabled", True) or entry.get("kind") == "trusted":
            continue
        active = entry.get("active")
        versions = sorted(entry.get("versions") or {}, key=lambda v: v == active)
        for version in versions:  # the active version last, so it wins
            record = store.settings.get(record_key(name, version))
            if not isinstance(record, dict):
                log.warning("package %s %s has no stored record; skipped", name, version)
                continue
            try:
                pkg = package_from_record(record)
            except Exception as exc:
                log.warning("package %s %s cannot be loaded: %s", name, version, exc)
                continue
            hosts = list(entry.get("extra_hosts") or [])
            for decl in pkg.manifest.nodes:
                out.nodes[(decl.type, decl.version)] = Found(pkg, decl, hosts)
            for spec in node_specs(pkg):
                out.specs = [s for s in out.specs if s.key != spec.key] + [spec]
    return out


def current() -> tuple[int, list[Any]]:
    """``(generation, node specs)`` of the installed, enabled packages: the generation
    changes whenever this process reloaded them (``(0, [])`` without an open store)."""
    global _loaded
    store = _store()
    if store is None:
        return 0, []
    now = time.monotonic()
    with _lock:
        if _loaded.store is store and now - _loaded.checked_at < CHECK_S:
            return _loaded.generation, list(_loaded.specs)
    try:
        stamp = int(store.settings.get(STAMP_KEY) or 0)
    except Exception as exc:  # an unreadable store keeps what this process had
        log.warning("cannot read the package stamp: %s", exc)
        return _loaded.generation, list(_loaded.specs)
    with _lock:
        if _loaded.store is store and _loaded.stamp == stamp:
            _loaded.checked_at = now
            return _loaded.generation, list(_loaded.specs)
    loaded = _load(store, stamp)
    with _lock:
        _loaded = loaded
    return loaded.generation, list(loaded.specs)


def wheel_approvals() -> dict[str, dict[str, Any]]:
    """The owner's approvals of trusted wheels as this process last read them with the
    stamp (:func:`current`); none without an open store, so no wheel loads then."""
    current()
    store = _store()
    with _lock:
        return dict(_loaded.wheels) if store is not None and _loaded.store is store else {}


def lookup(type_: str, version: int) -> Found:
    """The installed package node ``type_`` v``version`` (for its run).

    Raises:
        UnknownNodeType: it is not installed (any more) or its package is disabled.
    """
    found = (_staged.get() or {}).get((type_, version))
    if found is not None:
        return found
    current()
    with _lock:
        found = _loaded.nodes.get((type_, version))
    if found is None:
        raise UnknownNodeType(
            f"Node type '{type_}' v{version} comes from a package that is not installed or is "
            "disabled. Install or enable the package (Marketplace page or 'aura packages "
            "install'), or remove the node from the workflow.",
            details={"type": type_, "version": version},
        )
    return found
