"""HTTP Request: one request (or one paginated series) per input item."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import httpx

from engine.sdk import AuraError, Item, NodeContext, NodeExecutionError
from nodes.core.http_request._paginate import fetch_pages
from nodes.core.http_request._request import RequestParts, build_request_parts
from nodes.core.http_request._response import Page, make_items, read_page
from nodes.core.http_request.spec import HttpRequestParams

_HINTS = {
    400: "The server rejected the request: check the body and parameters.",
    401: "Check the credential (it may be missing, wrong or expired).",
    403: "The credential is valid but not allowed to do this: check its permissions.",
    404: "Check the URL and the ids in it.",
    405: "Check the HTTP method.",
    408: "The server timed out: try again later.",
    409: "The request conflicts with the server's current state.",
    422: "The server could not process the body: check field names and types.",
    429: "Too many requests: use the 'Batch size' and 'Batch interval' options, or retry "
    "later (Settings → Retry on fail).",
}


def _where(url: str) -> str:
    """The URL without query string or user info, safe to show in messages and logs."""
    try:
        s = urlsplit(url)
        host = s.hostname or ""
        port = f":{s.port}" if s.port else ""
        return f"{s.scheme}://{host}{port}{s.path}"
    except ValueError:
        return url.split("?", 1)[0]


def _excerpt(page: Page) -> str:
    if page.binary is not None:
        return f"({page.binary.mime_type}, {page.binary.file_size} bytes)"
    body = page.body
    text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    text = " ".join((text or "").split())
    return text[:300] + ("…" if len(text) > 300 else "")


def _status_error(method: str, page: Page) -> NodeExecutionError:
    hint = _HINTS.get(page.status) or (
        "The server failed: try again later (Settings → Retry on fail)."
        if page.status >= 500
        else "Check the request."
    )
    excerpt = _excerpt(page)
    return NodeExecutionError(
        f"{method} {_where(page.url)} failed with {page.status} {page.reason}"
        f"{': ' + excerpt if excerpt else ''}. {hint} (Turn on 'Never error' to output "
        "error responses instead.)",
        details={"status_code": page.status, "body": excerpt, "headers": page.headers},
        error_type="HttpStatusError",
    )


def _transport_error(
    method: str, url: str, exc: httpx.HTTPError, timeout: float | None
) -> NodeExecutionError:
    where = f"{method} {_where(url)}"
    if isinstance(exc, httpx.TimeoutException):
        secs = f" after {timeout:g} s" if timeout else ""
        msg = (
            f"{where} timed out{secs}: the server did not answer in time. Raise "
            "'Timeout' or try again later."
        )
    elif isinstance(exc, httpx.TooManyRedirects):
        msg = f"{where} redirected too many times. Raise 'Max redirects' or check the URL."
    elif isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        msg = f"The URL {url!r} is not valid ({exc}). Use an http:// or https:// URL."
    elif isinstance(exc, httpx.ConnectError) and "CERTIFICATE_VERIFY_FAILED" in str(exc):
        msg = (
            f"{where}: the server's TLS certificate is not trusted ({exc}). If you trust "
            "this server, turn on 'Ignore SSL issues'."
        )
    elif isinstance(exc, httpx.ConnectError):
        msg = (
            f"{where}: could not connect ({exc}). Check the host name and port, and "
            "that the server is running."
        )
    else:
        msg = f"{where} failed: {exc}"
    return NodeExecutionError(msg, error_type=type(exc).__name__)


def _send(
    ctx: NodeContext, client: httpx.Client, parts: RequestParts, p: HttpRequestParams
) -> Page:
    ctx.check_cancelled()
    try:
        request = parts.build(client, timeout=p.timeout_s)
        response = client.send(
            request, stream=True, auth=parts.auth, follow_redirects=p.follow_redirects
        )
    except AuraError:
        raise
    except httpx.HTTPError as exc:
        raise _transport_error(parts.method, parts.url, exc, p.timeout_s) from None
    try:
        page = read_page(response, p.response_format, int(p.max_response_mb * 1_048_576))
    except httpx.HTTPError as exc:
        raise _transport_error(parts.method, parts.url, exc, p.timeout_s) from None
    finally:
        response.close()
    ctx.log.info("%s %s -> %s", parts.method, _where(page.url), page.status)
    if page.status >= 400 and not p.never_error:
        raise _status_error(parts.method, page)
    return page


def execute(ctx: NodeContext) -> dict[str, list[Item]]:
    """Sends one request (following pagination) per input item; outputs the responses."""
    if not ctx.input("main"):
        return {"main": []}
    first = ctx.params(0)
    assert isinstance(first, HttpRequestParams)
    cred_cache: dict[str, dict[str, Any]] = {}

    def credential(p: HttpRequestParams) -> dict[str, Any] | None:
        if p.authentication == "none":
            return None
        if "auth" not in cred_cache:
            cred_cache["auth"] = ctx.credentials("auth")
        return cred_cache["auth"]

    with ctx.http(
        follow_redirects=first.follow_redirects,
        max_redirects=first.max_redirects,
        verify=not first.ignore_ssl_issues,
    ) as client:

        def one(item: Item, i: int) -> list[Item]:
            p = ctx.params(i)
            assert isinstance(p, HttpRequestParams)
            if first.batch_size and i and i % first.batch_size == 0 and first.batch_interval_ms:
                ctx.sleep(first.batch_interval_ms / 1000)
            parts = build_request_parts(p, item, credential(p))
            pages = fetch_pages(lambda r: _send(ctx, client, r, p), parts, p, ctx.sleep)
            out: list[Item] = []
            for page in pages:
                out.extend(
                    make_items(
                        page,
                        full=p.full_response,
                        split=p.split_into_items,
                        split_field=p.split_field,
                        output_field=p.output_field,
                    )
                )
            return out

        return ctx.map(one)
