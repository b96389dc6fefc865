"""HTTP-shaped pieces of the webhook layer (private to :mod:`engine.triggers.webhooks`):
the request and response types, path patterns (``users/:id``), reading the request body
into the trigger item, and turning a finished execution into the response.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from engine.errors import AuraError
from engine.sdk.items import Binary, Item
from engine.store.types import dumps

__all__ = [
    "BadWebhookRequest",
    "RunOutcome",
    "WebhookMethodNotAllowed",
    "WebhookRequest",
    "WebhookResponse",
    "find_entry",
    "output_items",
    "request_item",
    "respond_node_response",
]


def _match(pattern: str, path: str) -> dict[str, str] | None:
    ps, xs = pattern.split("/"), path.split("/")
    if len(ps) != len(xs):
        return None
    out: dict[str, str] = {}
    for p, x in zip(ps, xs, strict=True):
        if p.startswith(":"):
            out[p[1:]] = x
        elif p != x:
            return None
    return out


def find_entry(
    entries: list[tuple[str, str, Any]], method: str, path: str
) -> tuple[Any, dict[str, str]] | None:
    """Best entry (method, pattern, value) for the request: exact, then most literal."""
    best: tuple[int, Any, dict[str, str]] | None = None
    for m, pattern, value in entries:
        if m != method:
            continue
        got = {} if pattern == path else _match(pattern, path) if ":" in pattern else None
        if got is not None:
            score = sum(not s.startswith(":") for s in pattern.split("/"))
            if best is None or score > best[0]:
                best = (score, value, got)
    return None if best is None else (best[1], best[2])


class WebhookMethodNotAllowed(AuraError):
    """The path exists but not for this method; ``details['allowed']`` lists methods."""

    code = "method_not_allowed"
    http_status = 405


class BadWebhookRequest(AuraError):
    """The request body cannot be read as its Content-Type says (e.g. broken JSON)."""

    code = "bad_request"
    http_status = 400


@dataclass
class WebhookRequest:
    """An HTTP request as the webhook layer needs it (``path`` without the prefix)."""

    method: str
    path: str
    headers: Mapping[str, str] = field(default_factory=dict)  # lower-case names
    query: Mapping[str, Any] = field(default_factory=dict)
    body: bytes = b""
    client_ip: str | None = None


@dataclass
class WebhookResponse:
    """What to answer: status, headers and body bytes (and the execution, if any)."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    execution_id: str | None = None

    @classmethod
    def json(
        cls,
        status: int,
        value: Any,
        headers: Mapping[str, str] | None = None,
        execution_id: str | None = None,
    ) -> WebhookResponse:
        h = {"Content-Type": "application/json", **(headers or {})}
        return cls(status, dumps(value).encode("utf-8"), h, execution_id)

    @classmethod
    def error(
        cls,
        status: int,
        code: str,
        message: str,
        details: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> WebhookResponse:
        return cls.json(status, {"error": code, "message": message, "details": details}, headers)


@dataclass
class RunOutcome:
    """A finished execution: ``result`` is the ExecutionResult when it ran in-process;
    ``answer`` what a worker kept for the waiter otherwise
    (:meth:`engine.executor.ExecutionResult.answer`, through
    :meth:`engine.services.executions.RunHandle.answer`)."""

    execution_id: str
    status: str
    result: Any = None
    error: dict[str, Any] | None = None
    answer: dict[str, Any] | None = None

    def answered(self) -> dict[str, Any]:
        """The run's answer, wherever it ran (empty when none came back)."""
        if self.answer is not None:
            return self.answer
        return self.result.answer() if self.result is not None else {}


def output_items(outcome: RunOutcome) -> list[Item]:
    """The last node's items (their ``json``), as the run produced them."""
    return [Item(json=j) for j in outcome.answered().get("items") or []]


def respond_node_response(outcome: RunOutcome, extra: dict[str, str]) -> WebhookResponse | None:
    """The response a Respond to Webhook node set, or None if none ran."""
    answer = outcome.answered()
    resp: dict[str, Any] | None = answer.get("response")
    if not resp:
        return None
    att = answer.get("attachment")
    attachment = Binary.from_dict(att) if isinstance(att, dict) else None
    headers = {**extra, **{str(k): str(v) for k, v in (resp.get("headers") or {}).items()}}
    kind, body = resp.get("body_type", "json"), resp.get("body")
    status = int(resp.get("status") or 200)
    if kind == "json":
        data = dumps(body).encode("utf-8")
    elif kind == "text":
        data = str(body if body is not None else "").encode("utf-8")
    elif kind == "binary" and attachment is not None:
        data = attachment.content()
    else:
        data = b""
    return WebhookResponse(status, data, headers, outcome.execution_id)


# -- the trigger item --------------------------------------------------------------------
def request_item(params: Any, request: WebhookRequest, path_params: dict[str, str]) -> Item:
    """The trigger item ``{headers, params, query, body, method, path}`` (+ binary)."""
    body, binary = _parse_body(params, request)
    return Item(
        json={
            "headers": dict(request.headers),
            "params": dict(path_params),
            "query": dict(request.query),
            "body": body,
            "method": request.method.upper(),
            "path": request.path.strip("/"),
        },
        binary=binary or None,
    )


def _no_constant(name: str) -> Any:
    """NaN and Infinity are not JSON (Python's parser would accept them)."""
    raise ValueError(f"{name} is not a JSON value")


def _parse_body(params: Any, request: WebhookRequest) -> tuple[Any, dict[str, Binary]]:
    full = request.headers.get("content-type", "")
    ctype = full.split(";")[0].strip().lower()
    raw, prop = request.body, params.binary_property
    if not raw:
        return {}, {}
    if params.raw_body:
        return {}, {prop: Binary.from_bytes(raw, ctype or "application/octet-stream")}
    if ctype == "application/json" or ctype.endswith("+json"):
        try:
            return json.loads(raw, parse_constant=_no_constant), {}
        except (ValueError, RecursionError) as exc:
            raise BadWebhookRequest(
                f"The request body is not valid JSON ({exc}); send "
                "valid JSON or another Content-Type."
            ) from None
    if ctype == "application/x-www-form-urlencoded":
        return _flat(parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True)), {}
    if ctype == "multipart/form-data":
        return _multipart(full, raw, prop)
    if ctype.startswith("text/") or ctype in ("application/xml", "") or ctype.endswith("+xml"):
        try:
            return raw.decode("utf-8"), {}
        except UnicodeDecodeError:
            pass
    return {}, {prop: Binary.from_bytes(raw, ctype or "application/octet-stream")}


def _flat(values: dict[str, list[str]]) -> dict[str, Any]:
    return {k: v[0] if len(v) == 1 else v for k, v in values.items()}


def _multipart(content_type: str, raw: bytes, prop: str) -> tuple[Any, dict[str, Binary]]:
    from email.parser import BytesParser
    from email.policy import HTTP

    msg = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1", "replace") + b"\r\n\r\n" + raw
    )
    if not msg.is_multipart():
        raise BadWebhookRequest("The multipart body cannot be read; check its boundary.")
    fields: dict[str, list[str]] = {}
    files: dict[str, Binary] = {}
    for part in msg.iter_parts():
        name = part.get_param("name", header="content-disposition") or "file"
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is None:
            charset = part.get_content_charset() or "utf-8"
            fields.setdefault(str(name), []).append(data.decode(charset, "replace"))
        else:
            key = prop if not files else f"{prop}{len(files)}"
            files[key] = Binary.from_bytes(data, part.get_content_type(), filename)
    return _flat(fields), files
