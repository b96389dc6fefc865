"""Metrics read when ``/metrics`` is scraped rather than counted as things happen: the
RQ queues (jobs per state, age of the oldest waiting job), the workers (busy or idle)
and whether Redis answers. They describe the whole fleet, so one API process reading
Redis is the right place; nothing here is written to the shared metric files."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

__all__ = ["QueueCollector"]

log = logging.getLogger(__name__)


class QueueCollector:
    """A prometheus-client collector over RQ's queues and workers."""

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import GaugeMetricFamily

        from engine.runtimes import redis_configured, redis_connection

        if not redis_configured():
            return
        up = GaugeMetricFamily("aura_redis_up", "1 when Redis answered this scrape.")
        try:
            families = list(_families(redis_connection()))
        except Exception as exc:  # Redis away: say so instead of failing the scrape
            log.warning("metrics: cannot read the queues: %s", exc)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families


def _families(conn: Any) -> Iterator[Any]:
    from prometheus_client.core import GaugeMetricFamily
    from rq import Queue, Worker
    from rq.job import Job

    jobs = GaugeMetricFamily(
        "aura_queue_jobs",
        "Jobs of each RQ queue, by state (queued: waiting for a worker).",
        labels=["queue", "state"],
    )
    oldest = GaugeMetricFamily(
        "aura_queue_oldest_job_age_seconds",
        "How long the oldest waiting job of each queue has waited.",
        labels=["queue"],
    )
    from engine.config import settings

    now = datetime.now(UTC)
    queues = {q.name: q for q in Queue.all(connection=conn)}
    name = settings().queue.name  # shown from the start, before its first job
    queues.setdefault(name, Queue(name, connection=conn))
    for q in sorted(queues.values(), key=lambda q: q.name):
        jobs.add_metric([q.name, "queued"], q.count)
        jobs.add_metric([q.name, "started"], q.started_job_registry.count)
        jobs.add_metric([q.name, "scheduled"], q.scheduled_job_registry.count)
        jobs.add_metric([q.name, "deferred"], q.deferred_job_registry.count)
        jobs.add_metric([q.name, "failed"], q.failed_job_registry.count)
        age = 0.0
        first = q.get_job_ids(0, 1)
        job = Job.fetch_many(first, connection=conn)[0] if first else None
        if job is not None and job.enqueued_at is not None:
            at = job.enqueued_at
            at = at if at.tzinfo else at.replace(tzinfo=UTC)
            age = max(0.0, (now - at).total_seconds())
        oldest.add_metric([q.name], age)
    yield jobs
    yield oldest
    workers = GaugeMetricFamily(
        "aura_workers", "RQ workers, by state (busy: running an execution).", labels=["state"]
    )
    states: dict[str, int] = {"busy": 0, "idle": 0}
    for w in Worker.all(connection=conn):
        state = str(getattr(w.get_state(), "value", w.get_state()))
        states[state] = states.get(state, 0) + 1
    for state, n in sorted(states.items()):
        workers.add_metric([state], n)
    yield workers
