"""Agent runs on the queue: :func:`enqueue_agent` puts the job of an agent execution
(:data:`AGENT_JOB_FUNCTION`, :func:`run_agent_job`) on the queue (for
:func:`engine.runtimes.dispatch`, the one dispatch); :func:`recover` hands a run whose
worker died back to it.

Agent executions go on the same queues as workflows (the job carries the id only). In
a worker that runs jobs in its own process (``--no-fork``, the ``fast`` queue's
SimpleWorker) the job claims the run, hands it to the process's
:class:`~engine.runtimes.agent_host.AgentHost` and returns at once: the worker is free
for the next job while the model thinks. A forking worker does not fork for these jobs
(:mod:`engine.runtimes.rq.worker`); should one run in a work horse all the same, the
run is carried out there, holding that worker until it ends or parks.
"""

from __future__ import annotations

import logging

__all__ = ["AGENT_JOB_FUNCTION", "enqueue_agent", "fresh_after_fork", "recover", "run_agent_job"]

log = logging.getLogger(__name__)

AGENT_JOB_FUNCTION = "engine.runtimes.rq.agent_jobs.run_agent_job"


def run_agent_job(execution_id: str) -> str | None:
    """The RQ job of agent runs: the services claim the queued agent execution and host
    it (a worker running jobs in its own process: returns ``"hosted"`` at once) or run
    it here (a forked work horse, which must finish it before exiting)."""
    import os

    from rq import get_current_job

    from engine.runtimes._redis import adopt_connection
    from engine.runtimes.rq import jobs
    from engine.runtimes.work import installed

    jobs._in_horse_setup()
    job = get_current_job()
    if job is not None and job.connection is not None:
        adopt_connection(job.connection)
    in_worker_process = jobs._WORKER_PID is not None and os.getpid() == jobs._WORKER_PID
    if not in_worker_process:
        fresh_after_fork()
    return installed().run_agent(execution_id, in_worker_process)


def enqueue_agent(execution_id: str, *, at_front: bool = False, queue: str | None = None) -> None:
    """Puts the job of a recorded, ``queued`` agent execution on the queue (its
    project's fair place; no job timeout: limits are the agent's own)."""
    from engine.config import settings
    from engine.runtimes._redis import redis_connection
    from engine.runtimes.fair import FairQueue

    q = FairQueue(queue or settings().queue.name, connection=redis_connection())
    q.enqueue_call(
        AGENT_JOB_FUNCTION,
        args=(execution_id,),
        job_id=execution_id,
        timeout=-1,
        result_ttl=60,
        failure_ttl=24 * 3600,
        at_front=at_front,
        description=f"aura agent run {execution_id}",
    )


def recover(execution_id: str, reason: str) -> bool:
    """Hands a running agent run whose worker died back to the queue, to be resumed from
    its last recorded step (at most ``AURA_AGENTS_RESUME_LIMIT`` times). False when it is
    not an agent run, or was resumed that often already (then it crashes as usual)."""
    from sqlmodel import col, update

    from engine.config import settings
    from engine.store.current import get_store
    from engine.store.models import Execution

    store = get_store()
    row = store.executions.get(execution_id)
    if row.kind != "agent" or row.status != "running":
        return False
    resumes = int((row.checkpoint or {}).get("resumes", 0))
    if resumes >= settings().agents.resume_limit:
        return False
    checkpoint = {"resumes": resumes + 1, "last_loss": reason[:500]}
    with store.db.write() as s:
        moved = s.exec(
            update(Execution)
            .where(col(Execution.id) == execution_id, col(Execution.status) == "running")
            .values(status="queued", worker_id=None, heartbeat_at=None, checkpoint=checkpoint)
        ).rowcount
    if not moved:
        return False
    log.warning("agent run %s lost its worker (%s); resuming it on another", execution_id, reason)
    try:
        enqueue_agent(execution_id, at_front=True)
    except Exception as exc:  # queued: the orphan sweep enqueues it when Redis is back
        log.warning("could not enqueue agent run %s again: %s", execution_id, exc)
    return True


def fresh_after_fork() -> None:
    """In a work horse: its own agent host and SQLite writer lock (also done at every
    fork by :func:`engine.runtimes.agent_host.reset_agent_host`)."""
    from engine.runtimes.agent_host import reset_agent_host

    reset_agent_host()
