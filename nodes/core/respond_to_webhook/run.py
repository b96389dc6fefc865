"""Respond to Webhook: passes items on and hands the response to the webhook layer.

The response travels as one item on the undeclared key ``_webhook_response`` of the
node's output, which the executor/webhook layer picks up (and does not route)::

    {"status": 200, "headers": {"Content-Type": "..."}, "body": <JSON value|str|None>,
     "body_type": "json"|"text"|"binary"|"none", "binary_property": str|None}

For binary responses the attachment is the response item's binary data under
``binary_property``.
"""

from __future__ import annotations

import json
from typing import Any

from engine.sdk import Binary, Item, NodeContext, NodeExecutionError
from nodes.core.respond_to_webhook.spec import RESPONSE_KEY, RespondParams

JSON_TYPE = "application/json; charset=utf-8"
TEXT_TYPE = "text/plain; charset=utf-8"


def _json_value(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError as exc:
            raise NodeExecutionError(f"'Response JSON' is not valid JSON: {exc}. Check quotes "
                                     "and commas, or respond with 'text'.") from None
    return value


def _wrap(data: Any, key: str) -> Any:
    return {key: data} if key.strip() else data


def build_response(p: RespondParams, items: list[Item]) -> tuple[dict[str, Any],
                                                                 dict[str, Binary] | None]:
    """The response dict and, for binary responses, its attachment."""
    status = p.response_code or (307 if p.respond_with == "redirect" else 200)
    headers: dict[str, str] = {}
    body: Any = None
    body_type = "json"
    binary: dict[str, Binary] | None = None
    prop: str | None = None
    if p.respond_with == "first_item_json":
        body = _wrap(items[0].json if items else {}, p.response_key)
    elif p.respond_with == "all_items":
        body = _wrap([i.json for i in items], p.response_key)
    elif p.respond_with == "json":
        body = _json_value(p.response_json)
    elif p.respond_with == "text":
        body, body_type = p.response_body, "text"
        headers["Content-Type"] = TEXT_TYPE
    elif p.respond_with == "binary":
        att = (items[0].binary or {}).get(p.binary_property) if items else None
        if att is None:
            have = sorted((items[0].binary or {}) if items else {})
            raise NodeExecutionError(
                f"The first item has no binary attachment '{p.binary_property}' to send"
                + (f"; it has: {', '.join(have)}." if have else "; it has none.")
                + " Set 'binary property' to an existing attachment.")
        body_type, prop, binary = "binary", p.binary_property, {p.binary_property: att}
        headers["Content-Type"] = att.mime_type
        if att.file_name:
            headers["Content-Disposition"] = f'inline; filename="{att.file_name}"'
    elif p.respond_with == "redirect":
        body_type = "none"
        headers["Location"] = p.redirect_url.strip()
    else:
        body_type = "none"
    if body_type == "json":
        headers["Content-Type"] = JSON_TYPE
    for h in p.response_headers:
        for k in [k for k in headers if k.lower() == h.name.lower()]:
            del headers[k]
        headers[h.name] = h.value
    return ({"status": status, "headers": headers, "body": body, "body_type": body_type,
             "binary_property": prop}, binary)


def execute(ctx: NodeContext) -> dict[str, list[Item]]:
    """Main input items unchanged on ``main``; the response on ``_webhook_response``."""
    items = ctx.input("main")
    p = ctx.params(0)
    assert isinstance(p, RespondParams)
    response, binary = build_response(p, items)
    ctx.log.info("Webhook response: HTTP %s (%s)", response["status"], p.respond_with)
    return {"main": [it.derive(index=i) for i, it in enumerate(items)],
            RESPONSE_KEY: [Item(json=response, binary=binary)]}
