"""Typed results of the knowledge API for the console: knowledge bases, their documents
and their ingest jobs (``/api/v1/knowledge-bases``, ``.../{id}/documents``,
``.../{id}/ingests``), frozen dataclasses built from the JSON those routes publish
(``KnowledgeBaseOut``, ``DocumentOut``, ``IngestJobOut``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tui.models import parse_time

__all__ = ["IngestJob", "KbDocument", "KnowledgeBase"]

JSON = dict[str, Any]


@dataclass(frozen=True)
class KnowledgeBase:
    id: str
    name: str
    project_id: str
    model: str
    documents: int
    chunks: int
    updated_at: datetime | None

    @classmethod
    def from_json(cls, d: JSON) -> KnowledgeBase:
        return cls(
            str(d["id"]),
            str(d.get("name") or ""),
            str(d.get("project_id") or ""),
            str(d.get("model") or ""),
            int(d.get("documents") or 0),
            int(d.get("chunks") or 0),
            parse_time(d.get("updated_at")),
        )


@dataclass(frozen=True)
class KbDocument:
    id: str
    name: str
    content_type: str
    chars: int
    chunks: int
    updated_at: datetime | None

    @classmethod
    def from_json(cls, d: JSON) -> KbDocument:
        return cls(
            str(d["id"]),
            str(d.get("name") or ""),
            str(d.get("content_type") or ""),
            int(d.get("chars") or 0),
            int(d.get("chunks") or 0),
            parse_time(d.get("updated_at")),
        )


@dataclass(frozen=True)
class IngestJob:
    """An ingest (or re-embed) job and how far it got."""

    id: str
    status: str
    kind: str
    documents_total: int
    documents_done: int
    documents_failed: int
    chunks_total: int
    chunks_done: int
    current: str
    error: str
    by: str
    failures: tuple[tuple[str, str], ...] = ()
    """(document, why) of each document that could not be added."""
    cancel_requested: bool = False
    """Someone cancelled it; the worker stops at its next step."""

    @property
    def finished(self) -> bool:
        return self.status in ("succeeded", "failed", "cancelled")

    @classmethod
    def from_json(cls, d: JSON) -> IngestJob:
        return cls(
            str(d["id"]),
            str(d.get("status") or ""),
            str(d.get("kind") or "ingest"),
            int(d.get("documents_total") or 0),
            int(d.get("documents_done") or 0),
            int(d.get("documents_failed") or 0),
            int(d.get("chunks_total") or 0),
            int(d.get("chunks_done") or 0),
            str(d.get("current") or ""),
            str(d.get("error") or ""),
            str(d.get("by") or ""),
            tuple(
                (str(r.get("name") or ""), str(r.get("error") or ""))
                for r in d.get("results") or []
                if isinstance(r, dict) and r.get("status") == "failed"
            ),
            bool(d.get("cancel_requested")),
        )
