"""The registry of credential kinds: built-ins plus installed packages.

Packages add kinds through the ``aura.credentials`` entry-point group; each entry point
names a :class:`~engine.credentials.base.CredentialKind` subclass or a module/list of
them. Kinds are found on first use. ``describe()`` gives what the studio's form needs.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Iterable
from importlib.metadata import entry_points
from typing import Any

from engine.credentials.base import CredentialKind
from engine.errors import CredentialError

__all__ = ["BUILTIN_MODULES", "describe", "get_kind", "kind_names", "register"]

log = logging.getLogger(__name__)
ENTRY_POINT_GROUP = "aura.credentials"
BUILTIN_MODULES = ("engine.credentials.kinds.http", "engine.credentials.kinds.oauth2",
                   "engine.credentials.kinds.services", "engine.credentials.kinds.keys")

_kinds: dict[str, type[CredentialKind]] = {}
_loaded = False
_lock = threading.RLock()


def _classes(obj: Any) -> Iterable[type[CredentialKind]]:
    if isinstance(obj, type) and issubclass(obj, CredentialKind):
        if obj.kind:
            yield obj
    elif isinstance(obj, list | tuple):
        for o in obj:
            yield from _classes(o)
    elif hasattr(obj, "__all__"):
        for name in obj.__all__:
            yield from _classes(getattr(obj, name))


def register(cls: type[CredentialKind]) -> type[CredentialKind]:
    """Adds a kind (usable as a class decorator)."""
    with _lock:
        if cls.kind in _kinds and _kinds[cls.kind] is not cls:
            raise ValueError(f"credential kind {cls.kind!r} is registered twice")
        _kinds[cls.kind] = cls
    return cls


def _load() -> None:
    global _loaded
    with _lock:
        if _loaded:
            return
        for mod in BUILTIN_MODULES:
            for cls in _classes(importlib.import_module(mod)):
                register(cls)
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            try:
                for cls in _classes(ep.load()):
                    register(cls)
            except Exception as exc:
                log.warning("credential kinds of %s failed to load: %s", ep.value, exc)
        _loaded = True


def kind_names() -> list[str]:
    """Every known kind, sorted."""
    _load()
    return sorted(_kinds)


def get_kind(kind: str) -> type[CredentialKind]:
    """The class of ``kind``; CredentialError names the known kinds otherwise."""
    _load()
    try:
        return _kinds[kind]
    except KeyError:
        raise CredentialError(f"Unknown credential kind {kind!r}; known kinds: "
                              f"{', '.join(sorted(_kinds))}.", details={"kind": kind}) from None


def describe(kind: str | None = None) -> list[dict[str, Any]]:
    """``[{kind, title, description, schema, secret_fields}]`` for forms and docs."""
    names = [kind] if kind else kind_names()
    out = []
    for name in names:
        cls = get_kind(name)
        out.append({"kind": cls.kind, "title": cls.title, "description": cls.description,
                    "schema": cls.form_schema(), "secret_fields": list(cls.secret_fields())})
    return out
