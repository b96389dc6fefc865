"""Fair queues: the executions of one project cannot starve another project's.

An RQ queue is a Redis list that workers pop from the left. Appending every job at the
end serves projects first come, first served: one project's flood of 20 runs puts
another project's single run 21st. :class:`FairQueue` instead *inserts* each job where a
round-robin over projects would put it (start-time fair queueing):

- every queued job has a *round* (a sorted set ``aura:fair:<queue>:rounds``);
- the current round is that of the job at the head of the list (the next to run), or,
  when the list is empty, the highest round ever given;
- a new job of project P gets round ``max(current, last round given to P + 1)`` and is
  inserted before the first job of a higher round (one Lua script: atomic against
  other producers and the workers popping).

So a project's n-th waiting job runs in round n, after at most one job of each other
project per round: a run submitted behind a flood of 20 starts after the job at the head
and at most one job of each busy project, not after the whole flood. A project that
waited long gets no credit for its idle time (its round is never below the current one).

Jobs are still plain RQ jobs (id = execution id) in the same named queue, so the
workers, registries, ``aura queue`` and the queue API see nothing different; a job
pushed otherwise (``at_front``, RQ's requeue) simply has no round and keeps its place.
"""

from __future__ import annotations

import logging
from typing import Any

from rq import Queue

__all__ = ["NO_PROJECT", "FairQueue", "project_of"]

log = logging.getLogger(__name__)

NO_PROJECT = "-"
"""The bucket of executions without a project (ad-hoc definitions)."""

# KEYS: the RQ list, rounds (zset job -> round), last (hash project -> last round, and
# '~max' -> the highest round given). ARGV: job id, project.
_PUSH = """
local list, rounds, last = KEYS[1], KEYS[2], KEYS[3]
local id, project = ARGV[1], ARGV[2]
local now = nil
for _, head in ipairs(redis.call('LRANGE', list, 0, 9)) do
  now = tonumber(redis.call('ZSCORE', rounds, head))
  if now then break end
end
if now then
  redis.call('ZREMRANGEBYSCORE', rounds, '-inf', '(' .. now)
else
  now = tonumber(redis.call('HGET', last, '~max') or '0')
end
local round = math.max(now, tonumber(redis.call('HGET', last, project) or '-1') + 1)
redis.call('ZREM', rounds, id)
redis.call('LREM', list, 0, id)
local placed = false
while not placed do
  local after = redis.call('ZRANGEBYSCORE', rounds, '(' .. round, '+inf', 'LIMIT', 0, 1)
  if #after == 0 then
    redis.call('RPUSH', list, id)
    placed = true
  elseif redis.call('LINSERT', list, 'BEFORE', after[1], id) > 0 then
    placed = true
  else
    redis.call('ZREM', rounds, after[1])  -- popped or removed meanwhile
  end
end
redis.call('ZADD', rounds, round, id)
redis.call('HSET', last, project, round)
if round > tonumber(redis.call('HGET', last, '~max') or '0') then
  redis.call('HSET', last, '~max', round)
end
return round
"""


class FairQueue(Queue):
    """An RQ queue whose jobs (execution ids) are placed round-robin by project."""

    def push_job_id(self, job_id: str, pipeline: Any = None, at_front: bool = False) -> None:
        if at_front:  # no round: it keeps the front
            (pipeline or self.connection).zrem(f"aura:fair:{self.name}:rounds", job_id)
            super().push_job_id(job_id, pipeline=pipeline, at_front=True)
            return
        script = self.connection.register_script(_PUSH)
        keys = [self.key, f"aura:fair:{self.name}:rounds", f"aura:fair:{self.name}:last"]
        script(keys=keys, args=[job_id, project_of(job_id)], client=pipeline)


def project_of(execution_id: str) -> str:
    """The project whose turn an execution takes (:data:`NO_PROJECT` when it has none
    or cannot be read)."""
    from engine.store.current import get_store

    try:
        return get_store().executions.get(execution_id).project_id or NO_PROJECT
    except Exception as exc:  # the job itself will report a missing row
        log.debug("no project for execution %s: %s", execution_id, exc)
        return NO_PROJECT
