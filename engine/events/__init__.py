"""Live execution events: published by every recorded run, followed by UIs and the CLI.

Types (:mod:`engine.events.types`): ``execution.queued``, ``execution.started``,
``node.started``, ``node.finished``, ``execution.waiting``, ``execution.finished``. Each
is a JSON object with ``type``, ``id``, ``ts`` (ISO 8601, UTC), ``execution_id``,
``workflow_id``, ``workflow_name``, ``mode``, ``seq`` (the run's own order) and
type-specific fields (status, timings, item counts; ``node.finished`` also the node's
output, capped by ``AURA_EVENTS_NODE_ITEMS`` / ``AURA_EVENTS_NODE_BYTES``, for live
viewers; never secrets).

Transport (:mod:`engine.events.bus`): Redis pub/sub on ``aura:events`` and
``aura:events:<execution_id>`` plus the capped list ``aura:events:recent`` when
``AURA_REDIS_URL`` is set; an in-process bus otherwise. Publishing never blocks a run
on the network and never fails it.

Who uses it: :func:`engine.services.runs.execute_recorded` adds an
:class:`EventPublisher` to every recorded run; :func:`engine.runtimes.dispatch` publishes
``execution.queued``; ``GET /api/v1/events`` (Server-Sent Events) and ``aura logs``
follow them with :func:`asubscribe` and :func:`subscribe`.
"""

from __future__ import annotations

from engine.events.bus import flush, kick, local_bus, publish, recent, reset, uses_redis
from engine.events.publisher import (
    EventPublisher,
    error_summary,
    publish_execution_finished,
    publish_queued,
)
from engine.events.subscribe import (
    AsyncSubscription,
    Subscription,
    asubscribe,
    replay_after,
    subscribe,
)
from engine.events.types import (
    EVENT_TYPES,
    EXECUTION_FINISHED,
    EXECUTION_QUEUED,
    EXECUTION_STARTED,
    EXECUTION_WAITING,
    GLOBAL_CHANNEL,
    NODE_FINISHED,
    NODE_STARTED,
    RECENT_KEY,
    Event,
    EventSettings,
    execution_channel,
    matches,
    new_event,
    parse_types,
)

__all__ = ["EVENT_TYPES", "EXECUTION_FINISHED", "EXECUTION_QUEUED", "EXECUTION_STARTED",
           "EXECUTION_WAITING", "GLOBAL_CHANNEL", "NODE_FINISHED", "NODE_STARTED",
           "RECENT_KEY", "AsyncSubscription", "Event", "EventPublisher", "EventSettings",
           "Subscription", "asubscribe", "error_summary", "execution_channel", "flush",
           "kick", "local_bus", "matches", "new_event", "parse_types", "publish",
           "publish_execution_finished", "publish_queued",
           "recent", "replay_after", "reset", "subscribe", "uses_redis"]
