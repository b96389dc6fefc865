"""One RQ worker process, and which RQ worker class runs which queue.

Forking ``Worker`` or ``SimpleWorker``?
=======================================

RQ's default ``Worker`` forks a *work horse* per job; ``SimpleWorker`` runs jobs in the
worker process itself. Measured with ``bench/queue_bench.py`` (Manual Trigger → Set,
SQLite store, local Redis 7, 2-core VM, 300 executions, best of 3 rounds):

    one worker process   executions/s   worker CPU/execution   latency median / p95
    forking Worker               18.6                48 ms           54 / 64 ms
    SimpleWorker                 92.3                 9 ms           14 / 18 ms

A horse costs ~40 ms of CPU per execution on top of the run itself: the fork, a new
database connection (SQLite re-reads its schema), a new Redis connection, cold caches.
(Before :func:`preload` warmed the parent it was ~125 ms: every horse imported the
credential service, auth and ``cryptography`` anew.)

Default per queue (``AURA_QUEUE_WORKER_CLASS=auto``; ``--fork/--no-fork`` overrides):

- ``default`` (every user-triggered execution): **forking Worker**. Isolation wins over
  speed here. A workflow runs built-in and installed nodes in the worker's interpreter
  (only Code nodes and untrusted packages go to the sandbox). In a horse, a node that
  segfaults in a C extension or is OOM-killed takes down only the horse: the worker
  survives and records ``crashed`` at once (RQ reports the dead horse, see
  :func:`_horse_killed`). A node that leaks memory, or changes process-wide state
  (``os.environ``, locale, signal handlers, module globals), cannot affect the next
  execution, which may belong to another user: the horse's memory is gone when it
  exits. A node blocked in C code, where RQ's SIGALRM cannot reach it, is SIGKILLed by
  the worker after the job timeout; in a SimpleWorker it would hang the worker while
  the heartbeat thread kept beating. The price, ~40 ms of CPU per execution, is small
  next to real workflows (HTTP and LLM calls take 100 ms to seconds); it caps trivial
  workflows at ~19 executions/s per process on this machine.
- ``fast``: **SimpleWorker** (5x the throughput, 14 ms latency), for operators who
  route short, trusted, high-volume workflows there (``RunSpec(..., queue="fast")``,
  ``aura worker -q fast``) and run it with ``--max-jobs`` to recycle leaky processes. A
  crash is still detected (the supervisor sees the process exit, or the heartbeat
  reaper) and the process restarted.
- any other queue: forking, the safe choice.

Every horse re-opens database connections (never shares a socket with its parent) and
dies with its worker (``PR_SET_PDEATHSIG``). The worker process warms up before forking
(:func:`preload`), so horses start warm.
"""

from __future__ import annotations

import argparse
import functools
import logging
import os
import sys
from typing import Any

__all__ = ["DEFAULT_WORKER_CLASS", "main", "monitoring_interval", "run_worker", "use_fork"]

log = logging.getLogger(__name__)

DEFAULT_WORKER_CLASS: dict[str, str] = {"default": "fork", "fast": "simple"}
"""Queue name -> ``fork`` or ``simple`` (queues not listed fork)."""


def use_fork(queues: list[str], fork: bool | None = None) -> bool:
    """Whether a worker for ``queues`` forks a horse per job: ``fork`` if given, else
    ``AURA_QUEUE_WORKER_CLASS``, else the per-queue default (fork if any queue forks)."""
    if fork is not None:
        return fork
    from engine.config import settings

    choice = settings().queue.worker_class.lower()
    if choice in ("fork", "simple"):
        return choice == "fork"
    return any(DEFAULT_WORKER_CLASS.get(q, "fork") == "fork" for q in queues)


def _runs_execution(job: Any) -> bool:
    """Whether ``job`` runs an execution (its first argument is the execution id), not
    another kind of work such as a knowledge base ingest (which keeps its own record)."""
    from engine.runtimes.queue import JOB_FUNCTION
    from engine.runtimes.rq.agent_jobs import AGENT_JOB_FUNCTION

    return job.func_name in (JOB_FUNCTION, AGENT_JOB_FUNCTION)


def _horse_killed(job: Any, retpid: int | None, ret_val: int | None, rusage: Any) -> None:
    """RQ saw the horse running ``job`` die: end its execution now (no heartbeat wait)."""
    from engine.runtimes.recovery import crash_execution

    if not _runs_execution(job):
        return  # RQ records the failed job; its owner reads that (e.g. an ingest's progress)

    execution_id = str(job.args[0]) if job.args else str(job.id)
    sig = os.WTERMSIG(ret_val) if ret_val and os.WIFSIGNALED(ret_val) else None
    what = f"was killed by signal {sig}" if sig else f"exited with status {ret_val}"
    if job.timeout not in (None, -1) and job.started_at is not None:
        from engine.runtimes.rq.jobs import _end
        from engine.store.types import utcnow

        if (utcnow() - job.started_at).total_seconds() >= float(job.timeout):
            from engine.store.current import get_store

            _end(
                get_store(),
                None,
                execution_id,
                "failed",
                {
                    "type": "ExecutionTimeout",
                    "code": "timeout",
                    "message": f"The execution was stopped after {job.timeout} s (its timeout "
                    "plus a margin): a node did not return. Raise the workflow's timeout or "
                    "fix the node.",
                },
            )
            return
    try:
        crash_execution(
            execution_id,
            f"The process running it (pid {retpid}) {what}; a node "
            "may have crashed the interpreter or run out of memory.",
        )
    except Exception:
        log.exception("could not record the crash of execution %s", execution_id)


REDIS_RETRY_MAX_S = 2.0
"""Longest pause between a worker's attempts to reach Redis again (RQ's own: 60 s)."""


@functools.cache
def _aura_worker_class() -> type:
    """RQ's forking worker plus the watchdog (a function: importing rq is not free)."""
    from rq import Worker

    class AuraWorker(Worker):
        """RQ's forking worker whose parent also kills a stuck horse at every monitoring
        tick (see :mod:`engine.runtimes.rq.watchdog`), not only 60 s past the timeout.
        Agent runs are not forked: their job only claims the run and hands it to this
        process's threads (:mod:`engine.runtimes.agent_host`), so the worker is free
        while models think."""

        def execute_job(self, job: Any, queue: Any) -> None:
            from engine.runtimes.rq.agent_jobs import AGENT_JOB_FUNCTION

            if job.func_name != AGENT_JOB_FUNCTION:
                super().execute_job(job, queue)
                return
            from rq.worker import WorkerStatus

            execution = self.prepare_execution(job)  # as RQ's SimpleWorker does
            self.perform_job(job, queue, execution)
            self.set_state(WorkerStatus.IDLE)

        def maintain_heartbeats(self, job: Any, execution: Any) -> None:
            super().maintain_heartbeats(job, execution)
            if not _runs_execution(job):
                return
            from engine.runtimes.rq.watchdog import check

            try:
                eid = str(job.args[0]) if job.args else str(job.id)
                timeout = None if job.timeout in (None, -1) else float(job.timeout)
                reason = check(eid, timeout_s=timeout, started_at=job.started_at)
            except Exception as exc:  # the store or Redis is away: look again next tick
                log.warning("could not check execution %s for being stuck: %s", job.id, exc)
                return
            if reason:
                log.warning(
                    "killing the work horse (pid %s) of execution %s: %s",
                    self.horse_pid,
                    eid,
                    reason,
                )
                self.kill_horse()

    return AuraWorker


def monitoring_interval() -> int:
    """Seconds between a forking worker's looks at its horse (RQ wants whole seconds):
    twice the heartbeat interval, between 1 and 5."""
    from engine.config import settings

    return int(max(1, min(5, round(2 * settings().queue.heartbeat_interval_s))))


def preload() -> None:
    """Makes forked horses start warm: opens the store, imports the node catalog and
    built-in node code, and has the services warm up (:attr:`~engine.runtimes.work.Work.
    warm_up`: they build the recording executor, which imports the credential service,
    vault, auth..., and run a trivial workflow in memory, nothing recorded),
    so that lazy imports and first-use caches are paid once here instead of in every
    horse (metrics included: importing prometheus-client for its first count cost each
    horse 0.1-0.4 s on a loaded machine). Without it a horse spent ~100 ms of CPU
    importing before running anything."""
    import importlib

    from engine.runtimes.work import installed
    from engine.sdk.catalog import get_catalog
    from engine.store.current import get_store

    work = installed()  # no services in this process: say so before taking jobs
    for module in (
        "engine.runtimes.queue",
        "engine.runtimes.recovery",
        "engine.runtimes.resume",
        "redis.lock",
    ):
        importlib.import_module(module)
    from engine.observability import metrics

    try:  # prometheus-client and the metric objects: a horse counts without importing
        metrics.setup()
    except Exception as exc:  # e.g. a read-only data directory: horses will say so
        log.warning("worker metrics could not be set up: %s", exc)
    store = get_store()
    catalog = get_catalog()
    for spec in catalog.latest():
        try:
            catalog.run_function(spec)
        except Exception as exc:  # a broken package must not stop the worker
            log.debug("preloading %s failed: %s", spec.type, exc)
    try:
        work.warm_up()
        store.executions.list(limit=1)
        store.workflows.list(limit=1)
    except Exception as exc:
        log.warning("worker warm-up run failed (horses will start cold): %s", exc)


def run_worker(
    queues: list[str],
    *,
    burst: bool = False,
    fork: bool | None = None,
    worker_id: str | None = None,
    log_level: str = "WARNING",
    max_jobs: int | None = None,
) -> bool:
    """Runs one RQ worker in this process until stopped (or, with ``burst``, until the
    queues are empty). Returns whether it ran any job."""
    from rq import SimpleWorker

    from engine.runtimes import _load
    from engine.runtimes._redis import redis_connection
    from engine.runtimes.rq.jobs import mark_worker_process

    wid = worker_id or _load.worker_identity()
    _load.set_worker_identity(wid)
    os.environ["AURA_WORKER_ID"] = wid
    forking = use_fork(queues, fork)
    preload()
    mark_worker_process()
    conn = redis_connection()
    if forking:
        worker: Any = _aura_worker_class()(
            queues,
            connection=conn,
            name=wid,
            work_horse_killed_handler=_horse_killed,
            job_monitoring_interval=monitoring_interval(),
        )
    else:
        worker = SimpleWorker(queues, connection=conn, name=wid)
    worker.log_job_description = False
    # RQ doubles its wait after each failed attempt to reach Redis up to 60 s: after a
    # Redis restart of a few seconds the worker slept through a minute of queued runs
    worker.max_connection_wait_time = REDIS_RETRY_MAX_S
    from engine.registry import register

    # in the service registry while it runs; active: 1 while it runs an execution
    with register(
        "worker",
        {"queues": queues, "fork": forking},
        id=wid,
        start=False,
        active=lambda: int(worker.get_state() == "busy"),
    ):
        return bool(worker.work(burst=burst, logging_level=log_level, max_jobs=max_jobs))


def _die_with_supervisor() -> None:
    """Stops (warm: the current job finishes) when the supervisor dies, even by kill -9."""
    import signal

    from engine.config import settings

    parent = settings().supervisor_pid
    if parent is None or not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, int(signal.SIGTERM))
    except OSError:
        return
    if os.getppid() != parent:
        sys.exit(0)


def main(argv: list[str] | None = None) -> int:
    """Runs one supervised worker process (its entry point is
    :mod:`engine.services.worker_process`, which loads the services first); use ``aura
    worker`` instead."""
    p = argparse.ArgumentParser(prog="aura-worker-process")
    p.add_argument("--queues", default="default")
    p.add_argument("--burst", action="store_true")
    p.add_argument("--fork", dest="fork", action="store_true", default=None)
    p.add_argument("--no-fork", dest="fork", action="store_false")
    p.add_argument("--log-level", default="WARNING")
    p.add_argument("--max-jobs", type=int, default=None)
    args = p.parse_args(argv)
    _die_with_supervisor()
    from engine.observability.logging import configure_logging

    configure_logging(args.log_level, process="worker")
    queues = [q.strip() for q in args.queues.split(",") if q.strip()]
    run_worker(
        queues,
        burst=args.burst,
        fork=args.fork,
        log_level=args.log_level.upper(),
        max_jobs=args.max_jobs,
    )
    return 0
