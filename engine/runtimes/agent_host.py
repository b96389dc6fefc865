"""Where agent runs live on a worker: threads of the worker process, so the worker is
not held while a model thinks.

An agent run spends nearly all its time waiting on I/O (model calls of seconds, tool
calls). Its RQ job only claims the execution and hands it to this process's
:class:`AgentHost`, then returns at once: the worker takes the next job while up to
``AURA_AGENTS_THREADS`` runs wait on their models side by side. (A forking worker runs
agent jobs in its own process for this, see :mod:`engine.runtimes.rq.worker`.) Measured
with ``bench/agent_bench.py`` (2 workers, 50 concurrent runs, 2 s model answers): see
``docs/agents.md``. Parking between steps instead (as the Wait node does) would free
the worker only *between* model calls, not during them, which is where the time goes.
A forked child (a work horse) forgets the host and gets its own SQLite writer lock
(:func:`reset_agent_host`, run at every fork).

One watch thread heartbeats every hosted execution (so the reaper does not take them for
crashed) and turns a cancel request (the Redis flag) into the run's event. When the
process dies, the heartbeats stop; the reaper hands the runs to another worker, which
resumes each from its last recorded step (:mod:`engine.services.agent_runs`).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

__all__ = ["AgentHost", "agent_host", "reset_agent_host"]

log = logging.getLogger(__name__)

RunFunction = Callable[[threading.Event], None]


class AgentHost:
    """A pool of threads running agent executions, and their watch."""

    def __init__(self, threads: int) -> None:
        self.threads = threads
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="aura-agent")
        self._running: dict[str, threading.Event] = {}
        self._lock = threading.Lock()
        self._watch: threading.Thread | None = None

    @property
    def running(self) -> int:
        with self._lock:
            return len(self._running)

    def try_submit(self, execution_id: str, run: RunFunction) -> bool:
        """Starts ``run(cancel_event)`` on a thread; False when all threads are busy."""
        with self._lock:
            if len(self._running) >= self.threads:
                return False
            event = self._running.setdefault(execution_id, threading.Event())
        self._ensure_watch()
        self._pool.submit(self._guarded, execution_id, run, event)
        return True

    def run_here(self, execution_id: str, run: RunFunction) -> None:
        """Runs ``run(cancel_event)`` in the calling thread, heartbeated and cancellable."""
        with self._lock:
            event = self._running.setdefault(execution_id, threading.Event())
        self._ensure_watch()
        self._guarded(execution_id, run, event)

    def _guarded(self, execution_id: str, run: RunFunction, event: threading.Event) -> None:
        try:
            run(event)
        except BaseException:
            log.exception("agent run %s failed in its host thread", execution_id)
        finally:
            with self._lock:
                self._running.pop(execution_id, None)

    def _ensure_watch(self) -> None:
        with self._lock:
            if self._watch is not None and self._watch.is_alive():
                return
            self._watch = threading.Thread(
                target=self._watch_loop, name="aura-agent-watch", daemon=True
            )
            self._watch.start()

    def _watch_loop(self) -> None:
        from engine.config import settings

        q = settings().queue
        next_beat = time.monotonic() + q.heartbeat_interval_s
        while True:
            with self._lock:
                running = dict(self._running)
            now = time.monotonic()
            if now >= next_beat:
                next_beat = now + q.heartbeat_interval_s
                self._beat(running)
            self._poll_cancel(running)
            time.sleep(q.cancel_poll_s)

    def _beat(self, running: dict[str, threading.Event]) -> None:
        from engine.runtimes._load import worker_identity
        from engine.store.current import get_store

        if not running:
            return
        try:
            store = get_store()
        except Exception as exc:  # e.g. the database restarting: beat again next time
            log.warning("agent run heartbeats skipped: %s", exc)
            return
        for eid, event in running.items():
            try:
                if not store.executions.heartbeat(eid, worker_identity()):
                    row = store.executions.get(eid)
                    if row.status in ("succeeded", "failed", "cancelled", "crashed", "queued"):
                        event.set()  # ended or handed on elsewhere: stop running it
            except Exception as exc:
                log.warning("heartbeat of agent run %s failed: %s", eid, exc)

    def _poll_cancel(self, running: dict[str, threading.Event]) -> None:
        from engine.runtimes._redis import cancel_key, redis_configured, redis_connection

        if not running or not redis_configured():
            return
        try:
            r: Any = redis_connection()
            ids = [eid for eid, ev in running.items() if not ev.is_set()]
            if not ids:
                return
            flags = r.pipeline()
            for eid in ids:
                flags.exists(cancel_key(eid))
            for eid, flagged in zip(ids, flags.execute(), strict=True):
                if flagged:
                    running[eid].set()
        except Exception as exc:
            log.warning("cancel check of agent runs failed: %s", exc)


_host: AgentHost | None = None
_host_lock = threading.Lock()


def agent_host() -> AgentHost:
    """This process's host (created on first use with ``AURA_AGENTS_THREADS`` threads)."""
    global _host
    with _host_lock:
        if _host is None:
            from engine.config import settings

            _host = AgentHost(settings().agents.threads)
        return _host


def reset_agent_host() -> None:
    """Forgets the host (a forked child must not use its parent's threads), and gives
    the child its own SQLite writer lock: a parent thread may have held it at the fork,
    and no thread of the child would ever release it."""
    global _host
    _host = None
    try:
        from engine.store.current import opened_store

        store = opened_store()
        if store is not None and hasattr(store.db, "_sqlite_lock"):
            store.db._sqlite_lock = threading.RLock()
    except Exception as exc:  # never fail a fork
        log.debug("could not reset the store lock after a fork: %s", exc)


os.register_at_fork(after_in_child=reset_agent_host)
