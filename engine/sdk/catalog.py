"""The node catalog: finds node specs without importing their run modules.

Node packages are found through the ``aura.nodes`` entry-point group; each entry point
names a :class:`NodePackage` listing the *spec* modules it provides; a wheel outside AURA
is loaded only once the owner approved it (:mod:`engine.marketplace.wheels`). Spec modules are
cheap to import (pydantic models and metadata); run functions are imported on first use.
The built-in library ``nodes.core`` is always present, even when the distribution's
entry-point metadata is missing (running from a source tree). Sandboxed marketplace
packages are added from their manifests (:mod:`engine.marketplace.live`).
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any

from engine.errors import UnknownNodeType
from engine.sdk.spec import NodeSpec

__all__ = ["Catalog", "NodePackage", "get_catalog"]

log = logging.getLogger(__name__)
ENTRY_POINT_GROUP = "aura.nodes"
BUILT_IN = "nodes.core:PACKAGE"
"""The built-in library's ``core`` entry point as ``pyproject.toml`` declares it; used as
is when the distribution's metadata is missing (a source tree that was never installed)."""


@dataclass(frozen=True)
class NodePackage:
    """A set of nodes shipped together (the built-ins, or an installed package).

    ``spec_modules`` are imported to find ``SPEC`` (one spec) or ``SPECS`` (several,
    e.g. old versions kept alongside the new one). ``trusted`` is true for built-ins;
    untrusted packages' code is meant to run in the sandbox.
    """

    name: str
    version: str
    spec_modules: tuple[str, ...]
    description: str = ""
    trusted: bool = False
    meta: dict[str, Any] = field(default_factory=dict)


class Catalog:
    """All known node types by ``(type, version)``, plus lookup by alias."""

    def __init__(self, packages: Iterable[NodePackage] = ()) -> None:
        self._specs: dict[tuple[str, int], NodeSpec] = {}
        self._aliases: dict[str, str] = {}
        self._runs: dict[tuple[str, int], Callable[..., Any]] = {}
        self._hooks: dict[tuple[str, int, str], Callable[..., Any]] = {}
        self.packages: dict[str, NodePackage] = {}
        self.load_errors: dict[str, str] = {}
        self._lock = threading.Lock()
        for p in packages:
            self.add_package(p)

    # -- building -------------------------------------------------------------
    def add_package(self, package: NodePackage) -> None:
        self.packages[package.name] = package
        for mod_name in package.spec_modules:
            try:
                mod = importlib.import_module(mod_name)
            except Exception as exc:
                self.load_errors[mod_name] = f"{type(exc).__name__}: {exc}"
                log.warning("node spec module %s failed to import: %s", mod_name, exc)
                continue
            specs = list(getattr(mod, "SPECS", ())) or [getattr(mod, "SPEC", None)]
            for spec in specs:
                if spec is None:
                    self.load_errors[mod_name] = "module defines neither SPEC nor SPECS"
                    continue
                self.add(spec)

    def add(self, spec: NodeSpec) -> None:
        if spec.key in self._specs and self._specs[spec.key] is not spec:
            raise ValueError(f"node {spec.type} v{spec.version} is registered twice")
        self._specs[spec.key] = spec
        for alias in spec.aliases:
            self._aliases[alias] = spec.type

    # -- lookup ---------------------------------------------------------------
    def __contains__(self, key: object) -> bool:
        return key in self._specs

    def __len__(self) -> int:
        return len(self._specs)

    def all(self) -> list[NodeSpec]:
        """Every registered version, sorted by type then version."""
        return [self._specs[k] for k in sorted(self._specs)]

    def latest(self) -> list[NodeSpec]:
        """The newest version of each type."""
        best: dict[str, NodeSpec] = {}
        for spec in self.all():
            best[spec.type] = spec
        return list(best.values())

    def versions(self, type_: str) -> list[int]:
        return sorted(v for t, v in self._specs if t == type_)

    def resolve_alias(self, type_: str) -> str:
        return self._aliases.get(type_, type_)

    def get(self, type_: str, version: int | None = None) -> NodeSpec:
        """The spec for ``type_`` at ``version`` (newest when None).

        Raises:
            UnknownNodeType: with the installed versions, or close type names.
        """
        type_ = self.resolve_alias(type_)
        if version is not None:  # the common case (every node names its version): one lookup
            found = self._specs.get((type_, version))
            if found is not None:
                return found
        versions = self.versions(type_)
        if not versions:
            import difflib

            close = difflib.get_close_matches(type_, sorted({t for t, _ in self._specs}), n=3)
            hint = (
                f" Did you mean {', '.join(close)}?"
                if close
                else (" Run 'aura nodes list' to see installed node types.")
            )
            raise UnknownNodeType(
                f"Unknown node type '{type_}'.{hint}", details={"type": type_, "suggestions": close}
            )
        if version is None:
            version = versions[-1]
        spec = self._specs.get((type_, version))
        if spec is None:
            raise UnknownNodeType(
                f"Node type '{type_}' has no version {version}; installed versions: "
                f"{', '.join(map(str, versions))}. Install the package that provides it or "
                "change the node's type_version.",
                details={"type": type_, "version": version, "installed": versions},
            )
        return spec

    def run_function(self, spec: NodeSpec) -> Callable[..., Any]:
        """Imports (once) and returns the node's run function."""
        fn = self._runs.get(spec.key)
        if fn is None:
            with self._lock:
                mod_name, _, attr = spec.run.partition(":")
                fn = getattr(importlib.import_module(mod_name), attr)
                self._runs[spec.key] = fn
        return fn

    def trigger_kind(self, type_: str, version: int | None = None) -> str | None:
        """The trigger kind (``webhook``, ``schedule``, ``error``...) of a node type, or
        None for a node that is no trigger or a type not installed."""
        try:
            return self.get(type_, version).trigger
        except UnknownNodeType:
            return None

    def hook(self, spec: NodeSpec, name: str) -> Callable[..., Any]:
        """Imports (once) and returns the trigger hook ``name`` that ``spec`` declares
        (:mod:`engine.sdk.hooks`).

        Raises:
            UnknownNodeType: the node declares no such hook.
        """
        key = (spec.type, spec.version, name)
        fn = self._hooks.get(key)
        if fn is None:
            path = spec.hooks.get(name)
            if path is None:
                raise UnknownNodeType(
                    f"Node type '{spec.type}' v{spec.version} declares no '{name}' hook, "
                    "so it cannot serve as this trigger; use a node that does.",
                    details={"type": spec.type, "version": spec.version, "hook": name},
                )
            with self._lock:
                fn = load_path(path)
                self._hooks[key] = fn
        return fn


_catalog: Catalog | None = None
_base: list[NodePackage] | None = None
_stamp: int | None = None
_catalog_lock = threading.Lock()


def _built_in() -> NodePackage:
    """The built-in library, found through its ``core`` entry point (never imported by
    name: the engine does not depend on ``nodes``)."""
    path = next((ep.value for ep in entry_points(group=ENTRY_POINT_GROUP, name="core")), BUILT_IN)
    pkg = load_path(path)
    if not isinstance(pkg, NodePackage):
        raise TypeError(f"the 'core' entry point {path} is not a NodePackage")
    return pkg


def load_path(path: str) -> Any:
    """The object a ``module:attribute`` import path names (imported on this call)."""
    mod_name, _, attr = path.partition(":")
    return getattr(importlib.import_module(mod_name), attr)


def discover_packages() -> list[NodePackage]:
    """Built-ins first, then every ``aura.nodes`` entry point of a trusted wheel the owner
    approved (:mod:`engine.marketplace.wheels`); an unapproved one is not even imported."""
    from engine.marketplace.live import wheel_approvals
    from engine.marketplace.wheels import allowed

    core = _built_in()
    found: dict[str, NodePackage] = {core.name: core}
    approved = wheel_approvals()
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if not allowed(ep, approved):
            log.info("node package %s waits for the owner's approval; not loaded", ep.value)
            continue
        try:
            pkg = ep.load()
        except Exception as exc:
            log.warning("node package entry point %s failed to load: %s", ep.name, exc)
            continue
        if isinstance(pkg, NodePackage) and pkg.name not in found:
            found[pkg.name] = pkg
    return list(found.values())


_live_current: Callable[[], tuple[int, list[Any]]] | None = None


def _import_live_current() -> Callable[[], tuple[int, list[Any]]]:
    """:func:`engine.marketplace.live.current`, imported at the first call and kept (the
    catalog is asked for several times per webhook; an import statement each time cost
    3-5 µs)."""
    global _live_current
    from engine.marketplace.live import current

    _live_current = current
    return current


def get_catalog(*, reload: bool = False) -> Catalog:
    """The process-wide catalog, built on first use and rebuilt when the set of
    installed marketplace packages changes (:mod:`engine.marketplace.live`; their specs
    come from manifests, their code is never imported). A package node never replaces a
    built-in or entry-point node."""
    global _catalog, _base, _stamp
    stamp, specs = (_live_current or _import_live_current())()
    with _catalog_lock:
        if _base is None or reload or stamp != _stamp:
            _base = discover_packages()
        if _catalog is None or reload or stamp != _stamp:
            catalog = Catalog(_base)
            for spec in specs:
                if spec.key not in catalog and spec.type not in catalog._aliases:
                    catalog.add(spec)
            _catalog, _stamp = catalog, stamp
        return _catalog
