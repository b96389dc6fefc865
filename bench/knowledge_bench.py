"""Knowledge bases: embedding speed, ingest speed and search latency on both stores.

Run: ``.venv/bin/python bench/knowledge_bench.py [CHUNKS]`` (default 10,000). Documents
are AURA's own ``docs/*.md`` and ``README.md``, repeated (each copy under its own name)
until the knowledge base holds about CHUNKS chunks. Prints: model load time, embedding
throughput, end-to-end ingest (load + split + embed + store + index) in chunks per
second, and search latency p50/p99 over 200 questions per mode (vector, text,
hybrid; the vector ones include embedding the question), on SQLite (sqlite-vec) and on
embedded PostgreSQL (pgvector, HNSW).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

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


def _texts() -> list[tuple[str, str]]:
    files = [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md"]
    return [(f.name, f.read_text()) for f in files if f.is_file()]


def _bench_store(label: str, url: str, target: int) -> None:
    from engine.knowledge import bases
    from engine.knowledge.search import MODES, search
    from engine.store import Store

    store = Store(url)
    kb = bases.create(store, None, f"bench-{label}")
    texts = _texts()
    chunks, copy = 0, 0
    t0 = time.perf_counter()
    while chunks < target:
        for name, text in texts:
            chunks += bases.add_document(store, kb, f"{copy}/{name}", f"{copy}\n\n{text}").chunks
        copy += 1
    ingest = time.perf_counter() - t0
    print(
        f"{label}: ingested {chunks} chunks in {ingest:.1f} s = {chunks / ingest:.0f} "
        "chunks/s end to end"
    )
    for mode in MODES:
        lat = []
        for i in range(200):
            t = time.perf_counter()
            search(store, kb, QUESTIONS[i % len(QUESTIONS)], k=5, mode=mode)
            lat.append((time.perf_counter() - t) * 1000)
        lat.sort()
        print(
            f"{label}: {mode} search (top 5) p50 {statistics.median(lat):.1f} ms, "
            f"p99 {lat[int(len(lat) * 0.99) - 1]:.1f} ms at {chunks} chunks"
        )
    bases.delete(store, kb.id)
    store.close()


def main() -> None:
    target = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
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
        f"{len(batch) / dt:.0f} chunks/s"
    )
    with tempfile.TemporaryDirectory() as d:
        _bench_store("sqlite", f"sqlite:///{d}/aura.db", target)
    from tests.support.postgres import shared_postgres

    pg = shared_postgres()
    url = pg.create_database()
    try:
        _bench_store("postgres", url, target)
    finally:
        pg.drop_database(url)


if __name__ == "__main__":
    main()
