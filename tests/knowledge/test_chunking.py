"""Chunking keeps the document's structure: sections never mix, chunks respect the size,
neighbours overlap, and every chunk's offsets point at its text in the document."""

from __future__ import annotations

import itertools

import pytest

from engine.errors import ValidationError
from engine.knowledge.chunking import ChunkingPolicy, split

DOC = (
    "# Install\n\nRun pip install aura. Then start it with aura up.\n\n"
    "## Upgrade\n\n" + " ".join(f"Step {i} is done." for i in range(40)) + "\n\n"
    "## Remove\n\nDelete the data directory."
)


def test_sections_sizes_overlap_and_offsets() -> None:
    chunks = split(DOC, ChunkingPolicy(size=30, overlap=8))
    assert chunks[0].heading == "Install"
    assert chunks[-1].heading == "Remove" and chunks[-1].text.endswith("data directory.")
    assert all(c.tokens <= 30 for c in chunks)
    assert all(DOC[c.start : c.end] == c.text for c in chunks)
    upgrade = [c for c in chunks if c.heading == "Upgrade"]
    assert len(upgrade) > 2 and not any("aura up" in c.text for c in upgrade)
    for a, b in itertools.pairwise(upgrade):
        assert b.start < a.end  # the next chunk repeats the end of the previous one


def test_a_sentence_longer_than_a_chunk_is_cut_at_words() -> None:
    text = " ".join(f"w{i}" for i in range(100))
    chunks = split(text, ChunkingPolicy(size=25, overlap=0))
    assert [c.tokens for c in chunks] == [25, 25, 25, 25]
    assert " ".join(c.text for c in chunks) == text


@pytest.mark.parametrize(
    "raw", [{"size": 5}, {"size": 100, "overlap": 90}, {"sise": 100}, {"size": "big"}]
)
def test_bad_policies_are_refused_with_a_message(raw: dict) -> None:
    with pytest.raises(ValidationError):
        ChunkingPolicy.from_dict(raw)
