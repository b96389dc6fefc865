"""``aura worker``: run queue workers on this machine (any number of machines may share
one Redis and one database)."""

from __future__ import annotations

from typing import Annotated

import typer

from engine.cli._common import console, reporting

__all__ = ["worker"]


def worker(
    queues: Annotated[
        str,
        typer.Option(
            "--queues",
            "-q",
            help="Comma-separated RQ queues to take executions from, in priority order.",
        ),
    ] = "default",
    processes: Annotated[
        int,
        typer.Option(
            "--processes",
            "-n",
            min=1,
            help="Worker processes to run (each runs one execution at a time).",
        ),
    ] = 1,
    burst: Annotated[bool, typer.Option("--burst", help="Exit once the queues are empty.")] = False,
    fork: Annotated[
        bool | None,
        typer.Option(
            "--fork/--no-fork",
            help="Run each execution "
            "in a forked process (isolation) or in the "
            "worker process (speed). Default: per queue.",
            show_default=False,
        ),
    ] = None,
    grace: Annotated[
        float,
        typer.Option(
            "--grace",
            help="Seconds to let running executions finish on shutdown before killing them.",
        ),
    ] = 30.0,
    max_jobs: Annotated[
        int | None,
        typer.Option("--max-jobs", help="Recycle a worker process after this many executions."),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log every job.")] = False,
) -> None:
    """Run queue workers: take queued executions from Redis and run them.

    Stops cleanly on Ctrl-C or SIGTERM (running executions finish first; a second
    signal stops at once). Needs AURA_REDIS_URL ('aura up' starts Redis and a worker
    for you).
    """
    from engine.config import settings
    from engine.observability.logging import configure_logging
    from engine.runtimes import redis_connection
    from engine.runtimes.rq.supervisor import Supervisor
    from engine.runtimes.rq.worker import use_fork
    from engine.services.startup import check_encryption_key
    from engine.services.store import get_store
    from engine.services.worker_process import ENTRY

    names = [q.strip() for q in queues.split(",") if q.strip()] or ["default"]
    level = "INFO" if verbose else "WARNING"
    configure_logging(level, process="worker")
    with reporting():
        conn = redis_connection()
        conn.ping()
        get_store()
        check_encryption_key()  # refuse to run with a key that cannot decrypt the data
    s = settings()
    kind = (
        "forking (an execution per process)"
        if use_fork(names, fork)
        else "simple (executions inside the worker process)"
    )
    console.print(
        f"[bold]AURA worker[/]: {processes} process(es), {kind}, queues "
        f"{', '.join(names)}{' (burst)' if burst else ''}"
    )
    console.print(
        f"  redis: {_safe_url(s.redis.url or '')}   database: "
        f"{'SQLite ' + str(s.data_dir) if not s.db.url else 'external'}"
    )
    Supervisor(
        names,
        entry=ENTRY,
        processes=processes,
        burst=burst,
        fork=fork,
        log_level=level,
        grace_s=grace,
        max_jobs=max_jobs,
    ).run()


def _safe_url(url: str) -> str:
    from engine.cli._common import safe_url

    return safe_url(url)
