"""Knowledge: Search — the chunks of a knowledge base nearest to a query."""

from __future__ import annotations

from typing import Any, Literal

from engine.sdk import Field, NodeSpec, Params, load_docs


class KnowledgeSearchParams(Params):
    knowledge_base: str = Field(
        ..., min_length=1, description="The knowledge base (its id or name in the project)."
    )
    query: str = Field(
        ...,
        min_length=1,
        description="What to look for, usually an expression such as {{ $json.question }}.",
    )
    top_k: int = Field(4, ge=1, le=100, description="How many chunks to return.")
    mode: Literal["vector", "text", "hybrid"] = Field(
        "vector",
        description="vector: by meaning; text: by the query's words (full text); hybrid: "
        "both, fused by rank.",
    )
    min_score: float | None = Field(
        None,
        ge=-1,
        le=1,
        description="Leave out chunks scoring below this (cosine "
        "similarity, -1 to 1). Empty: keep the top k whatever their score.",
    )
    filters: dict[str, Any] = Field(
        default_factory=dict,
        description='Only chunks with this metadata, e.g. {"category": "billing"}, '
        '{"year": [2025, 2026]} or a range {"price": {"$gte": 10, "$lt": 20}} ($gt, $gte, '
        "$lt, $lte; numbers or ISO dates): document metadata, CSV/JSON record fields, "
        '"document".',
    )
    rerank: str | None = Field(
        None,
        max_length=100,
        description="Re-rank the search's best 4 times top k chunks (at least 20) with this "
        "re-ranker and keep the top k, each with its rerank_score (built in: 'keywords', the "
        "share of the query's words a chunk holds, rare words weighing more); others are "
        "registered in code (engine.knowledge.rerank). Empty: the search's own order.",
    )


SPEC = NodeSpec(
    type="core.knowledge_search",
    version=1,
    title="Knowledge: Search",
    description="Find the chunks of a knowledge base that best answer a query.",
    category="AI",
    icon="book-search",
    params=KnowledgeSearchParams,
    run="nodes.core.knowledge_search.run:execute",
    docs=load_docs(__file__),
)
