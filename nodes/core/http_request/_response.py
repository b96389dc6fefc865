"""Reads an HTTP response into a body (JSON, text or file) and turns it into items."""

from __future__ import annotations

import json
import mimetypes
import re
from dataclasses import dataclass
from email.message import Message
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx

from engine.sdk import Binary, Item, NodeExecutionError

__all__ = ["Page", "get_path", "is_empty", "make_items", "read_page", "response_value"]

_TEXT_TYPES = (
    "text/",
    "application/xml",
    "application/javascript",
    "application/ecmascript",
    "application/x-www-form-urlencoded",
    "application/graphql",
    "+xml",
    "image/svg",
)
_PATH_TOKEN = re.compile(r"[^.\[\]]+|\[(\d+)\]")


@dataclass
class Page:
    """One response, read: its body is JSON data, text, or None for files (see ``binary``)."""

    status: int
    reason: str
    headers: dict[str, str]
    url: str
    body: Any
    binary: Binary | None = None
    next_link: str | None = None

    def full(self) -> dict[str, Any]:
        return {
            "status_code": self.status,
            "status_message": self.reason,
            "headers": self.headers,
            "body": self.body,
            "url": self.url,
        }


def _read_capped(response: httpx.Response, max_bytes: int) -> bytes:
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        _too_big(max_bytes)
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            _too_big(max_bytes)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_big(max_bytes: int) -> None:
    raise NodeExecutionError(
        f"The response is larger than {max_bytes / 1_048_576:g} MB. Raise 'Max response "
        "MB' if you expect such large responses, or request less data (pagination, "
        "filters)."
    )


def file_name_of(response: httpx.Response, mime: str) -> str:
    """File name from Content-Disposition (``filename*`` first), else from the URL."""
    cd = response.headers.get("content-disposition")
    if cd:
        msg = Message()
        msg["content-disposition"] = cd
        name = msg.get_filename()
        if name:
            return unquote(name).replace("/", "_").replace("\\", "_")
    path = urlsplit(str(response.url)).path
    last = unquote(path.rsplit("/", 1)[-1]) if path else ""
    if last:
        return last
    ext = mimetypes.guess_extension(mime) or ""
    return f"file{ext}"


def _kind(content_type: str) -> str:
    ct = content_type.lower()
    if "json" in ct:
        return "json"
    if any(t in ct for t in _TEXT_TYPES):
        return "text"
    return "binary" if ct else "text"


def read_page(response: httpx.Response, fmt: str, max_bytes: int) -> Page:
    """Reads the (streamed) response body according to ``fmt`` (auto/json/text/binary)."""
    raw = _read_capped(response, max_bytes)
    content_type = response.headers.get("content-type", "")
    mime = content_type.split(";", 1)[0].strip() or "application/octet-stream"
    page = Page(
        response.status_code,
        response.reason_phrase,
        dict(response.headers),
        str(response.url),
        None,
        next_link=response.links.get("next", {}).get("url"),
    )
    kind = _kind(content_type) if fmt == "auto" else fmt
    if kind == "binary":
        page.binary = Binary.from_bytes(raw, mime, file_name_of(response, mime))
        return page
    if not raw and fmt == "auto":
        return page
    encoding = response.charset_encoding or ("utf-8" if kind == "json" else None)
    text = raw.decode(encoding or "utf-8", errors="replace")
    if kind == "json":
        if not text.strip():
            page.body = None if fmt == "auto" else {}
            return page
        try:
            page.body = json.loads(text)
        except ValueError:
            if fmt == "json":
                raise NodeExecutionError(
                    f"The response is not valid JSON (Content-Type '{content_type or 'none'}'"
                    f"; starts with {text[:80]!r}). Set 'Response format' to 'text' or "
                    "'auto'."
                ) from None
            page.body = text
        return page
    page.body = text
    return page


def get_path(data: Any, path: str) -> tuple[bool, Any]:
    """Follows a dotted path with ``[n]`` indexes (``data.items[0].id``)."""
    cur = data
    for m in _PATH_TOKEN.finditer(path.strip()):
        key = m.group(0)
        if m.group(1) is not None:
            idx = int(m.group(1))
            if not isinstance(cur, list) or idx >= len(cur):
                return False, None
            cur = cur[idx]
        elif isinstance(cur, dict) and key in cur:
            cur = cur[key]
        elif isinstance(cur, list) and key.isdigit() and int(key) < len(cur):
            cur = cur[int(key)]
        else:
            return False, None
    return True, cur


def response_value(page: Page, path: str) -> Any:
    """A value of the response named by ``path``: a path in the body, or
    ``$response.body.x`` / ``$response.headers.name`` / ``$response.status_code``."""
    p = path.strip()
    if p.startswith("{{") and p.endswith("}}"):
        p = p[2:-2].strip()
    p = p.removeprefix("$response.").removeprefix("response.")
    if p.startswith("headers."):
        name = p[len("headers.") :].lower()
        return next((v for k, v in page.headers.items() if k.lower() == name), None)
    if p in ("status_code", "statusCode"):
        return page.status
    if p == "body":
        return page.body
    found, value = get_path(page.body, p.removeprefix("body."))
    return value if found else None


def is_empty(value: Any) -> bool:
    """None, False, blank text, or an empty list/object."""
    if value is None or value is False:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | dict):
        return not value
    return False


def _wrap(value: Any, field: str) -> dict[str, Any]:
    return value if isinstance(value, dict) else {field: value}


def make_items(
    page: Page, *, full: bool, split: bool, split_field: str, output_field: str
) -> list[Item]:
    """The output items of one response."""
    binary = {output_field: page.binary} if page.binary is not None else None
    if full:
        return [Item(json=page.full(), binary=binary)]
    if page.binary is not None:
        return [Item(json={}, binary=binary)]
    body = page.body
    if split:
        target = body
        if split_field:
            found, target = get_path(body, split_field)
            if not found or not isinstance(target, list):
                raise NodeExecutionError(
                    f"'Split field' {split_field!r} is not a list in the response. Check "
                    "the path (e.g. 'data.results') or clear it."
                )
        if isinstance(target, list):
            return [Item(json=_wrap(x, output_field)) for x in target]
    if body is None:
        return [Item(json={})]
    return [Item(json=_wrap(body, output_field))]
