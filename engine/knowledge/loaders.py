"""Document loaders: bytes or text of a known type in, plain text out.

Types: plain text, Markdown (kept as written: its headings guide the chunker), HTML (the
main text: scripts, styles, navigation, headers, footers and asides removed; headings
become Markdown headings) and PDF (pypdf, page by page). :func:`load` picks the loader
from the content type or the name's extension.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from engine.errors import ValidationError

__all__ = ["TYPES", "Loaded", "detect_type", "load"]

TYPES = {
    "text/plain": (".txt", ".text", ".log", ".rst"),
    "text/markdown": (".md", ".markdown"),
    "text/html": (".html", ".htm"),
    "application/pdf": (".pdf",),
}
_DROP = ("script", "style", "nav", "header", "footer", "aside", "noscript", "form", "svg")
_BLOCKS = ("p", "li", "pre", "blockquote", "tr", "dd", "dt", "div", "section", "article")


@dataclass
class Loaded:
    """A document's text, its content type and what the loader learnt (title, pages)."""

    text: str
    content_type: str
    meta: dict[str, Any] = field(default_factory=dict)


def detect_type(name: str, content_type: str | None = None) -> str:
    """The content type to load ``name`` as.

    Raises:
        ValidationError: neither the type nor the extension is one AURA can read.
    """
    if content_type:
        base = content_type.split(";", 1)[0].strip().lower()
        if base in TYPES:
            return base
    lower = name.lower()
    for ctype, exts in TYPES.items():
        if lower.endswith(exts):
            return ctype
    if content_type and content_type.startswith("text/"):
        return "text/plain"
    known = ", ".join(e for exts in TYPES.values() for e in exts)
    raise ValidationError(
        f"Cannot read {name!r}: unknown document type {content_type or 'from its name'}. "
        f"Add text, Markdown, HTML or PDF documents ({known}).",
        details={"document": name, "content_type": content_type},
    )


def _decode(data: bytes | str, name: str) -> str:
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(
            f"{name!r} is not UTF-8 text; save it as UTF-8 and add it again.",
            details={"document": name},
        ) from None


def _html(data: bytes | str, name: str) -> Loaded:
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(_decode(data, name))
    title_node = tree.css_first("title")
    title = title_node.text(strip=True) if title_node else ""
    for tag in _DROP:
        for node in tree.css(tag):
            node.decompose()
    root = tree.css_first("main") or tree.css_first("article") or tree.body or tree.root
    parts: list[str] = []
    if root is not None:
        for node in root.traverse(include_text=False):
            tag = node.tag or ""
            if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
                parts.append("#" * int(tag[1]) + " " + node.text(strip=True))
            elif tag in _BLOCKS and not any(
                c.tag in _BLOCKS for c in node.iter(include_text=False)
            ):
                t = " ".join(node.text(separator=" ").split())
                if t:
                    parts.append(t)
    return Loaded(
        "\n\n".join(p for p in parts if p.strip()), "text/html", {"title": title} if title else {}
    )


def _pdf(data: bytes | str, name: str) -> Loaded:
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError:  # pragma: no cover - pypdf is a dependency
        raise ValidationError("Reading PDF needs the 'pypdf' package: pip install pypdf.") from None
    raw = data.encode() if isinstance(data, str) else data
    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted:
            raise ValidationError(
                f"{name!r} is an encrypted PDF; add an unencrypted copy.",
                details={"document": name},
            )
        pages = [(p.extract_text() or "").strip() for p in reader.pages]
    except (PdfReadError, ValueError, KeyError) as exc:
        raise ValidationError(
            f"{name!r} is not a readable PDF ({exc}).", details={"document": name}
        ) from None
    return Loaded("\n\n".join(p for p in pages if p), "application/pdf", {"pages": len(pages)})


def load(name: str, data: bytes | str, content_type: str | None = None) -> Loaded:
    """The text of document ``name``.

    Raises:
        ValidationError: unknown type, unreadable file, or no text at all.
    """
    ctype = detect_type(name, content_type)
    if ctype == "text/html":
        loaded = _html(data, name)
    elif ctype == "application/pdf":
        loaded = _pdf(data, name)
    else:
        loaded = Loaded(_decode(data, name), ctype)
    if not loaded.text.strip():
        raise ValidationError(
            f"{name!r} has no text to add (it is empty, or a scanned PDF without a text layer).",
            details={"document": name},
        )
    return loaded
