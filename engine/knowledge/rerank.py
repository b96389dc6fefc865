"""Re-ranking hook for knowledge searches: a function that reorders the candidates a
search found (``search(..., rerank=name)``): it gets the query and about ``4 * k``
candidate hits and returns them best first, each with its ``rerank_score``; the first
``k`` are kept. Register one (for example a cross-encoder, or a hosted rerank API) with
:func:`register_reranker`.

Built in: ``keywords`` — the share of the query's words a chunk contains, each word
weighed by how rare it is among the candidates (lower case, a plural ``s`` dropped,
:data:`STOPWORDS` ignored), then the search's own order: a cheap fix for a vector
search that ranked a paraphrase above the chunk naming the exact term asked for.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from engine.errors import ValidationError
from engine.knowledge.vectors import query_terms

if TYPE_CHECKING:
    from engine.knowledge.search import Hit

__all__ = ["Reranker", "get_reranker", "register_reranker", "reranker_names"]

Reranker = Callable[[str, "list[Hit]"], "list[Hit]"]

_RERANKERS: dict[str, Reranker] = {}
_LOCK = threading.Lock()


def register_reranker(name: str, reranker: Reranker) -> None:
    """Makes ``reranker`` available to searches as ``rerank=name``."""
    with _LOCK:
        _RERANKERS[name] = reranker


def reranker_names() -> list[str]:
    with _LOCK:
        return sorted(_RERANKERS)


def get_reranker(name: str) -> Reranker:
    """The re-ranker ``name``; ValidationError naming the others when there is none."""
    with _LOCK:
        found = _RERANKERS.get(name)
        names = sorted(_RERANKERS)
    if found is None:
        raise ValidationError(
            f"Unknown re-ranker {name!r}; use one of {', '.join(names)}.",
            details={"rerank": name, "rerankers": names},
        )
    return found


# fmt: off
STOPWORDS = frozenset((
    "a", "an", "and", "are", "as", "at", "be", "by", "can", "do", "does", "for", "from",
    "how", "i", "in", "is", "it", "me", "my", "of", "on", "or", "should", "that", "the",
    "this", "to", "was", "what", "when", "where", "which", "who", "why", "will", "with",
    "you", "your",
))
# fmt: on
"""Words the ``keywords`` re-ranker ignores in a query."""


def _stem(word: str) -> str:
    return word[:-1] if word.endswith("s") and len(word) > 3 else word


def keywords(query: str, hits: list[Hit]) -> list[Hit]:
    """The ``keywords`` re-ranker (see the module)."""
    wanted = {_stem(t) for t in query_terms(query) if t not in STOPWORDS}
    if not wanted or not hits:
        return hits
    words = [{_stem(t) for t in query_terms(h.text)} for h in hits]
    # a word most candidates hold ("to", "the") says little: weigh each by its rarity
    weight = {w: math.log(1 + len(hits) / (1 + sum(w in have for have in words))) for w in wanted}
    total = sum(weight.values()) or 1.0
    scored = [
        (sum(weight[w] for w in wanted & have) / total, -order, h)
        for order, (h, have) in enumerate(zip(hits, words, strict=True))
    ]
    scored.sort(key=lambda x: (x[0], x[1]), reverse=True)
    return [replace(h, rerank_score=round(score, 6)) for score, _, h in scored]


register_reranker("keywords", keywords)
