"""What nodes see of knowledge bases: ``ctx.knowledge`` (a :class:`KnowledgeAccess`).

The services layer provides the implementation (:mod:`engine.services.knowledge`
registers it with :func:`set_provider`); it acts as the execution's principal, so a node
reaches only the knowledge bases of the projects its run may read and change. Nodes
program against this interface and never import the engine's services.
"""

from __future__ import annotations

import abc
import importlib
from collections.abc import Callable
from typing import Any

__all__ = ["KnowledgeAccess", "check_reranker", "knowledge_for", "rerankers", "set_provider"]

_PROVIDER_MODULE = "engine.services.knowledge"
_provider: Callable[[str], KnowledgeAccess] | None = None


class KnowledgeAccess(abc.ABC):
    """Knowledge bases as the running execution may use them (by id or name)."""

    @abc.abstractmethod
    def add_documents(
        self, knowledge_base: str, documents: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """Adds documents (``name``; ``text`` or ``data`` bytes; optional
        ``content_type`` and ``meta``). One result per document, in order: ``status``
        (added, replaced, unchanged or failed), ``chunks``, or ``error`` (a message) —
        a document that fails leaves nothing behind and the others go on."""

    @abc.abstractmethod
    def search(
        self,
        knowledge_base: str,
        query: str,
        *,
        k: int = 5,
        min_score: float | None = None,
        mode: str = "vector",
        filters: dict[str, Any] | None = None,
        rerank: str | None = None,
    ) -> list[dict[str, Any]]:
        """The ``k`` best chunks for ``query`` (``mode``: vector, text or hybrid) among
        those whose metadata matches ``filters`` ({field: value or [values]}):
        ``text``, ``score``, ``document``, ``document_id``, ``chunk_id``, ``start``/``end``
        offsets, ``position``, ``heading``, ``matched`` (which searches found it),
        ``similarity`` (cosine, when the vector search found it) and ``rerank_score``.
        With ``rerank`` (a re-ranker's name, built in: ``keywords``), the search's best
        ``4k`` are reordered by that re-ranker and the first ``k`` kept, as in the API."""


def rerankers() -> list[str]:
    """The names a search's ``rerank`` accepts (built in: ``keywords``)."""
    from engine.knowledge.rerank import reranker_names

    return reranker_names()


def check_reranker(name: str) -> str:
    """``name`` if it is a re-ranker's; otherwise ValueError in the search's words
    ("Unknown re-ranker 'x'; use one of keywords."), for a parameter validator."""
    from engine.errors import ValidationError
    from engine.knowledge.rerank import get_reranker

    try:
        get_reranker(name)
    except ValidationError as e:
        raise ValueError(e.message) from None
    return name


def set_provider(provider: Callable[[str], KnowledgeAccess]) -> None:
    """Installs the factory ``provider(execution_id) -> KnowledgeAccess``."""
    global _provider
    _provider = provider


def knowledge_for(execution_id: str) -> KnowledgeAccess:
    """The knowledge bases execution ``execution_id`` may use."""
    if _provider is None:
        importlib.import_module(_PROVIDER_MODULE)  # registers itself on import
    assert _provider is not None
    return _provider(execution_id)
