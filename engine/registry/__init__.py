"""The service registry: which AURA processes run, where, and whether they are healthy.

Every long-running process registers itself (:func:`register`) and heartbeats:

* the API server (``studio.api``, in its lifespan), kind ``api``, reporting its open
  event streams as ``active``;
* each RQ worker process (:func:`engine.runtimes.rq.worker.run_worker`), kind
  ``worker``, reporting ``1`` while it runs an execution;
* each scheduler (:meth:`engine.triggers.schedules.Scheduler.run`), kind ``scheduler``,
  with ``role`` leader or standby.

Records live in Redis (a hash per instance with a TTL, plus a sorted-set index; see
:mod:`engine.registry._backend`), or in the process when no Redis is configured.
Readers: :func:`instances` (``/readyz``, ``GET /api/v1/services``, ``aura services``)
and :func:`pick`, which chooses one healthy instance of a kind by a load-balancing
strategy (:mod:`engine.registry.balance`). AURA does not route work through ``pick``
today (RQ workers pull jobs from queues themselves); it is the discovery API for
clients choosing among several API servers and for future routing.
"""

from __future__ import annotations

from engine.registry.balance import (
    STRATEGIES,
    LeastConnections,
    RandomChoice,
    RoundRobin,
    Strategy,
    Weighted,
)
from engine.registry.discovery import HealthReport, check_health, instances, pick
from engine.registry.registration import Registration, register, version
from engine.registry.types import (
    EXPIRED,
    HEALTHY,
    UNHEALTHY,
    Instance,
    RegistrySettings,
    health_of,
)

__all__ = ["EXPIRED", "HEALTHY", "STRATEGIES", "UNHEALTHY", "HealthReport", "Instance",
           "LeastConnections", "RandomChoice", "Registration", "RegistrySettings",
           "RoundRobin", "Strategy", "Weighted", "check_health", "health_of", "instances",
           "pick", "register", "version"]
