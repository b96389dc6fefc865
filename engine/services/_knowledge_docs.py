"""Adding one document to a knowledge base, as the knowledge services do it (private):
its payload (text, base64 data, or a URL fetched through AURA's SSRF-safe client), and
one result per document; a document that fails is reported, never raised, so the rest
of a batch goes on."""

from __future__ import annotations

import base64
from typing import Any

from engine.errors import AuraError, ValidationError
from engine.knowledge import bases
from engine.knowledge.bases import ChunkProgress
from engine.store.models_knowledge import KnowledgeBase

__all__ = ["add_one"]


def _fetch(url: str) -> tuple[bytes, str | None]:
    """The body and content type at ``url``, through AURA's SSRF-safe client (private
    addresses refused unless allow-listed), at most the size of a document."""
    import httpx

    from engine.net.client import safe_client

    if not url.lower().startswith(("http://", "https://")):
        raise ValidationError(
            f"Cannot fetch {url!r}: give an http:// or https:// address.", details={"url": url}
        )
    limit = bases.MAX_DOCUMENT_BYTES
    try:
        with safe_client(timeout=30) as client, client.stream("GET", url) as resp:
            if resp.status_code >= 400:
                raise ValidationError(
                    f"Fetching {url} answered HTTP {resp.status_code}; check the address.",
                    details={"url": url, "status": resp.status_code},
                )
            body = bytearray()
            for piece in resp.iter_bytes():
                body += piece
                if len(body) > limit:
                    raise ValidationError(
                        f"{url} is larger than {limit // 2**20} MB; add a smaller document.",
                        details={"url": url},
                    )
            return bytes(body), resp.headers.get("content-type")
    except httpx.HTTPError as exc:  # a private address is refused before: SSRFBlocked
        raise ValidationError(f"Cannot fetch {url}: {exc}.", details={"url": url}) from None


def _payload(doc: dict[str, Any]) -> bytes | str:
    if doc.get("text") is not None:
        return str(doc["text"])
    data = doc.get("data")
    if isinstance(data, bytes):
        return data
    if isinstance(data, str):
        try:
            return base64.b64decode(data, validate=True)
        except ValueError:
            raise ValidationError("A document's 'data' must be base64.") from None
    raise ValidationError("A document needs 'text', 'data' (bytes, or base64 in JSON) or 'url'.")


def add_one(
    store: Any, kb: KnowledgeBase, doc: dict[str, Any], progress: ChunkProgress | None = None
) -> dict[str, Any]:
    """Adds ``doc`` (``name``, and ``text``, ``data`` or ``url``; ``content_type``,
    ``meta``) to ``kb``: ``{name, status, chunks, embedded, document_id}``, or
    ``status: failed`` with the ``error`` in words."""
    url = str(doc.get("url") or "").strip()
    name = str(doc.get("name") or url).strip()
    try:
        content_type = doc.get("content_type")
        payload: bytes | str
        if url and doc.get("text") is None and doc.get("data") is None:
            payload, fetched_type = _fetch(url)
            content_type = content_type or fetched_type
            meta = {"url": url, **dict(doc.get("meta") or {})}
        else:
            payload, meta = _payload(doc), dict(doc.get("meta") or {})
        r = bases.add_document(
            store, kb, name, payload, content_type=content_type, meta=meta, progress=progress
        )
    except AuraError as exc:
        return {"name": name, "status": "failed", "chunks": 0, "embedded": 0, "error": exc.message}
    return {
        "name": r.name,
        "document_id": r.document_id,
        "status": r.status,
        "chunks": r.chunks,
        "embedded": r.embedded,
    }
