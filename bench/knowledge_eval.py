"""Retrieval quality on AURA's own docs: recall@5 and MRR per search mode.

Run: ``.venv/bin/python bench/knowledge_eval.py [postgres]``. Every ``docs/*.md`` file is
added to a knowledge base (default chunking: 200 tokens, 30 overlap); each question
below is asked in other words than the docs use; a hit is relevant when it comes from
the expected file and contains the expected phrase (the answer). Prints, per mode
(vector, text, hybrid): recall@5 (a relevant chunk among the first five) and MRR (mean
of 1/rank of the first relevant chunk, 0 if none in the first ten).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUESTIONS: list[tuple[str, str, str]] = [
    ("how are user passwords stored?", "security.md", "argon2id"),
    (
        "can someone find out which e-mail addresses have accounts?",
        "security.md",
        "which accounts exist",
    ),
    ("what stops a malicious pattern from hanging a worker?", "workers.md", "linear"),
    ("which model providers can the agent node use?", "agents.md", "OpenAI-compatible"),
    ("does the terminal console need database access?", "console.md", "never opens the database"),
    (
        "does a weekday 9 am schedule follow summer time changes?",
        "schedules-and-waits.md",
        "DST-aware",
    ),
    ("who removes old executions, and when?", "operations.md", "every interval"),
    ("are runs that are still going ever pruned?", "operations.md", "never queued"),
    ("how do I point the console at a remote server using a key?", "console.md", "--api-key"),
    ("where are the vectors kept when using SQLite?", "knowledge.md", "aura.db.vectors"),
    (
        "can a template reach python modules or the network?",
        "expressions.md",
        "no access to Python objects",
    ),
    ("how is true written when inserted into text?", "expressions.md", "lower case"),
    (
        "how do I bring workflows from n8n into the studio?",
        "migrate-from-n8n.md",
        "From n8n / Node-RED",
    ),
    ("what Node.js version does the web app need?", "studio.md", "Node.js 24"),
    ("how long is a pending single sign-on login kept?", "auth.md", "ten minutes"),
    ("what do Node-RED subflows turn into?", "migrate-from-node-red.md", "sub-workflows"),
]


def evaluate(store_url: str) -> None:
    from engine.knowledge import bases
    from engine.knowledge.search import MODES, search
    from engine.store import Store

    store = Store(store_url)
    kb = bases.create(store, None, "docs")
    for f in sorted((ROOT / "docs").glob("*.md")):
        bases.add_document(store, kb, f.name, f.read_text())
    for mode in MODES:
        found5, rr = 0, 0.0
        for question, doc, phrase in QUESTIONS:
            hits = search(store, kb, question, k=10, mode=mode)
            ranks = [
                i
                for i, h in enumerate(hits, 1)
                if h.document == doc and phrase.lower() in h.text.lower()
            ]
            if ranks and ranks[0] <= 5:
                found5 += 1
            rr += 1 / ranks[0] if ranks else 0.0
        n = len(QUESTIONS)
        print(f"{mode:7s} recall@5 {found5 / n:.2f} ({found5}/{n})  MRR {rr / n:.2f}")
    store.close()


def main() -> None:
    if sys.argv[1:] == ["postgres"]:
        from tests.support.postgres import shared_postgres

        pg = shared_postgres()
        url = pg.create_database()
        try:
            evaluate(url)
        finally:
            pg.drop_database(url)
        return
    with tempfile.TemporaryDirectory() as d:
        evaluate(f"sqlite:///{d}/aura.db")


if __name__ == "__main__":
    main()
