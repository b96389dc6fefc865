"""Respond to Webhook: the response handed to the webhook layer."""

from __future__ import annotations

from typing import Any

import pytest

from engine.sdk import Binary, Item, NodeExecutionError
from engine.sdk.testing import NodeHarness
from nodes.core.respond_to_webhook.run import build_response
from nodes.core.respond_to_webhook.spec import RespondParams

ITEMS = [Item(json={"id": 1}), Item(json={"id": 2})]
JSON = "application/json; charset=utf-8"


def respond(items: list[Item] = ITEMS, **kw: Any) -> dict[str, Any]:
    response, _ = build_response(RespondParams.model_validate(kw), items)
    return response


def test_first_item_json_by_default() -> None:
    assert respond() == {"status": 200, "headers": {"Content-Type": JSON}, "body": {"id": 1},
                         "body_type": "json", "binary_property": None}
    assert respond([])["body"] == {}


def test_all_items_wrapped_with_custom_status_and_header() -> None:
    r = respond(respond_with="all_items", response_key="data", response_code=202,
                response_headers=[{"name": "X-Count", "value": "2"}])
    assert r["status"] == 202
    assert r["body"] == {"data": [{"id": 1}, {"id": 2}]}
    assert r["headers"] == {"Content-Type": JSON, "X-Count": "2"}


def test_text_with_header_override_is_case_insensitive() -> None:
    r = respond(respond_with="text", response_body="<h1>hi</h1>",
                response_headers=[{"name": "content-type", "value": "text/html"}])
    assert r["body"] == "<h1>hi</h1>" and r["body_type"] == "text"
    assert r["headers"] == {"content-type": "text/html"}


def test_json_value_or_text() -> None:
    assert respond(respond_with="json", response_json={"ok": True})["body"] == {"ok": True}
    assert respond(respond_with="json", response_json="[1, 2]")["body"] == [1, 2]
    with pytest.raises(NodeExecutionError, match="not valid JSON"):
        respond(respond_with="json", response_json="{ok}")


def test_redirect_and_no_data() -> None:
    r = respond(respond_with="redirect", redirect_url="https://example.com/done")
    assert (r["status"], r["headers"], r["body"], r["body_type"]) == (
        307, {"Location": "https://example.com/done"}, None, "none")
    assert respond(respond_with="redirect", redirect_url="/x", response_code=302)["status"] == \
        302
    r = respond(respond_with="no_data", response_code=204)
    assert (r["status"], r["body"], r["body_type"], r["headers"]) == (204, None, "none", {})


def test_binary_response_carries_the_attachment() -> None:
    pdf = Binary.from_bytes(b"%PDF-1.4", "application/pdf", "invoice.pdf")
    items = [Item(json={}, binary={"file": pdf})]
    response, binary = build_response(
        RespondParams(respond_with="binary", binary_property="file"), items)
    assert response["body_type"] == "binary" and response["binary_property"] == "file"
    assert response["headers"]["Content-Type"] == "application/pdf"
    assert "invoice.pdf" in response["headers"]["Content-Disposition"]
    assert binary is not None and binary["file"].content() == b"%PDF-1.4"
    with pytest.raises(NodeExecutionError, match="it has: file"):
        build_response(RespondParams(respond_with="binary"), items)


def test_node_returns_response_under_the_agreed_key() -> None:
    """The executor pops ``_webhook_response`` from the outputs; check the node's own return."""
    import logging
    from types import SimpleNamespace

    from nodes.core.respond_to_webhook.run import execute

    ctx = SimpleNamespace(input=lambda port="main": ITEMS, log=logging.getLogger("test"),
                          params=lambda i=0: RespondParams(respond_with="all_items"))
    out = execute(ctx)  # type: ignore[arg-type]
    assert [i.json for i in out["main"]] == [{"id": 1}, {"id": 2}]
    [response] = out["_webhook_response"]
    assert response.json["body"] == [{"id": 1}, {"id": 2}]
    res = NodeHarness("core.respond_to_webhook").run({"respond_with": "all_items"},
                                                     [{"id": 1}])
    assert res.error is None and res.json("main") == [{"id": 1}]
