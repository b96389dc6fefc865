"""The knowledge page's model change: the user picks a model, sees the warning (how many
chunks are embedded again, with which model and dimension), and confirms; the re-embed
then runs on the workers (its progress shown as an ingest's) or, with no workers, here.
Through :mod:`engine.services.knowledge_reembed`, as the signed-in user."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import reflex as rx

from studio.auth import AuthState

__all__ = ["KnowledgeModelState"]


class KnowledgeModelState(AuthState):
    """The Change model dialog of one base."""

    open_: bool = False
    model: str = ""
    models: list[str] = []
    warning: str = ""
    error: str = ""
    working: bool = False

    def _kb_id(self) -> str:
        return str(self.router.url.path).rstrip("/").rsplit("/", 1)[-1]

    @rx.event
    def start(self) -> None:
        from engine.services import knowledge

        self.open_, self.model, self.warning, self.error = True, "", "", ""
        self.models = knowledge.models()

    @rx.event
    def set_open(self, value: bool) -> None:
        self.open_ = value

    @rx.event
    def set_model(self, value: str) -> None:
        self.model, self.warning, self.error = value.strip(), "", ""

    @rx.event
    async def check(self) -> AsyncIterator[Any]:
        """Asks for the warning (nothing changes yet)."""
        from engine.services.knowledge_reembed import ModelChangeNeedsConfirmation, change_model

        if not self.model:
            self.error = "Choose or type a model."
            return
        self.working = True
        yield
        try:
            await asyncio.to_thread(change_model, self.principal(), self._kb_id(), self.model)
        except ModelChangeNeedsConfirmation as exc:
            self.warning = exc.message
        except Exception as exc:
            self.error = getattr(exc, "message", str(exc))
        finally:
            self.working = False

    @rx.event
    async def confirm(self) -> AsyncIterator[Any]:
        """Starts the re-embed (on the workers when there are)."""
        from engine.config import settings
        from engine.services.knowledge_reembed import change_model
        from studio.state.knowledge_base import KnowledgeBaseState
        from studio.state.knowledge_ingest import KnowledgeIngestState

        kb_id, workers = self._kb_id(), bool(settings().redis.url)
        self.working = True
        yield
        try:
            p = await asyncio.to_thread(
                change_model, self.principal(), kb_id, self.model, confirm=True, here=not workers
            )
        except Exception as exc:
            self.working, self.error = False, getattr(exc, "message", str(exc))
            return
        self.working, self.open_, self.warning = False, False, ""
        if workers:
            yield KnowledgeIngestState.follow(kb_id, p.id)
            return
        base = await self.get_state(KnowledgeBaseState)
        base.load()
        if p.status == "failed":
            yield rx.toast.error(p.error, duration=10000)
        else:
            yield rx.toast.success(f"Re-embedded {p.chunks_done} chunks with {p.model}.")
