"""The n8n content and I/O nodes (Code, HTML, Extract From / Convert To File, HTTP Request,
Postgres/MySQL, Send Email) map onto their AURA nodes with the parameters
n8n's shape meant, per typeVersion; chains of them run through the executor with n8n's
results."""

from __future__ import annotations

from typing import Any

import pytest

from tests.interop._n8n import check_family, one


@pytest.mark.parametrize(
    ("type_", "version", "params", "target", "expected"),
    [
        (
            "code",
            2,
            {"jsCode": "return $input.all()", "mode": "runOnceForEachItem"},
            "core.code_js",
            {"style": "n8n", "mode": "each_item", "code": "return $input.all()"},
        ),
        (
            "html",
            1.2,
            {
                "operation": "extractHtmlContent",
                "dataPropertyName": "body",
                "extractionValues": {
                    "values": [
                        {
                            "key": "links",
                            "cssSelector": "a",
                            "returnValue": "attribute",
                            "attribute": "href",
                            "returnArray": True,
                        }
                    ]
                },
            },
            "core.html",
            {
                "operation": "extract",
                "field": "body",
                "extractions": [
                    {
                        "key": "links",
                        "selector": "a",
                        "return_value": "attribute",
                        "attribute": "href",
                        "return_array": True,
                    }
                ],
            },
        ),
        (
            "extractFromFile",
            1,
            {"operation": "pdf", "binaryPropertyName": "file"},
            "core.extract_from_file",
            {"format": "pdf", "binary_property": "file"},
        ),
        (
            "convertToFile",
            1.1,
            {"operation": "toText", "sourceProperty": "body", "options": {"fileName": "a.txt"}},
            "core.convert_to_file",
            {"format": "text", "source_field": "body", "file_name": "a.txt"},
        ),
        (
            "code",
            2,
            {"language": "python", "pythonCode": "return items"},
            "core.code",
            {"mode": "all_items", "code": "return items"},
        ),
        (
            "extractFromFile",
            1,
            {"operation": "csv", "binaryPropertyName": "file"},
            "core.csv",
            {"operation": "parse", "source": "binary", "binary_property": "file"},
        ),
        (
            "httpRequest",
            4.2,
            {
                "url": "https://x.test",
                "sendQuery": True,
                "specifyQuery": "json",
                "jsonQuery": '{"q": "a"}',
                "sendBody": True,
                "contentType": "form-urlencoded",
                "bodyParameters": {"parameters": [{"name": "k", "value": "v"}]},
            },
            "core.http_request",
            {
                "query": [{"name": "q", "value": "a"}],
                "body_type": "form_urlencoded",
                "body_fields": [{"name": "k", "value": "v"}],
            },
        ),
    ],
)
def test_family(
    type_: str, version: float, params: dict[str, Any], target: str, expected: dict[str, Any]
) -> None:
    check_family(type_, version, params, target, expected)


def test_sql_values_pasted_into_the_text_become_parameters() -> None:
    node, report = one(
        "postgres",
        2.5,
        {
            "operation": "executeQuery",
            "query": "=SELECT * FROM orders WHERE id = {{ $json.id }} AND note = '{{ $json.n }}'",
        },
    )
    assert node.type == "core.postgres"
    assert node.parameters["query"] == "SELECT * FROM orders WHERE id = $1 AND note = $2"
    assert node.parameters["parameters"] == ["{{ $json.id }}", "{{ $json.n }}"]
    assert any("parameters $1" in n for n in report.info)  # the same query, safer
    assert report.status == "mapped"
    node, report = one(
        "mySql", 2.4, {"operation": "executeQuery", "query": "DESCRIBE {{ $json.table }};"}
    )
    assert node.type == "core.placeholder" and "table or column name" in report.notes[0]
    node, report = one("mySql", 2.4, {"operation": "executeQuery", "query": "{{ $json.q }}"})
    assert node.type == "core.placeholder" and "whole statement" in report.notes[0]


def test_send_email_maps_addresses_and_bodies() -> None:
    node, _ = one(
        "emailSend",
        2.1,
        {
            "fromEmail": "shop@x.test",
            "toEmail": "={{ $json.to }}",
            "subject": "=Re: {{ $json.s }}",
            "html": "<b>Hi</b>",
            "options": {"ccEmail": "boss@x.test"},
        },
    )
    assert node.type == "core.send_email"
    assert {k: node.parameters[k] for k in ("to_email", "subject", "html", "cc")} == {
        "to_email": "{{ $json.to }}",
        "subject": "Re: {{ $json.s }}",
        "html": "<b>Hi</b>",
        "cc": "boss@x.test",
    }


def test_a_template_code_node_using_require_crypto_runs() -> None:
    """FlowScribe Lite (a fixture template) gives each request an id with
    require('crypto').randomUUID() in its Code node."""
    import re
    from pathlib import Path

    from engine.interop import import_path
    from engine.sdk.testing import NodeHarness

    name = "Instagram_Twitter_Social_Media__FlowScribe_Lite_-_AI_Content_Repurposing_4_Platforms"
    path = Path("/work/shared/fixtures/n8n") / f"{name}.json"
    if not path.is_file():
        pytest.skip("workflow fixtures not here")
    [res] = import_path(path)
    assert res.workflow is not None
    node = res.workflow.node("Validate Input")
    assert node.type == "core.code_js" and "require('crypto')" in node.parameters["code"]
    body = {"content": "A long enough article about workflow automation in Python.", "title": "T"}
    out = NodeHarness("core.code_js").run(node.parameters, [{"body": body}])
    assert out.error is None, out.error
    [item] = out.json()
    assert item["title"] == "T" and item["content"] == body["content"]
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", item["requestId"]
    )
