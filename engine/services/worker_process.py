"""One supervised worker process: the services loaded, then an RQ worker.

``aura worker`` and ``aura up`` start these (``python -m engine.services.worker_process``,
see :class:`engine.runtimes.rq.supervisor.Supervisor`). Importing :mod:`engine.services`
installs what executions do (:mod:`engine.runtimes.work`) before the worker takes a
job; :func:`engine.runtimes.rq.worker.main` does the rest.
"""

from __future__ import annotations

import sys

import engine.services  # noqa: F401 - installs what the runtimes run
from engine.runtimes.rq.worker import main

__all__ = ["ENTRY", "main"]

ENTRY = "engine.services.worker_process"
"""The module :class:`~engine.runtimes.rq.supervisor.Supervisor` runs per process."""

if __name__ == "__main__":
    sys.exit(main())
