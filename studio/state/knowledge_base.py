"""One knowledge base's page state: its documents, adding them (upload, pasted text, a
URL; on the workers when a Redis is configured), renaming, deleting a document, and a
test search. Everything goes through :mod:`engine.services.knowledge`, as the signed-in
user."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import reflex as rx

from engine.errors import AuraError
from studio.auth import AuthState
from studio.state.knowledge import _when
from studio.state.knowledge_ingest import result_row

__all__ = ["UPLOAD_TYPES", "KnowledgeBaseState"]

UPLOAD_TYPES = {
    "text/plain": [".txt"],
    "text/markdown": [".md", ".markdown"],
    "text/html": [".html", ".htm"],
    "application/pdf": [".pdf"],
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": [".docx"],
    "text/csv": [".csv"],
    "application/json": [".json", ".jsonl"],
}
"""What the upload box accepts (the loaders of :mod:`engine.knowledge`)."""


def _doc_row(d: dict[str, Any]) -> dict[str, str]:
    return {
        "id": d["id"],
        "name": d["name"],
        "type": d["content_type"] or "",
        "chunks": str(d["chunks"]),
        "updated": _when(d["updated_at"]),
    }


def _hit_row(h: dict[str, Any]) -> dict[str, str]:
    # the metadata the text does not already show (a CSV row's fields are its text)
    meta = {k: v for k, v in (h.get("meta") or {}).items() if f"{k}: {v}" not in h["text"]}
    return {
        "document": h["document"],
        "heading": h.get("heading") or "",
        "score": f"{h['score']:.4f}",
        "similarity": "" if h.get("similarity") is None else f"cosine {h['similarity']:.3f}",
        "matched": " + ".join(h.get("matched") or []),
        "text": h["text"][:600],
        "meta": ", ".join(f"{k}: {v}" for k, v in list(meta.items())[:8]),
    }


class KnowledgeBaseState(AuthState):
    """One knowledge base: its documents, adding (upload, pasted text, URL), deleting a
    document, and a test search."""

    base_id: str = ""
    name: str = ""
    summary: str = ""
    missing: str = ""
    documents: list[dict[str, str]] = []
    busy: bool = False
    results: list[dict[str, str]] = []
    paste_name: str = ""
    paste_text: str = ""
    url: str = ""
    query: str = ""
    mode: str = "hybrid"
    k: str = "5"
    filters: str = ""
    search_error: str = ""
    searched: bool = False
    hits: list[dict[str, str]] = []
    confirm_doc: str = ""
    confirm_doc_name: str = ""
    renaming: bool = False
    new_name: str = ""

    @rx.event
    def load(self) -> Any:
        from engine.services import knowledge

        p = self.principal_or_none()
        if p is None:
            return None
        kb_id = str(self.router.url.path).rstrip("/").rsplit("/", 1)[-1]
        if kb_id != self.base_id:
            self.base_id, self.hits, self.searched, self.search_error = kb_id, [], False, ""
            self.results, self.renaming = [], False
        try:
            view = knowledge.get_base(p, kb_id)
            self.documents = [_doc_row(d) for d in knowledge.list_documents(p, kb_id)]
        except AuraError as exc:
            self.missing, self.name, self.documents = exc.message, "", []
            return None
        self.missing, self.name = "", view.name
        size, overlap = view.chunking.get("size", 200), view.chunking.get("overlap", 30)
        self.summary = (
            f"{view.documents} document{'' if view.documents == 1 else 's'}, "
            f"{view.chunks} chunk{'' if view.chunks == 1 else 's'} · {view.model} "
            f"({view.dims} dimensions) · chunks of {size} tokens, "
            f"{overlap} overlapping"
        )
        from studio.state.knowledge_ingest import KnowledgeIngestState

        return KnowledgeIngestState.resume  # an ingest of this base still under way

    async def _add(self, docs: list[dict[str, Any]]) -> AsyncIterator[Any]:
        """Adds ``docs``: on the workers when there are (a Redis is configured), with
        their progress shown; else here, off the event loop, with the busy flag shown."""
        from engine.config import settings
        from engine.services import knowledge, knowledge_ingest
        from studio.state.knowledge_ingest import KnowledgeIngestState

        if settings().redis.url:
            try:
                job = await asyncio.to_thread(
                    knowledge_ingest.start_ingest, self.principal(), self.base_id, docs
                )
            except Exception as exc:
                yield self.refuse(exc)
                return
            self.results = []
            yield KnowledgeIngestState.follow(self.base_id, job.id)
            return
        self.busy = True
        yield
        try:
            out = await asyncio.to_thread(
                knowledge.add_documents, self.principal(), self.base_id, docs
            )
        except Exception as exc:
            self.busy = False
            yield self.refuse(exc)
            return
        self.busy = False
        self.results = [result_row(r) for r in out]
        self.load()
        failed = [r for r in out if r["status"] == "failed"]
        if failed:
            yield rx.toast.error(f"{failed[0]['name']}: {failed[0]['error']}", duration=10000)
        else:
            yield rx.toast.success(f"Added {len(out)} document(s).")

    @rx.event
    async def upload(self, files: list[rx.UploadFile]) -> AsyncIterator[Any]:
        docs = [
            {
                "name": f.filename or "upload",
                "data": await f.read(),
                "content_type": f.content_type or None,
            }
            for f in files
        ]
        async for update in self._add(docs):
            yield update

    @rx.event
    def set_paste_name(self, value: str) -> None:
        self.paste_name = value

    @rx.event
    def set_paste_text(self, value: str) -> None:
        self.paste_text = value

    @rx.event
    def set_url(self, value: str) -> None:
        self.url = value

    @rx.event
    async def add_text(self) -> AsyncIterator[Any]:
        if not self.paste_text.strip():
            yield rx.toast.error("Paste some text to add.")
            return
        name = self.paste_name.strip() or "Pasted text"
        text = self.paste_text
        self.paste_text = self.paste_name = ""
        async for update in self._add(
            [{"name": name, "text": text, "content_type": "text/markdown"}]
        ):
            yield update

    @rx.event
    async def add_url(self) -> AsyncIterator[Any]:
        url = self.url.strip()
        if not url:
            yield rx.toast.error("Give the address of a page or file, https://…")
            return
        self.url = ""
        async for update in self._add([{"url": url}]):
            yield update

    @rx.event
    def start_rename(self) -> None:
        self.renaming, self.new_name = True, self.name

    @rx.event
    def cancel_rename(self) -> None:
        self.renaming = False

    @rx.event
    def set_new_name(self, value: str) -> None:
        self.new_name = value

    @rx.event
    def rename(self) -> Any:
        from engine.services import knowledge

        try:
            view = knowledge.rename_base(self.principal(), self.base_id, self.new_name.strip())
        except Exception as exc:
            return self.refuse(exc)
        self.renaming = False
        self.load()
        return rx.toast.success(f"Renamed to {view.name}.")

    @rx.event
    def ask_delete_doc(self, doc_id: str, name: str) -> None:
        self.confirm_doc, self.confirm_doc_name = doc_id, name

    @rx.event
    def cancel_delete_doc(self) -> None:
        self.confirm_doc = self.confirm_doc_name = ""

    @rx.event
    def confirm_delete_doc(self) -> Any:
        from engine.services import knowledge

        doc_id, name = self.confirm_doc, self.confirm_doc_name
        self.confirm_doc = self.confirm_doc_name = ""
        try:
            knowledge.delete_document(self.principal(), self.base_id, doc_id)
        except Exception as exc:
            return self.refuse(exc)
        self.load()
        return rx.toast.success(f"Deleted {name}.")

    @rx.event
    def set_query(self, value: str) -> None:
        self.query = value

    @rx.event
    def set_mode(self, value: str) -> None:
        self.mode = value

    @rx.event
    def set_k(self, value: str) -> None:
        self.k = value

    @rx.event
    def set_filters(self, value: str) -> None:
        self.filters, self.search_error = value, ""

    @rx.event
    def search(self) -> Any:
        from engine.services import knowledge

        self.search_error = ""
        if not self.query.strip():
            self.search_error = "Type a question or some words to search for."
            return None
        filters: dict[str, Any] | None = None
        if self.filters.strip():
            try:
                filters = json.loads(self.filters)
            except ValueError as exc:
                self.search_error = (
                    f"Filters are not valid JSON ({exc.msg}); write them "
                    'like {"team": "billing"}.'
                )
                return None
            if not isinstance(filters, dict):
                self.search_error = 'Filters are a JSON object, e.g. {"team": "billing"}.'
                return None
        try:
            k = int(self.k)
        except ValueError:
            self.search_error = "k is the number of results, a whole number from 1 to 100."
            return None
        try:
            hits = knowledge.search(
                self.principal(), self.base_id, self.query, k=k, mode=self.mode, filters=filters
            )
        except AuraError as exc:
            self.search_error, self.hits = exc.message, []
            return None
        except Exception as exc:
            return self.refuse(exc)
        self.hits, self.searched = [_hit_row(h) for h in hits], True
        return None
