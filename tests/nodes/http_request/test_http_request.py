"""HTTP Request node against a real server on 127.0.0.1 (loopback allow-listed)."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from engine.sdk import Binary, Item
from engine.sdk.testing import HarnessResult, NodeHarness
from tests.net._tls import tls_server

__all__ = ["tls_server"]  # the fixture, imported for pytest

ALLOW = ["127.0.0.1/32"]


def run(parameters: dict[str, Any], input: Any = None, **kw: Any) -> HarnessResult:
    kw.setdefault("http_allow", ALLOW)
    return NodeHarness("core.http_request").run(
        parameters=parameters, input=[{}] if input is None else input, **kw
    )


def ok(parameters: dict[str, Any], input: Any = None, **kw: Any) -> list[dict[str, Any]]:
    res = run(parameters, input, **kw)
    assert res.error is None, res.error
    return res.json()


# -- request building -------------------------------------------------------------------


def test_get_with_query_and_headers(server: str) -> None:
    [echo] = ok(
        {
            "url": f"{server}/echo?x=0",
            "query": [
                {"name": "q", "value": "a b"},
                {"name": "n", "value": 3},
                {"name": "flag", "value": True},
            ],
            "headers": [{"name": "X-Trace", "value": "t1"}],
        }
    )
    assert echo["method"] == "GET"
    assert echo["query"] == {"x": "0", "q": "a b", "n": "3", "flag": "true"}
    assert echo["headers"]["x-trace"] == "t1"
    assert echo["headers"]["user-agent"].startswith("AURA")


@pytest.mark.parametrize(
    ("fmt", "raw"),
    [
        ("repeat", "ids=1&ids=2"),
        ("brackets", "ids%5B%5D=1&ids%5B%5D=2"),
        ("indices", "ids%5B0%5D=1&ids%5B1%5D=2"),
        ("comma", "ids=1%2C2"),
    ],
)
def test_query_array_formats(server: str, fmt: str, raw: str) -> None:
    [echo] = ok(
        {"url": f"{server}/echo", "array_format": fmt, "query": [{"name": "ids", "value": [1, 2]}]}
    )
    assert echo["raw_query"] == raw


def test_json_body_from_fields_and_from_json(server: str) -> None:
    [echo] = ok(
        {
            "url": f"{server}/echo",
            "method": "POST",
            "body_type": "json",
            "body_fields": [{"name": "a", "value": 1}, {"name": "b", "value": [1, 2]}],
        }
    )
    assert echo["headers"]["content-type"] == "application/json"
    assert echo["body"] == '{"a":1,"b":[1,2]}'
    [echo] = ok(
        {
            "url": f"{server}/echo",
            "method": "PUT",
            "body_type": "json",
            "json_body": '{"nested": {"x": true}}',
        }
    )
    assert echo["method"] == "PUT" and echo["body"] == '{"nested":{"x":true}}'
    [echo] = ok(
        {"url": f"{server}/echo", "method": "PATCH", "body_type": "json", "json_body": [1, "two"]}
    )
    assert echo["body"] == '[1,"two"]'


def test_form_urlencoded_body(server: str) -> None:
    [echo] = ok(
        {
            "url": f"{server}/echo",
            "method": "POST",
            "body_type": "form_urlencoded",
            "body_fields": [
                {"name": "name", "value": "Ada L"},
                {"name": "tag", "value": ["x", "y"]},
            ],
        }
    )
    assert echo["headers"]["content-type"] == "application/x-www-form-urlencoded"
    assert echo["body"] == "name=Ada+L&tag=x&tag=y"


def test_multipart_with_text_and_file(server: str) -> None:
    item = {
        "json": {},
        "binary": {"doc": Binary.from_bytes(b"PDFDATA", "application/pdf", "a.pdf").to_dict()},
    }
    [echo] = ok(
        {
            "url": f"{server}/echo",
            "method": "POST",
            "body_type": "multipart",
            "body_fields": [
                {"name": "title", "value": "Report"},
                {"name": "upload", "kind": "file", "binary_property": "doc"},
            ],
        },
        input=[item],
    )
    assert echo["headers"]["content-type"].startswith("multipart/form-data; boundary=")
    body = echo["body"]
    assert 'name="title"' in body and "Report" in body
    assert 'name="upload"; filename="a.pdf"' in body and "Content-Type: application/pdf" in body
    assert "PDFDATA" in body


def test_raw_and_binary_bodies(server: str) -> None:
    [echo] = ok(
        {
            "url": f"{server}/echo",
            "method": "POST",
            "body_type": "raw",
            "raw_body": "<x>1</x>",
            "raw_content_type": "application/xml",
        }
    )
    assert echo["body"] == "<x>1</x>" and echo["headers"]["content-type"] == "application/xml"
    item = {
        "json": {},
        "binary": {"data": Binary.from_bytes(b"\x00\xffraw", "image/png", "p.png").to_dict()},
    }
    [echo] = ok({"url": f"{server}/echo", "method": "POST", "body_type": "binary"}, [item])
    assert base64.b64decode(echo["body_b64"]) == b"\x00\xffraw"
    assert echo["headers"]["content-type"] == "image/png"


def test_missing_binary_property_is_a_clear_error(server: str) -> None:
    res = run(
        {
            "url": f"{server}/echo",
            "method": "POST",
            "body_type": "binary",
            "binary_property": "file",
        }
    )
    assert res.error is not None and "no binary property 'file'" in res.error.message


# -- authentication ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "cred", "header", "value"),
    [
        ("header_auth", {"name": "X-Key", "value": "k1"}, "x-key", "k1"),
        ("bearer", {"token": "tok"}, "authorization", "Bearer tok"),
        ("oauth2", {"access_token": "at", "token_type": "bearer"}, "authorization", "Bearer at"),
        ("api_key", {"key": "k2"}, "x-api-key", "k2"),
        (
            "api_key",
            {"key": "k3", "name": "Authorization", "prefix": "Token"},
            "authorization",
            "Token k3",
        ),
        (
            "basic_auth",
            {"user": "ada", "password": "pw"},
            "authorization",
            "Basic " + base64.b64encode(b"ada:pw").decode(),
        ),
    ],
)
def test_auth_kinds_in_headers(
    server: str, kind: str, cred: dict[str, Any], header: str, value: str
) -> None:
    [echo] = ok({"url": f"{server}/echo", "authentication": kind}, credentials={"auth": cred})
    assert echo["headers"][header] == value


def test_api_key_in_query_survives_pagination(server: str) -> None:
    out = ok(
        {
            "url": f"{server}/next",
            "authentication": "api_key",
            "pagination": "next_url",
            "full_response": True,
        },
        credentials={"auth": {"key": "k4", "name": "api_key", "in": "query"}},
    )
    assert len(out) == 3
    assert all("api_key=k4" in o["url"] for o in out)


def test_basic_auth_against_protected_route(server: str) -> None:
    assert ok(
        {"url": f"{server}/basic", "authentication": "basic_auth"},
        credentials={"auth": {"username": "ada", "password": "s3cret"}},
    ) == [{"user": "ada"}]
    res = run(
        {"url": f"{server}/basic", "authentication": "basic_auth"},
        credentials={"auth": {"username": "ada", "password": "nope"}},
    )
    assert res.error is not None and "401" in res.error.message
    assert "credential" in res.error.message


def test_oauth2_without_token_asks_to_reconnect(server: str) -> None:
    res = run(
        {"url": f"{server}/echo", "authentication": "oauth2"},
        credentials={"auth": {"client_id": "x"}},
    )
    assert res.error is not None and "reconnect" in res.error.message


def test_missing_credential_is_reported(server: str) -> None:
    res = run({"url": f"{server}/echo", "authentication": "bearer"})
    assert res.error is not None and "auth" in res.error.message


# -- responses --------------------------------------------------------------------------


def test_response_formats(server: str) -> None:
    assert ok({"url": f"{server}/text"}) == [{"data": "hello world"}]
    assert ok({"url": f"{server}/html", "output_field": "page"}) == [{"page": "<h1>hi</h1>"}]
    assert ok({"url": f"{server}/list", "split_into_items": False}) == [
        {"data": [{"id": 1}, {"id": 2}, 3]}
    ]
    assert ok({"url": f"{server}/list"}) == [{"id": 1}, {"id": 2}, {"data": 3}]
    assert ok({"url": f"{server}/nested", "split_field": "data.results"}) == [
        {"n": "a"},
        {"n": "b"},
    ]
    assert ok({"url": f"{server}/empty", "method": "DELETE"}) == [{}]
    assert ok({"url": f"{server}/echo", "method": "HEAD"}) == [{}]
    assert ok({"url": f"{server}/badjson"}) == [{"data": "{not json"}]
    assert ok({"url": f"{server}/nested", "response_format": "text"}) == [
        {"data": '{"data": {"results": [{"n": "a"}, {"n": "b"}]}, "total": 2}'}
    ]


def test_forced_json_on_invalid_body_fails(server: str) -> None:
    res = run({"url": f"{server}/badjson", "response_format": "json"})
    assert res.error is not None and "not valid JSON" in res.error.message


def test_file_response_becomes_binary(server: str, pdf: bytes) -> None:
    res = run({"url": f"{server}/file"})
    [item] = res.outputs["main"]
    assert item.json == {}
    assert item.binary is not None
    b = item.binary["data"]
    assert b.content() == pdf and b.mime_type == "application/pdf"
    assert b.file_name == "report 1.pdf" and b.file_size == len(pdf)
    res = run({"url": f"{server}/image", "output_field": "img", "full_response": True})
    [item] = res.outputs["main"]
    assert item.binary is not None and item.binary["img"].file_name == "image"
    assert item.json["status_code"] == 200 and item.json["body"] is None


def test_binary_format_forced_on_json(server: str) -> None:
    res = run({"url": f"{server}/nested", "response_format": "binary"})
    [item] = res.outputs["main"]
    assert item.binary is not None and item.binary["data"].mime_type == "application/json"


def test_full_response(server: str) -> None:
    [r] = ok({"url": f"{server}/nested", "full_response": True})
    assert r["status_code"] == 200 and r["status_message"] == "OK"
    assert r["headers"]["content-type"] == "application/json"
    assert r["body"]["total"] == 2 and r["url"] == f"{server}/nested"


def test_error_status_fails_with_excerpt(server: str) -> None:
    res = run({"url": f"{server}/status/500?pad=1000"})
    assert res.error is not None
    msg = res.error.message
    assert "failed with 500" in msg and "status 500" in msg and "try again later" in msg
    assert len(msg) < 700
    assert res.error.details["status_code"] == 500
    res = run({"url": f"{server}/status/429"})
    assert res.error is not None and "Batch size" in res.error.message


def test_never_error_outputs_error_responses(server: str) -> None:
    assert ok({"url": f"{server}/status/404", "never_error": True}) == [
        {"error": "status 404", "detail": ""}
    ]
    [r] = ok({"url": f"{server}/status/503", "never_error": True, "full_response": True})
    assert r["status_code"] == 503 and r["body"]["error"] == "status 503"


def test_continue_on_error_keeps_other_items(server: str) -> None:
    res = run({"url": f"{server}/status/404"}, [{"a": 1}], on_error="continue")
    assert res.error is None
    [item] = res.json()
    assert item["a"] == 1 and "404" in item["error"]["message"]


def test_response_size_limit(server: str) -> None:
    res = run({"url": f"{server}/big?n=2000000", "max_response_mb": 1})
    assert res.error is not None and "larger than 1 MB" in res.error.message


# -- transport --------------------------------------------------------------------------


def test_timeout(server: str) -> None:
    res = run({"url": f"{server}/slow?s=2", "timeout_s": 0.2})
    assert res.error is not None and "timed out after 0.2 s" in res.error.message


def test_redirects(server: str) -> None:
    assert ok({"url": f"{server}/redirect?to=/nested"})[0]["total"] == 2
    [r] = ok(
        {"url": f"{server}/redirect?to=/nested", "follow_redirects": False, "full_response": True}
    )
    assert r["status_code"] == 302 and r["headers"]["location"] == "/nested"
    res = run({"url": f"{server}/loop", "max_redirects": 3})
    assert res.error is not None and "redirected too many times" in res.error.message


def test_redirect_to_metadata_address_is_refused(server: str) -> None:
    res = run({"url": f"{server}/redirect?to=http://169.254.169.254/latest/meta-data/"})
    assert res.error is not None and "link-local" in res.error.message
    assert "AURA_HTTP_ALLOW" in res.error.message


def test_loopback_refused_without_allow_list(server: str) -> None:
    res = run({"url": f"{server}/echo"}, http_allow=[])
    assert res.error is not None and "loopback" in res.error.message


def test_connection_refused_is_explained() -> None:
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    res = run({"url": f"http://127.0.0.1:{port}/"})
    assert res.error is not None and "could not connect" in res.error.message


def test_url_without_scheme() -> None:
    res = run({"url": "example.com/path"})
    assert res.error is not None and "https://" in res.error.message


# -- items, batching --------------------------------------------------------------------


def test_one_request_per_item_with_lineage(server: str) -> None:
    res = run({"url": f"{server}/list"}, [{"n": 1}, {"n": 2}])
    items: list[Item] = res.outputs["main"]
    assert len(items) == 6
    assert [i.paired_item[0].item for i in items if i.paired_item] == [0, 0, 0, 1, 1, 1]


def test_empty_input_sends_nothing(server: str) -> None:
    res = run({"url": f"{server}/echo"}, input={"main": []})
    assert res.error is None and res.json() == []


def test_batching_pauses_between_batches(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.executor.context import ExecContext

    slept: list[float] = []
    monkeypatch.setattr(ExecContext, "sleep", lambda self, s: slept.append(s))
    out = ok(
        {"url": f"{server}/echo", "batch_size": 2, "batch_interval_ms": 250}, [{}, {}, {}, {}, {}]
    )
    assert len(out) == 5
    assert slept == [0.25, 0.25]


# -- pagination -------------------------------------------------------------------------


def test_pagination_next_url(server: str) -> None:
    out = ok({"url": f"{server}/next", "pagination": "next_url", "split_field": "items"})
    assert [(o["p"], o["i"]) for o in out] == [(1, 0), (1, 1), (2, 0), (2, 1), (3, 0), (3, 1)]
    out = ok(
        {
            "url": f"{server}/next",
            "pagination": "next_url",
            "next_url_field": "$response.body.next",
            "max_pages": 2,
        }
    )
    assert len(out) == 2 and out[1]["items"][0]["p"] == 2


def test_pagination_page_number_until_empty(server: str) -> None:
    out = ok({"url": f"{server}/numbered", "pagination": "page"})
    assert [o["p"] for o in out] == [1, 1, 2, 2, 3, 3]
    out = ok(
        {
            "url": f"{server}/numbered",
            "pagination": "page",
            "method": "POST",
            "body_type": "json",
            "json_body": {"filter": "x"},
            "page_parameter_in": "body",
            "max_pages": 2,
        }
    )
    assert [o["p"] for o in out] == [1, 1, 2, 2]


def test_pagination_offset_until_field_empty(server: str) -> None:
    out = ok(
        {
            "url": f"{server}/offset",
            "pagination": "page",
            "page_parameter": "offset",
            "page_start": 0,
            "page_increment": 2,
            "split_field": "data",
            "query": [{"name": "limit", "value": 2}],
        }
    )
    assert [o["n"] for o in out] == [0, 1, 2, 3, 4]
    out = ok(
        {
            "url": f"{server}/offset",
            "pagination": "page",
            "page_parameter": "offset",
            "page_start": 0,
            "page_increment": 2,
            "complete_when": "field_empty",
            "stop_field": "more",
        }
    )
    assert [[d["n"] for d in o["data"]] for o in out] == [[0, 1], [2, 3], [4]]


def test_pagination_link_header_and_cursor(server: str) -> None:
    assert ok({"url": f"{server}/linked", "pagination": "link_header"}) == [
        {"page": 1},
        {"page": 2},
        {"page": 3},
    ]
    assert ok(
        {
            "url": f"{server}/cursor",
            "pagination": "cursor",
            "page_parameter": "cursor",
            "cursor_field": "meta.next_cursor",
        }
    ) == [
        {"value": 1, "meta": {"next_cursor": "c1"}},
        {"value": 2, "meta": {"next_cursor": "c2"}},
        {"value": 3, "meta": {"next_cursor": None}},
    ]


def test_pagination_stops_at_max_pages(server: str) -> None:
    out = ok({"url": f"{server}/forever", "pagination": "next_url", "max_pages": 4})
    assert len(out) == 4


# -- TLS --------------------------------------------------------------------------------


def test_self_signed_certificate_needs_ignore_ssl_issues(tls_server: tuple[int, Any]) -> None:
    port, _ = tls_server
    res = run({"url": f"https://localhost:{port}/"})
    assert res.error is not None and "Ignore SSL issues" in res.error.message
    res = run({"url": f"https://localhost:{port}/", "ignore_ssl_issues": True})
    assert res.error is None and res.json() == [{"data": "sni=localhost"}]


# -- expressions ------------------------------------------------------------------------


def _has_expressions() -> bool:
    try:
        from engine.expressions import evaluate_value  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.skipif(not _has_expressions(), reason="the expression engine is not there yet")
def test_parameters_are_evaluated_per_item(server: str) -> None:
    out = ok(
        {
            "url": server + "/echo?n={{ $json.n }}",
            "method": "POST",
            "body_type": "json",
            "json_body": "{{ $json }}",
        },
        [{"n": 1}, {"n": 2}],
    )
    assert [o["query"]["n"] for o in out] == ["1", "2"]
    assert [o["body"] for o in out] == ['{"n":1}', '{"n":2}']
