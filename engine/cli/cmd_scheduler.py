"""``aura scheduler``: fire schedule triggers and wake durable waits. Run as many as you
like (one per machine is typical): they elect one leader through Redis, the others
stand by and take over within the lock TTL if it dies."""

from __future__ import annotations

import signal
import threading
from typing import Annotated

import typer

from engine.cli._common import console, reporting

__all__ = ["scheduler"]


def scheduler(
    tick: Annotated[
        float | None,
        typer.Option(
            "--tick",
            min=0.05,
            help="Longest pause between checks, in seconds (default AURA_SCHEDULER_TICK_S, 1).",
        ),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log every firing.")] = False,
) -> None:
    """Run the scheduler: start executions of active workflows' Schedule Triggers and
    resume parked executions (Wait nodes) when their time comes.

    Stops on Ctrl-C or SIGTERM, handing leadership to a standby at once. Needs
    AURA_REDIS_URL ('aura up' starts Redis, a worker and a scheduler for you).
    """
    from engine.observability.logging import configure_logging
    from engine.observability.retention import RetentionPolicy, interval_text
    from engine.runtimes import redis_connection
    from engine.services.startup import check_encryption_key
    from engine.services.store import get_store
    from engine.triggers.schedules import Scheduler, SchedulerSettings

    configure_logging("INFO" if verbose else "WARNING", process="scheduler")
    with reporting():
        conn = redis_connection()
        conn.ping()
        get_store()
        check_encryption_key()  # refuse to run with a key that cannot decrypt the data
    config = SchedulerSettings()
    if tick is not None:
        config.tick_s = tick
    sched = Scheduler(config=config)
    stop = threading.Event()

    def _stop(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    console.print(f"[bold]AURA scheduler[/] {sched.lock.identity}")
    console.print(
        f"  tick {config.tick_s:g} s, lock TTL {config.lock_ttl_s:g} s, "
        f"grace {config.grace:g} s, missed slots: {config.missed}"
    )
    policy = RetentionPolicy.from_settings()
    console.print(
        f"  retention: executions {policy.describe()}, audit log "
        f"{f'{policy.audit_days} days' if policy.audit_days else 'kept forever'}, "
        + (f"every {interval_text(policy.interval_s)}" if policy.scheduled else "not scheduled")
    )
    sched.run(stop)
