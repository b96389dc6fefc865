""":func:`register`: a process announces itself and keeps its record fresh.

A :class:`Registration` writes the record at once, then a daemon thread rewrites it
every ``AURA_REGISTRY_HEARTBEAT_S`` (refreshing its TTL) with the current ``active``
count and ``probe`` fields, and every other beat runs the registry's health check.
:meth:`Registration.stop` removes the record; a process that dies without stopping
turns ``unhealthy`` after two missed beats and disappears after the TTL::

    with register("worker", {"queues": ["default"]}, active=lambda: busy_jobs()):
        serve_forever()

A heartbeat never raises: when Redis is away it logs once and keeps trying.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from engine.registry._backend import backend
from engine.registry.types import HEALTHY, Instance, RegistrySettings

__all__ = ["Registration", "register", "version"]

log = logging.getLogger("engine.registry")
SWEEP_EVERY = 2
"""The health check runs every this many heartbeats."""


def version() -> str:
    """AURA's version (of the installed distribution)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version

    try:
        return dist_version("aura")
    except PackageNotFoundError:
        return "0+source"


class Registration:
    """One process's entry in the registry (see the module docstring).

    Args:
        kind: ``api``, ``worker``, ``scheduler``... (what :func:`engine.registry.pick`
            chooses among).
        meta: static JSON facts (queues, URL...); ``weight`` in it sets the weight used
            by the ``weighted`` strategy (default 1).
        id: the instance id (default ``<kind>-<host>-<pid>-<random>``).
        active: returns the current load (running jobs, open streams...) for the
            ``least_connections`` strategy; or use :meth:`set_active`.
        probe: returns fields merged into ``meta`` at each heartbeat.
        settings: heartbeat interval and TTL (default ``AURA_REGISTRY_*``).
    """

    def __init__(self, kind: str, meta: dict[str, Any] | None = None, *,
                 id: str | None = None, active: Callable[[], int] | None = None,
                 probe: Callable[[], dict[str, Any]] | None = None,
                 settings: RegistrySettings | None = None) -> None:
        self.settings = settings or RegistrySettings()
        self.kind = kind
        self.meta = dict(meta or {})
        self.host = socket.gethostname()
        self.pid = os.getpid()
        self.id = id or f"{kind}-{self.host}-{self.pid}-{secrets.token_hex(3)}"
        self.version = version()
        self.started_at = datetime.now(UTC)
        self._active_fn = active
        self._active = 0
        self._probe = probe
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._failing = False
        self._beats = 0

    # -- what it reports -----------------------------------------------------------------
    def set_active(self, n: int) -> None:
        """Sets the load reported at the next heartbeat (when no ``active`` callable)."""
        self._active = max(0, int(n))

    def snapshot(self) -> Instance:
        """The record as it would be written now."""
        active = self._active
        meta = dict(self.meta)
        try:
            if self._active_fn is not None:
                active = max(0, int(self._active_fn()))
            if self._probe is not None:
                meta.update(self._probe())
        except Exception as exc:  # a probe failing must not stop heartbeats
            log.debug("registry probe of %s failed: %s", self.id, exc)
        try:
            weight = float(meta.get("weight", 1.0))
        except (TypeError, ValueError):
            weight = 1.0
        return Instance(id=self.id, kind=self.kind, host=self.host, pid=self.pid,
                        version=self.version, started_at=self.started_at,
                        last_heartbeat=datetime.now(UTC),
                        interval_s=self.settings.heartbeat_s, ttl_s=self.settings.ttl,
                        active=active, weight=weight, health=HEALTHY, meta=meta)

    # -- lifecycle ---------------------------------------------------------------------
    def beat(self) -> bool:
        """Writes the record now; False (logged once) when the registry is unreachable."""
        try:
            backend().write(self.snapshot())
        except Exception as exc:
            if not self._failing:
                self._failing = True
                log.warning("service registry unreachable (%s: %s); %s keeps trying",
                            type(exc).__name__, exc, self.id)
            return False
        if self._failing:
            self._failing = False
            log.warning("service registry reachable again; %s registered", self.id)
        self._beats += 1
        if self._beats % SWEEP_EVERY == 0:
            from engine.registry.discovery import check_health

            try:
                check_health()
            except Exception as exc:
                log.debug("registry health check failed: %s", exc)
        return True

    def start(self) -> Registration:
        """Registers and starts heartbeating (idempotent; a no-op when the registry is
        disabled with ``AURA_REGISTRY_ENABLED=false``)."""
        if self._thread is not None or not self.settings.enabled:
            return self
        self._stop.clear()
        self.beat()
        self._thread = threading.Thread(target=self._run, name=f"aura-registry-{self.kind}",
                                        daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.settings.heartbeat_s):
            self.beat()

    def stop(self) -> None:
        """Stops heartbeating and removes the record (best effort)."""
        thread, self._thread = self._thread, None
        self._stop.set()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)
        try:
            backend().remove(self.id)
        except Exception as exc:
            log.debug("could not deregister %s: %s", self.id, exc)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def __enter__(self) -> Registration:
        return self.start()

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def register(kind: str, meta: dict[str, Any] | None = None, *, id: str | None = None,
             active: Callable[[], int] | None = None,
             probe: Callable[[], dict[str, Any]] | None = None,
             start: bool = True) -> Registration:
    """Registers this process as a ``kind`` instance (see :class:`Registration`).

    Returns the registration, started unless ``start=False`` (then use it as a context
    manager or call :meth:`~Registration.start`). With ``AURA_REGISTRY_ENABLED=false``
    nothing is ever written.
    """
    reg = Registration(kind, meta, id=id, active=active, probe=probe)
    return reg.start() if start else reg
