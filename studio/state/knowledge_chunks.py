"""The knowledge page's chunk view: a document's chunks in order (position, heading,
tokens, text, metadata), a page at a time, through
:func:`engine.services.knowledge.document_chunks` as the signed-in user."""

from __future__ import annotations

from typing import Any

import reflex as rx

from studio.auth import AuthState

__all__ = ["KnowledgeChunksState"]

PAGE = 50


def _chunk_row(c: dict[str, Any]) -> dict[str, str]:
    return {
        "id": c["id"],
        "position": f"#{c['position']}",
        "heading": c.get("heading") or "",
        "tokens": f"{c['tokens']} tokens · characters {c['start']}-{c['end']}",
        "text": c["text"],
        "meta": ", ".join(f"{k}: {v}" for k, v in list((c.get("meta") or {}).items())[:12]),
    }


class KnowledgeChunksState(AuthState):
    """Which document's chunks are shown, and those loaded so far."""

    kb_id: str = ""
    document_id: str = ""
    document: str = ""
    total: int = 0
    chunks: list[dict[str, str]] = []
    error: str = ""

    @rx.var
    def is_open(self) -> bool:
        return self.document_id != ""

    @rx.var
    def more(self) -> bool:
        return len(self.chunks) < self.total

    def _fetch(self, offset: int) -> Any:
        from engine.services import knowledge

        try:
            page = knowledge.document_chunks(
                self.principal(), self.kb_id, self.document_id, offset=offset, limit=PAGE
            )
        except Exception as exc:
            self.error = getattr(exc, "message", str(exc))
            return self.refuse(exc)
        self.document, self.total = page["document"]["name"], page["total"]
        self.chunks = self.chunks + [_chunk_row(c) for c in page["items"]]
        return None

    @rx.event
    def open(self, document_id: str, name: str) -> Any:
        self.kb_id = str(self.router.url.path).rstrip("/").rsplit("/", 1)[-1]
        self.document_id, self.document, self.total, self.chunks = document_id, name, 0, []
        self.error = ""
        return self._fetch(0)

    @rx.event
    def load_more(self) -> Any:
        return self._fetch(len(self.chunks))

    @rx.event
    def set_open(self, value: bool) -> None:
        if not value:
            self.document_id, self.chunks = "", []
