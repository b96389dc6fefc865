"""Knowledge: Search — for each item, its query's best chunks with scores and sources."""

from __future__ import annotations

from engine.sdk import Item, NodeContext
from nodes.core.knowledge_search.spec import KnowledgeSearchParams


def execute(ctx: NodeContext) -> dict[str, list[Item]]:
    """Outputs each item with ``query``, ``results`` (best first) and ``sources``."""

    def one(item: Item, i: int) -> Item:
        p = ctx.params(i)
        assert isinstance(p, KnowledgeSearchParams)
        hits = ctx.knowledge.search(
            p.knowledge_base,
            p.query,
            k=p.top_k,
            min_score=p.min_score,
            mode=p.mode,
            filters=p.filters or None,
            rerank=p.rerank or None,
        )
        sources = list(dict.fromkeys(h["document"] for h in hits))
        return item.derive(
            {**item.json, "query": p.query, "results": hits, "sources": sources}, index=i
        )

    return ctx.map(one)
