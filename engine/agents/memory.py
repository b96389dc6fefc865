"""Conversation memory: the turns of a session (user messages and final answers), kept
per session key so a later run continues the conversation, trimmed to a window.

:class:`ConversationMemory` is what the agent node uses; the services layer provides the
stored implementation, scoped to the execution's project
(:mod:`engine.services.agents`)."""

from __future__ import annotations

import abc
from collections.abc import Sequence

from engine.agents.types import Message

__all__ = ["ConversationMemory", "window"]


def window(messages: Sequence[Message], size: int) -> list[Message]:
    """The newest ``size`` messages, starting at a user message (never mid-turn)."""
    kept = list(messages)[-size:] if size > 0 else []
    while kept and kept[0].role != "user":
        kept.pop(0)
    return kept


class ConversationMemory(abc.ABC):
    """The sessions of one project."""

    @abc.abstractmethod
    def load(self, session: str) -> list[Message]:
        """The session's messages, oldest first (empty for a new session)."""

    @abc.abstractmethod
    def save(self, session: str, messages: Sequence[Message]) -> None:
        """Replaces the session's messages."""

    def append(self, session: str, new: Sequence[Message], size: int) -> list[Message]:
        """Adds ``new`` to the session, keeps the window of ``size``; returns it."""
        kept = window([*self.load(session), *new], size)
        self.save(session, kept)
        return kept
