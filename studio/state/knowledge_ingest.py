"""The knowledge page's ingest on the workers: following its progress (documents and
chunks done of the total, the document being added) until it ends, cancelling it, then
the per-document results on :class:`~studio.state.knowledge_base.KnowledgeBaseState`.
Reads go through :mod:`engine.services.knowledge_ingest`, as the signed-in user."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import reflex as rx

from studio.auth import AuthState

__all__ = ["KnowledgeIngestState", "result_row"]

POLL_S = 0.3
FOLLOW_LIMIT_S = 6 * 3600


def result_row(r: dict[str, Any]) -> dict[str, str]:
    """One document's outcome as the page lists it."""
    n = r["chunks"]
    return {
        "name": r["name"],
        "status": r["status"],
        "detail": f"{r['status']}, {n} chunk" + ("" if n == 1 else "s"),
        "error": r.get("error") or "",
    }


class KnowledgeIngestState(AuthState):
    """The ingest the page follows (one at a time per page)."""

    job_id: str = ""
    kb_id: str = ""
    active: bool = False
    cancelling: bool = False
    kind: str = "ingest"
    status: str = ""
    documents: str = ""
    chunks: str = ""
    current: str = ""
    percent: int = 0

    def _show(self, p: Any) -> None:
        self.status, self.current, self.kind = p.status, p.current, p.kind
        self.cancelling = self.cancelling or p.cancel_requested
        self.chunks = f"{p.chunks_done:,} of {p.chunks_total:,} chunks" if p.chunks_total else ""
        if p.kind == "reembed":  # all chunks again: their share is the progress
            self.current, self.documents = f"with {p.model}", "Re-embedding"
            share = p.chunks_done / p.chunks_total if p.chunks_total else 0.0
        else:  # finished documents, and the part of the one being embedded
            self.documents = f"{p.documents_done} of {p.documents_total} documents"
            doing = p.current_done / p.current_total if p.current_total and p.current else 0.0
            share = (p.documents_done + min(1.0, doing)) / max(1, p.documents_total)
        self.percent = round(100 * min(1.0, share))

    @rx.event(background=True)
    async def follow(self, kb_id: str, job_id: str) -> Any:
        """Shows the progress of ingest ``job_id`` until it ends, then its results."""
        from engine.services import knowledge_ingest
        from studio.state.knowledge_base import KnowledgeBaseState

        async with self:
            if self.active and self.job_id == job_id:
                return None
            self.job_id, self.kb_id, self.active, self.percent = job_id, kb_id, True, 0
            self.cancelling = False
            self.status, self.documents, self.chunks, self.current = "queued", "", "", ""
            try:
                principal = self.principal()
            except Exception as exc:
                self.active = False
                return self.refuse(exc)
        started = time.monotonic()
        p: Any = None
        try:
            while time.monotonic() - started < FOLLOW_LIMIT_S:
                p = await asyncio.to_thread(
                    knowledge_ingest.ingest_progress, principal, kb_id, job_id
                )
                async with self:
                    if self.job_id != job_id:
                        return None  # the page moved on to another ingest
                    self._show(p)
                if p.finished:
                    break
                await asyncio.sleep(POLL_S)
        except Exception as exc:
            async with self:
                self.active = False
                return self.refuse(exc)
        async with self:
            self.active = False
            base = await self.get_state(KnowledgeBaseState)
            if p is not None:
                base.results = [result_row(r) for r in p.results]
                if p.status == "cancelled":
                    base.results.append(
                        {"name": "Cancelled", "status": "cancelled", "detail": "", "error": p.error}
                    )
            base.load()
        if p is None or not p.finished:
            return rx.toast.warning("Still ingesting; look again later.")
        failed = [r for r in p.results if r["status"] == "failed"]
        if p.status == "cancelled":
            return rx.toast.info(p.error, duration=10000)
        if p.status == "failed":
            return rx.toast.error(p.error, duration=10000)
        if p.kind == "reembed":
            return rx.toast.success(f"Re-embedded {p.chunks_done} chunks with {p.model}.")
        if failed:
            return rx.toast.error(f"{failed[0]['name']}: {failed[0]['error']}", duration=10000)
        return rx.toast.success(f"Added {len(p.results)} document(s).")

    @rx.event
    def cancel(self) -> Any:
        """Cancels the ingest the page follows: the documents already added stay, the
        one in progress is not added (the progress shows it ending)."""
        from engine.services import knowledge_ingest

        if not self.active or not self.job_id:
            return None
        try:
            knowledge_ingest.cancel_ingest(self.principal(), self.kb_id, self.job_id)
        except Exception as exc:
            return self.refuse(exc)
        self.cancelling = True
        return None

    @rx.event
    def resume(self) -> Any:
        """On opening a base: follows an ingest of it still under way, if any."""
        from engine.config import settings
        from engine.services import knowledge_ingest

        p = self.principal_or_none()
        kb_id = str(self.router.url.path).rstrip("/").rsplit("/", 1)[-1]
        if p is None or not settings().redis.url or self.active:
            return None
        try:
            going = [j for j in knowledge_ingest.list_ingests(p, kb_id) if not j.finished]
        except Exception:  # the page says what is wrong with the base itself
            return None
        return KnowledgeIngestState.follow(kb_id, going[0].id) if going else None
