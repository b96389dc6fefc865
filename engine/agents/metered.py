"""A model whose every reply is also handed to a meter (the token and cost ledger)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from engine.agents.providers import ChatModel
from engine.agents.types import Message, Reply, ToolDef

__all__ = ["MeteredModel"]


class MeteredModel:
    """Wraps ``inner``: ``meter(reply)`` after each call (a failing meter never fails the
    call). Other attributes are the inner model's."""

    def __init__(self, inner: ChatModel, meter: Callable[[Reply], None]) -> None:
        self._inner = inner
        self._meter = meter
        self.model = inner.model

    def complete(
        self,
        system: str,
        messages: Sequence[Message],
        tools: Sequence[ToolDef] = (),
        *,
        schema: dict[str, Any] | None = None,
    ) -> Reply:
        reply = self._inner.complete(system, messages, tools, schema=schema)
        try:
            self._meter(reply)
        except Exception:  # the ledger is bookkeeping; the answer stands
            import logging

            logging.getLogger(__name__).warning(
                "could not record a model call's usage", exc_info=True
            )
        return reply

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)
