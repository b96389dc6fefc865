"""Information Extractor (``ai.extract``) and Text Classifier (``ai.classify``) in the
node harness against the local LLM server, both wire protocols: fields come out typed as
the schema says; an answer that breaks the schema is sent back once with what is wrong
and then accepted or failed clearly; items leave by their category's output, an answer
outside the categories goes to 'other'; bad parameters are refused in plain words."""

from __future__ import annotations

import json
from typing import Any

import pytest

from engine.sdk.testing import NodeHarness
from tests.support.llm_server import LLMServer

KEY = "sk-extract-91c0"
FIELDS = [
    {"name": "customer", "type": "string", "description": "Who is billed"},
    {"name": "amount", "type": "number"},
    {"name": "due", "type": "string", "required": False},
]


def _run(llm: LLMServer, node: str, provider: str, params: dict[str, Any], items: list[Any]):  # type: ignore[no-untyped-def]
    base = llm.url if provider == "openai" else llm.url.removesuffix("/v1")
    return NodeHarness(node).run(
        {"provider": provider, **params},
        items,
        credentials={"model": {"base_url": base, "api_key": KEY, "model": "m-1"}},
        http_allow=["127.0.0.1/32"],
    )


def _reply(provider: str, data: Any) -> dict[str, Any]:
    """The model answering ``data`` as structured output, in the provider's way."""
    if provider == "anthropic":
        return {"tool": "output", "args": data}
    return {"text": json.dumps(data)}


def _schema_sent(provider: str, body: dict[str, Any]) -> dict[str, Any]:
    if provider == "anthropic":
        return dict(body["tools"][0]["input_schema"])
    return dict(body["response_format"]["json_schema"]["schema"])


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
def test_extract_outputs_the_fields_following_the_schema(llm: LLMServer, provider: str) -> None:
    llm.play(_reply(provider, {"customer": "ACME", "amount": 120.5}))
    res = _run(
        llm,
        "ai.extract",
        provider,
        {"prompt": "{{ $json.body }}", "fields": FIELDS},
        [{"body": "Invoice for ACME: 120.50 EUR", "id": 7}],
    )
    assert res.error is None, res.error
    out = res.json()[0]
    assert out["data"] == {"customer": "ACME", "amount": 120.5} and out["id"] == 7
    assert out["usage"]["total_tokens"] > 0
    schema = _schema_sent(provider, llm.requests[0].body)
    assert schema["required"] == ["customer", "amount"]
    assert schema["properties"]["customer"] == {"type": "string", "description": "Who is billed"}


def test_extract_repairs_once_then_fails_naming_the_problem(llm: LLMServer) -> None:
    llm.play(
        {"text": json.dumps({"customer": "ACME", "amount": "a lot"})},
        {"text": json.dumps({"customer": "ACME", "amount": 99})},
    )
    res = _run(llm, "ai.extract", "openai", {"prompt": "x", "fields": FIELDS}, [{}])
    assert res.error is None, res.error
    assert res.json()[0]["data"] == {"customer": "ACME", "amount": 99}
    told = llm.requests[1].body["messages"][-1]["content"]
    assert "amount: 'a lot' is not of type 'number'" in told
    assert res.json()[0]["usage"]["total_tokens"] > 0

    llm.play({"text": json.dumps({"amount": 1})})  # never gives the customer
    res = _run(llm, "ai.extract", "openai", {"prompt": "x", "fields": FIELDS}, [{}])
    assert res.error is not None and len(llm.requests) == 2
    assert "'customer' is a required property" in res.error.message
    assert "even after being told" in res.error.message


def test_extract_refuses_parameters_that_describe_nothing(llm: LLMServer) -> None:
    res = _run(llm, "ai.extract", "openai", {"prompt": "x"}, [{}])
    assert res.error is not None and "at least one field" in res.error.message
    res = _run(
        llm,
        "ai.extract",
        "openai",
        {
            "prompt": "x",
            "json_schema": {"type": "object", "properties": {"a": {"type": "nonsense"}}},
        },
        [{}],
    )
    assert res.error is not None and "JSON schema is not valid" in res.error.message
    assert llm.requests == []


CATEGORIES = [
    {"name": "billing", "description": "invoices, payments, refunds"},
    {"name": "technical", "description": "errors and outages"},
]


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
def test_classify_routes_each_item_to_its_categorys_output(llm: LLMServer, provider: str) -> None:
    def answer(body: dict[str, Any]) -> dict[str, Any]:
        text = json.dumps(body["messages"])
        if "charged twice" in text:
            return _reply(provider, {"category": "billing"})
        if "crashes" in text:
            return _reply(provider, {"category": "technical"})
        return _reply(provider, {"category": "other"})

    llm.play(answer)
    res = _run(
        llm,
        "ai.classify",
        provider,
        {"prompt": "{{ $json.msg }}", "categories": CATEGORIES},
        [{"msg": "I was charged twice"}, {"msg": "The app crashes"}, {"msg": "Nice swag!"}],
    )
    assert res.error is None, res.error
    assert [o["msg"] for o in res.json("category_0")] == ["I was charged twice"]
    assert [o["msg"] for o in res.json("category_1")] == ["The app crashes"]
    assert [o["msg"] for o in res.json("other")] == ["Nice swag!"]
    assert res.json("category_0")[0]["category"] == "billing"
    enum = _schema_sent(provider, llm.requests[0].body)["properties"]["category"]["enum"]
    assert enum == ["billing", "technical", "other"]


def test_classify_an_answer_outside_the_categories(llm: LLMServer) -> None:
    llm.play({"text": json.dumps({"category": "sales"})})
    res = _run(llm, "ai.classify", "openai", {"prompt": "x", "categories": CATEGORIES}, [{}])
    assert res.error is None and res.json("other")[0]["category"] == "other"
    assert len(llm.requests) == 2  # told once
    llm.play({"text": json.dumps({"category": "sales"})})
    res = _run(
        llm,
        "ai.classify",
        "openai",
        {"prompt": "x", "categories": CATEGORIES, "other_output": False},
        [{}],
    )
    assert res.error is not None
    assert "did not choose one of the categories (billing, technical)" in res.error.message


def test_classify_outputs_follow_the_categories() -> None:
    from engine.sdk import get_catalog

    spec = get_catalog().get("ai.classify")
    assert spec.outputs_for is not None
    ports = spec.outputs_for({"categories": CATEGORIES, "other_output": True})
    assert [(p.name, p.title) for p in ports] == [
        ("category_0", "billing"),
        ("category_1", "technical"),
        ("other", "Other"),
    ]
