"""A Node-RED-shaped flow built from the new nodes answers real HTTP requests.

Webhook (``http in``) → Code (JavaScript, Node-RED style: ``function``) → Template
(mustache) → Respond to Webhook (``http response``), run by the studio's webhook
endpoint with the JavaScript in the sandbox processes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.testclient import TestClient

FUNCTION = """
msg.payload = {
  name: (msg.query.name || 'stranger').trim(),
  items: (msg.body && msg.body.items) || [],
};
msg.payload.count = msg.payload.items.length;
return msg;
"""

TEMPLATE = (
    "<h1>Hello {{payload.name}}</h1><p>{{payload.count}} items:"
    "{{#payload.items}} <b>{{.}}</b>{{/payload.items}}</p>"
)


def _flow() -> dict[str, Any]:
    return {
        "name": "Node-RED style",
        "nodes": [
            {
                "name": "http in",
                "type": "core.webhook_trigger",
                "parameters": {
                    "path": "hello",
                    "http_method": "POST",
                    "response_mode": "respond_node",
                },
            },
            {
                "name": "function",
                "type": "core.code_js",
                "parameters": {"style": "node_red", "code": FUNCTION},
            },
            {
                "name": "template",
                "type": "core.template",
                "parameters": {"template": TEMPLATE, "output_field": "payload"},
            },
            {
                "name": "http response",
                "type": "core.respond_to_webhook",
                "parameters": {
                    "respond_with": "text",
                    "response_body": "{{ $json.payload }}",
                    "response_headers": [
                        {"name": "Content-Type", "value": "text/html; charset=utf-8"}
                    ],
                },
            },
        ],
        "connections": [
            {"source": "http in", "target": "function"},
            {"source": "function", "target": "template"},
            {"source": "template", "target": "http response"},
        ],
    }


def test_http_in_function_template_http_response(
    client: TestClient, create: Callable[..., str]
) -> None:
    create(_flow(), activate=True)
    r = client.post("/webhook/hello?name=%20Ann%20", json={"items": ["pen", "<ink>"]})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/html")
    assert r.text == "<h1>Hello Ann</h1><p>2 items: <b>pen</b> <b>&lt;ink&gt;</b></p>"
    r = client.post("/webhook/hello")
    assert r.text == "<h1>Hello stranger</h1><p>0 items:</p>"
