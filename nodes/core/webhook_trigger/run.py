"""Webhook Trigger: outputs the request item(s) the webhook layer passes in on ``main``."""

from __future__ import annotations

from engine.sdk import Item, NodeContext
from nodes.core.webhook_trigger.spec import WebhookParams


def execute(ctx: NodeContext) -> list[Item]:
    """The request items unchanged (``{headers, params, query, body, method, path}`` plus
    binary data); in a manual run without a request, one empty request item."""
    items = ctx.input("main")
    if items:
        return [Item(json=it.json, binary=it.binary) for it in items]
    p = ctx.params(0)
    assert isinstance(p, WebhookParams)
    ctx.log.info("No request was given: outputting an empty request. Call the webhook's "
                 "test URL to run with real data.")
    method = "GET" if p.http_method == "ANY" else p.http_method
    return [Item(json={"headers": {}, "params": {}, "query": {}, "body": {},
                       "method": method, "path": p.path})]
