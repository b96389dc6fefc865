"""The SQLite index file (sqlite-vec + FTS5): a chunk indexed again keeps one text row
(its new text), and removing many chunks at once removes all their text rows."""

from __future__ import annotations

import uuid
from pathlib import Path

import numpy as np

from engine.knowledge.vectors import SqliteVecIndex

KB = uuid.uuid4().hex


def _vec(seed: int) -> bytes:
    v = np.random.default_rng(seed).standard_normal(8).astype(np.float32)
    return (v / np.linalg.norm(v)).tobytes()


def test_reindexing_and_removing_keep_the_text_rows_in_step(tmp_path: Path) -> None:
    index = SqliteVecIndex(tmp_path / "aura.db.vectors")
    try:
        rows = [(uuid.uuid4().hex, _vec(i), f"parrot number {i} sings") for i in range(620)]
        index.add(KB, 8, rows)
        assert index.count(KB) == 620
        assert len(index.text_search(KB, "parrot", 1000)) == 620

        # the first chunk indexed again (a rebuild) with another text: one row, the new one
        first = rows[0][0]
        index.add(KB, 8, [(first, _vec(0), "a pelican dives for fish")])
        assert [c for c, _ in index.text_search(KB, "pelican", 10)] == [first]
        assert first not in {c for c, _ in index.text_search(KB, "parrot", 1000)}
        assert index.count(KB) == 620

        # removing more chunks than one delete statement takes: every text row goes
        gone = [c for c, _, _ in rows[:610]]
        index.remove(KB, gone)
        left = {c for c, _, _ in rows[610:]}
        assert {c for c, _ in index.text_search(KB, "parrot", 1000)} == left
        assert index.text_search(KB, "pelican", 10) == []
        assert {c for c, _ in index.search(KB, 8, _vec(615), 50)} == left
    finally:
        index.close()
