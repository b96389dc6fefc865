"""Chunking: a document's text cut into overlapping pieces that respect its structure.

The text is read as blocks (paragraphs, separated by blank lines; Markdown headings start a
new section) and each block as sentences. Sentences are packed into chunks of at most
``size`` tokens (words and punctuation runs, a model-independent count); a chunk never
spans two sections; the next chunk of a section repeats its last ``overlap`` tokens' worth
of sentences. A sentence longer than ``size`` is cut at token boundaries. Each chunk keeps
its character offsets in the text and the heading it sits under.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from engine.errors import ValidationError

__all__ = ["Chunk", "ChunkingPolicy", "split"]

_TOKEN = re.compile(r"\w+|[^\w\s]+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])|\n")
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")


@dataclass(frozen=True)
class ChunkingPolicy:
    """How a knowledge base cuts documents: chunk ``size`` and ``overlap`` in tokens."""

    size: int = 200
    overlap: int = 30

    @classmethod
    def from_dict(cls, raw: dict[str, Any] | None) -> ChunkingPolicy:
        """Validates a policy given as JSON (missing fields take the defaults)."""
        raw = dict(raw or {})
        unknown = set(raw) - {"size", "overlap"}
        if unknown:
            raise ValidationError(
                f"Unknown chunking option(s) {sorted(unknown)}; use 'size' and 'overlap' (tokens).",
                details={"chunking": raw},
            )
        try:
            size, overlap = int(raw.get("size", 200)), int(raw.get("overlap", 30))
        except (TypeError, ValueError):
            raise ValidationError(
                "Chunking 'size' and 'overlap' must be whole numbers of tokens.",
                details={"chunking": raw},
            ) from None
        if not 20 <= size <= 4000 or not 0 <= overlap < size // 2 + 1:
            raise ValidationError(
                "Chunking needs 20 <= size <= 4000 tokens and an overlap from 0 to half the size.",
                details={"size": size, "overlap": overlap},
            )
        return cls(size, overlap)

    def to_dict(self) -> dict[str, int]:
        return {"size": self.size, "overlap": self.overlap}


@dataclass(frozen=True)
class Chunk:
    """A piece of text: ``text == source[start:end]``; ``heading`` of its section."""

    text: str
    start: int
    end: int
    tokens: int
    heading: str | None


def _count(text: str) -> int:
    return len(_TOKEN.findall(text))


_BLANK = re.compile(r"\n[ \t]*\n")


def _spans(text: str, start: int, end: int, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    """The non-blank pieces of ``text[start:end]`` between matches of ``pattern``,
    trimmed of surrounding whitespace, as offsets into ``text``."""
    out: list[tuple[int, int]] = []
    pos = start
    for m in [*pattern.finditer(text, start, end), None]:
        stop = m.start() if m is not None else end
        piece = text[pos:stop]
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            out.append((pos + lead, pos + len(piece.rstrip())))
        if m is not None:
            pos = m.end()
    return out


def _sections(text: str) -> list[tuple[str | None, list[tuple[int, int]]]]:
    """Sections (heading, sentence spans). A heading line is part of its section's first
    sentence list, so its words are searchable too."""
    out: list[tuple[str | None, list[tuple[int, int]]]] = [(None, [])]
    for b_start, b_end in _spans(text, 0, len(text), _BLANK):
        line_end = text.find("\n", b_start, b_end)
        m = _HEADING.match(text[b_start : line_end if line_end >= 0 else b_end])
        if m:
            out.append((m.group(2), []))
        out[-1][1].extend(_spans(text, b_start, b_end, _SENTENCE_END))
    return [(h, s) for h, s in out if s]


def _cut_long(text: str, span: tuple[int, int], size: int) -> list[tuple[int, int]]:
    tokens = list(_TOKEN.finditer(text, span[0], span[1]))
    if len(tokens) <= size:
        return [span]
    return [
        (tokens[i].start(), tokens[min(i + size, len(tokens)) - 1].end())
        for i in range(0, len(tokens), size)
    ]


def split(text: str, policy: ChunkingPolicy | None = None) -> list[Chunk]:
    """The chunks of ``text`` under ``policy`` (default: 200 tokens, 30 overlap)."""
    policy = policy or ChunkingPolicy()
    chunks: list[Chunk] = []
    for heading, sentences in _sections(text):
        spans = [p for s in sentences for p in _cut_long(text, s, policy.size)]
        counts = [_count(text[a:b]) for a, b in spans]
        i = 0
        while i < len(spans):
            j, total = i, 0
            while j < len(spans) and (j == i or total + counts[j] <= policy.size):
                total += counts[j]
                j += 1
            start, end = spans[i][0], spans[j - 1][1]
            chunks.append(Chunk(text[start:end], start, end, total, heading))
            if j >= len(spans):
                break
            back, k = 0, j
            while k - 1 > i and back + counts[k - 1] <= policy.overlap:
                back += counts[k - 1]
                k -= 1
            i = k
    return chunks
