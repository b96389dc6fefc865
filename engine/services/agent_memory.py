"""Agent conversation memory: the stored conversation memory the agent node uses (per project and
session key, in the key-value ``setting`` table), registered for :mod:`engine.sdk.ai`.

The memory of a run is that of its execution's project (read from the execution's row),
so a session key chosen in one project never reads another project's conversation.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from engine.agents import ConversationMemory, Message
from engine.errors import NotFoundError
from engine.sdk.ai import set_memory_provider
from engine.services.store import get_store

__all__ = ["StoredMemory", "memory_for_execution", "memory_key"]

_PREFIX = "agents.memory."


def memory_key(project_id: str | None, session: str) -> str:
    """The setting key of a session (a hash: keys are bounded, session keys are not)."""
    digest = hashlib.sha256(session.encode()).hexdigest()[:40]
    return f"{_PREFIX}{project_id or '-'}.{digest}"


class StoredMemory(ConversationMemory):
    """The sessions of ``project_id`` in the store."""

    def __init__(self, project_id: str | None) -> None:
        self.project_id = project_id

    def load(self, session: str) -> list[Message]:
        value = get_store().settings.get(memory_key(self.project_id, session))
        if not isinstance(value, dict):
            return []
        return [Message.from_dict(m) for m in value.get("messages", [])]

    def save(self, session: str, messages: Sequence[Message]) -> None:
        get_store().settings.set(
            memory_key(self.project_id, session),
            {"session": session, "messages": [m.to_dict() for m in messages]},
        )


def memory_for_execution(execution_id: str) -> ConversationMemory:
    """The memory of execution ``execution_id``: its project's sessions."""
    try:
        project_id = get_store().executions.get(execution_id).project_id
    except NotFoundError:
        project_id = None  # an unrecorded run (tests, record=False): no project
    return StoredMemory(project_id)


set_memory_provider(memory_for_execution)
