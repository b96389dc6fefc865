"""LLM: Message a Model (``ai.chat``) in the node harness against the local LLM server:
the answer and tokens per item, a JSON answer parsed into fields, a clear failure when
the answer is not JSON."""

from __future__ import annotations

import json

import pytest

from engine.sdk.testing import NodeHarness
from tests.support.llm_server import LLMServer

KEY = "sk-chat-5d2e"


def _run(llm: LLMServer, provider: str = "openai", **params: object):  # type: ignore[no-untyped-def]
    base = llm.url if provider == "openai" else llm.url.removesuffix("/v1")
    return NodeHarness("ai.chat").run(
        {"provider": provider, "prompt": "Summarise: {{ $json.text }}", **params},
        [{"text": "a long story"}, {"text": "another one"}],
        credentials={"model": {"base_url": base, "api_key": KEY, "model": "m-1"}},
        http_allow=["127.0.0.1/32"],
    )


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
def test_each_item_gets_the_models_answer_and_tokens(llm: LLMServer, provider: str) -> None:
    llm.play(lambda body: {"text": "short: " + str(body["messages"][-1]["content"])[11:]})
    res = _run(llm, provider, system_prompt="Be brief.")
    assert res.error is None, res.error
    out = [i.json for i in res.outputs["main"]]
    assert [o["text"] for o in out] == ["short: a long story", "short: another one"]
    assert all(o["usage"]["total_tokens"] > 0 and o["model"] == "m-1" for o in out)
    assert len(llm.requests) == 2 and all(KEY not in str(r.body) for r in llm.requests)


def test_json_output_is_parsed_or_fails_clearly(llm: LLMServer) -> None:
    llm.play({"text": '```json\n{"summary": "ok", "words": 3}\n```'})
    res = _run(llm, json_output=True)
    assert [i.json["data"] for i in res.outputs["main"]] == [{"summary": "ok", "words": 3}] * 2
    assert "one JSON object" in llm.requests[0].body["messages"][0]["content"]
    llm.play({"text": "Sorry, I can't."})
    res = _run(llm, json_output=True)
    assert res.error is not None
    assert 'did not answer with a JSON object: "Sorry, I can\'t."' in res.error.message


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
def test_structured_output_follows_the_schema(llm: LLMServer, provider: str) -> None:
    schema = {
        "type": "object",
        "required": ["city", "temp"],
        "properties": {"city": {"type": "string"}, "temp": {"type": "number"}},
    }
    answer = {"city": "Oslo", "temp": 21}
    llm.play(
        {"tool": "output", "args": answer}
        if provider == "anthropic"
        else {"text": json.dumps(answer)}
    )
    res = _run(llm, provider, json_schema=schema)
    assert res.error is None, res.error
    assert [i.json["data"] for i in res.outputs["main"]] == [answer, answer]
    sent = llm.requests[0].body
    if provider == "openai":
        assert sent["response_format"]["json_schema"]["schema"] == schema
    else:
        assert sent["tool_choice"] == {"type": "tool", "name": "output"}
        assert sent["tools"][0]["input_schema"] == schema
    llm.play({"text": json.dumps({"city": "Oslo"})})
    res = _run(llm, json_schema=schema)
    assert res.error is not None and "lacks the required field(s) temp" in res.error.message
