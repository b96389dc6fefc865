"""Pagination: fetch page after page until the API says there is no more (or a limit)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import replace
from urllib.parse import urljoin

from engine.sdk import NodeExecutionError
from nodes.core.http_request._request import RequestParts, text_value
from nodes.core.http_request._response import Page, get_path, is_empty, response_value
from nodes.core.http_request.spec import HttpRequestParams

__all__ = ["fetch_pages"]


def _with_param(parts: RequestParts, p: HttpRequestParams, value: object) -> RequestParts:
    """A copy of ``parts`` with the page/cursor parameter set to ``value``."""
    name = p.page_parameter
    if p.page_parameter_in == "query":
        query = [(k, v) for k, v in parts.query if k != name] + [(name, text_value(value))]
        return replace(parts, query=query)
    if not parts.has_json or not isinstance(parts.json_body, dict):
        raise NodeExecutionError(
            "Pagination parameter 'in body' needs the 'json' body type with an object body. "
            "Send it in the query instead, or switch the body type to JSON."
        )
    body = copy.deepcopy(parts.json_body)
    body[name] = value
    return replace(parts, json_body=body)


def _page_is_empty(page: Page, p: HttpRequestParams) -> bool:
    if page.binary is not None:
        return not page.binary.data
    if p.split_field:
        found, target = get_path(page.body, p.split_field)
        return not found or is_empty(target)
    return is_empty(page.body)


def fetch_pages(
    send: Callable[[RequestParts], Page],
    parts: RequestParts,
    p: HttpRequestParams,
    pause: Callable[[float], None],
) -> list[Page]:
    """Sends the request, then follows the pagination mode; returns the pages to output.

    ``send`` performs one request; ``pause`` sleeps (cancellably) between pages.
    """
    if p.pagination == "off":
        return [send(parts)]
    pages: list[Page] = []
    seen: set[str] = set()
    counter = p.page_start
    current = _with_param(parts, p, counter) if p.pagination == "page" else parts
    while True:
        page = send(current)
        if p.pagination == "page":
            if p.complete_when == "empty_response" and _page_is_empty(page, p):
                break
            pages.append(page)
            if p.complete_when == "field_empty" and is_empty(response_value(page, p.stop_field)):
                break
        else:
            pages.append(page)
        if len(pages) >= p.max_pages:
            break
        nxt = _next_request(page, current, p, counter + p.page_increment, seen)
        if nxt is None:
            break
        current, counter = nxt, counter + p.page_increment
        if p.page_interval_ms:
            pause(p.page_interval_ms / 1000)
    return pages


def _next_request(
    page: Page, current: RequestParts, p: HttpRequestParams, counter: int, seen: set[str]
) -> RequestParts | None:
    if p.pagination == "page":
        return _with_param(current, p, counter)
    if p.pagination == "cursor":
        cursor = response_value(page, p.cursor_field)
        if is_empty(cursor) or cursor is False:
            return None
        key = text_value(cursor)
        if key in seen:  # the API repeats itself: stop rather than loop forever
            return None
        seen.add(key)
        return _with_param(current, p, cursor)
    target = (
        page.next_link if p.pagination == "link_header" else response_value(page, p.next_url_field)
    )
    if is_empty(target) or not isinstance(target, str):
        return None
    url = urljoin(page.url, target.strip())
    if url in seen or url == page.url:
        return None
    seen.add(url)
    return replace(current, url=url, query=[])
