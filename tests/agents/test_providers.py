"""The providers against a real local server speaking the OpenAI and Anthropic wire
protocols, through the real SDKs and AURA's SSRF-guarded client: tool calls out and back,
streaming, retries after 429 with Retry-After, and the key sent only as its header."""

from __future__ import annotations

import pytest

from engine.agents import MalformedToolCall, Message, ModelError, Tool, ToolDef, run_agent
from engine.errors import SSRFBlocked
from engine.net import safe_client
from engine.sdk.ai import chat_model
from tests.support.llm_server import LLMServer, last_tool_result

KEY = "sk-test-4e1f9a77"
WEATHER = ToolDef(
    "weather",
    "The weather in a city.",
    {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
)


def _model(llm: LLMServer, provider: str, **kw: object):  # type: ignore[no-untyped-def]
    base = llm.url if provider == "openai" else llm.url.removesuffix("/v1")
    return chat_model(
        provider,  # type: ignore[arg-type]
        {"base_url": base, "api_key": KEY, "model": "fake-1"},
        http=safe_client(),
        **kw,  # type: ignore[arg-type]
    )


def _answer_with_tool_result(body: dict[str, object]) -> dict[str, str]:
    return {"text": f"It is {last_tool_result(body)} there."}


@pytest.mark.parametrize(
    ("provider", "stream"),
    [("openai", False), ("openai", True), ("anthropic", False), ("anthropic", True)],
)
def test_the_model_calls_a_tool_and_answers_with_its_result(
    llm: LLMServer, provider: str, stream: bool
) -> None:
    llm.play({"tool": "weather", "args": {"city": "Oslo"}}, _answer_with_tool_result)
    asked: list[dict[str, object]] = []

    def weather(args: dict[str, object]) -> str:
        asked.append(args)
        return "sunny, 21 degrees"

    kw = {"stream": True} if stream else {}
    run = run_agent(
        _model(llm, provider, **kw),
        system="You are terse.",
        history=[],
        prompt="Weather in Oslo?",
        tools=[Tool(WEATHER, weather)],
    )
    assert asked == [{"city": "Oslo"}]
    assert run.answer == "It is sunny, 21 degrees there."
    assert run.model_calls == 2 and run.usage.input_tokens > 0 and run.usage.output_tokens > 0
    first, second = llm.requests
    path = "/v1/chat/completions" if provider == "openai" else "/v1/messages"
    assert first.path == second.path == path
    assert bool(first.body.get("stream")) is stream  # the answer really came as a stream
    # the tool was offered in the provider's own format; the key went only as its header
    if provider == "openai":
        assert first.body["tools"][0]["function"]["name"] == "weather"
        assert first.body["messages"][0] == {"role": "system", "content": "You are terse."}
        assert first.headers["authorization"] == f"Bearer {KEY}"
    else:
        assert first.body["tools"][0]["input_schema"]["required"] == ["city"]
        assert first.body["system"] == "You are terse."
    assert first.headers["authorization"] == f"Bearer {KEY}"
    assert KEY not in str(first.body) + str(second.body)


def test_bad_tool_arguments_and_unknown_tools_are_observations(llm: LLMServer) -> None:
    llm.play(
        {"tool": "weather", "raw_args": "{city: Oslo"},
        {"tool": "forecast", "args": {}},
        lambda body: {"text": "gave up: " + last_tool_result(body)},
    )
    run = run_agent(
        _model(llm, "openai"),
        system="",
        history=[],
        prompt="?",
        tools=[Tool(WEATHER, lambda a: "never")],
    )
    observations = [s["output"] for s in run.steps if s["type"] == "tool"]
    assert "must be a JSON object" in observations[0]
    assert "no tool named 'forecast'" in observations[1] and "weather" in observations[1]
    assert run.answer.startswith("gave up: Error: there is no tool named 'forecast'")


def test_rate_limited_calls_are_retried_after_retry_after(llm: LLMServer) -> None:
    llm.play({"status": 429, "retry_after": 0}, {"text": "done"})
    run = run_agent(
        _model(llm, "openai"),
        system="",
        history=[Message("user", "hi"), Message("assistant", "hello")],
        prompt="again",
        tools=[],
    )
    assert run.answer == "done" and len(llm.requests) == 2
    assert [m["content"] for m in llm.requests[1].body["messages"]] == ["hi", "hello", "again"]


def test_a_provider_that_keeps_failing_gives_a_clear_error(llm: LLMServer) -> None:
    llm.play({"status": 503, "retry_after": 0})
    with pytest.raises(ModelError) as err:
        run_agent(_model(llm, "anthropic", max_retries=1), system="", history=[], prompt="hi")
    assert "HTTP 503" in err.value.message and "try again later" in err.value.message
    assert KEY not in err.value.message
    assert len(llm.requests) == 2  # the call and one retry


def test_model_calls_obey_the_outbound_guard(
    llm: LLMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from engine.config import reset_settings

    monkeypatch.setenv("AURA_HTTP_ALLOW", "")
    reset_settings()
    llm.play({"text": "should not be reached"})
    for provider in ("openai", "anthropic"):
        with pytest.raises(SSRFBlocked) as err:
            run_agent(_model(llm, provider, max_retries=0), system="", history=[], prompt="hi")
        assert "AURA_HTTP_ALLOW" in err.value.message, err.value.message
    assert llm.requests == []


def test_a_server_that_is_down_gives_a_clear_error(llm: LLMServer) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    model = chat_model(
        "openai",
        {"base_url": f"http://127.0.0.1:{port}/v1", "api_key": KEY, "model": "m"},
        http=safe_client(),
        max_retries=1,
    )
    with pytest.raises(ModelError) as err:
        run_agent(model, system="", history=[], prompt="hi")
    assert "model call failed (APIConnectionError)" in err.value.message
    assert "Check the credential's base URL" in err.value.message


def test_unreadable_arguments_twice_in_a_row_end_the_run_clearly(llm: LLMServer) -> None:
    llm.play({"tool": "weather", "raw_args": "{city: Oslo"})  # every time
    with pytest.raises(MalformedToolCall) as err:
        run_agent(
            _model(llm, "openai"),
            system="",
            history=[],
            prompt="?",
            tools=[Tool(WEATHER, lambda a: "never")],
        )
    assert "not a JSON object, again after being told" in err.value.message
    assert "{city: Oslo" in err.value.message
    assert len(llm.requests) == 2  # one repair attempt
    assert "must be a JSON object" in last_tool_result(llm.requests[1].body)
