"""LLM providers behind one small interface, :class:`ChatModel`: ``complete()`` sends a
conversation (with the tools the model may call) and returns a :class:`Reply`.

* :class:`OpenAIChat`: the ``openai`` SDK's Chat Completions, with a base URL, so it also
  talks to Ollama, vLLM, LM Studio, OpenRouter and other compatible servers.
* :class:`AnthropicChat`: the ``anthropic`` SDK's Messages API.

Both can stream (the reply is assembled from the events, tool calls included); a
model's ``on_text`` callback, when set, gets each piece of answer text as it arrives
(the chat trigger shows answers while they are written).

Both send through an ``httpx2`` client given by the caller (AURA's SSRF-guarded one, see
:mod:`engine.net.bridge`). Retries with backoff honouring ``Retry-After`` on 429
and 5xx are the SDKs' own (``max_retries``). A provider failure becomes a
:class:`ModelError` whose message never contains the API key.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import httpx2

from engine.agents.types import Message, Reply, ToolCall, ToolDef, Usage
from engine.errors import AuraError

__all__ = ["AnthropicChat", "ChatModel", "ModelError", "OpenAIChat", "parse_arguments"]


OUTPUT_TOOL = "output"
"""The tool Anthropic models are made to call for structured output."""


class ModelError(AuraError):
    """The model provider refused or failed a call (after the SDK's retries)."""

    code = "model_error"
    http_status = 502


class ChatModel(Protocol):
    """One model of one provider."""

    model: str

    def complete(
        self,
        system: str,
        messages: Sequence[Message],
        tools: Sequence[ToolDef] = (),
        *,
        schema: dict[str, Any] | None = None,
    ) -> Reply:
        """The model's next reply to ``messages`` (after the ``system`` prompt). With
        ``schema`` (a JSON Schema of an object) the reply's text is a JSON object meant to
        follow it (structured output; no tools then)."""
        ...


def parse_arguments(raw: str) -> dict[str, Any] | None:
    """A tool call's arguments as a JSON object, or None when they are not one."""
    try:
        value = json.loads(raw or "{}")
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


def _failure(provider: str, exc: Exception) -> AuraError:
    """What the user sees of a failed call: the outbound guard's own refusal (it says
    what to allow), or a :class:`ModelError` naming the HTTP status or the error."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, AuraError):  # e.g. SSRFBlocked, raised inside the SDK
            return cause
        cause = cause.__cause__ or cause.__context__
    status = getattr(exc, "status_code", None)
    what = f"HTTP {status}" if status else type(exc).__name__
    detail = getattr(exc, "message", None) or str(exc)
    return ModelError(
        f"The {provider} model call failed ({what}): {detail}. Check the credential's base "
        "URL, key and model name, or try again later if the provider is overloaded.",
        details={"provider": provider, "status": status},
    )


class OpenAIChat:
    """Chat Completions of an OpenAI-compatible server."""

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str,
        model: str,
        http_client: httpx2.Client,
        max_retries: int = 2,
        temperature: float | None = None,
        stream: bool = False,
    ) -> None:
        import openai

        self.model = model
        self.stream = stream
        self.temperature = temperature
        self.on_text: Callable[[str], None] | None = None
        self._errors = (openai.OpenAIError,)
        self._client = openai.OpenAI(
            api_key=api_key or "none",
            base_url=base_url,
            http_client=http_client,
            max_retries=max_retries,
        )

    @staticmethod
    def wire_messages(system: str, messages: Sequence[Message]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = [{"role": "system", "content": system}] if system else []
        for m in messages:
            if m.role == "tool":
                out.append({"role": "tool", "tool_call_id": m.tool_call_id, "content": m.content})
            elif m.role == "assistant" and m.tool_calls:
                out.append(
                    {
                        "role": "assistant",
                        "content": m.content or None,
                        "tool_calls": [
                            {
                                "id": c.id,
                                "type": "function",
                                "function": {
                                    "name": c.name,
                                    "arguments": c.raw or json.dumps(c.arguments or {}),
                                },
                            }
                            for c in m.tool_calls
                        ],
                    }
                )
            else:
                out.append({"role": m.role, "content": m.content})
        return out

    def complete(
        self,
        system: str,
        messages: Sequence[Message],
        tools: Sequence[ToolDef] = (),
        *,
        schema: dict[str, Any] | None = None,
    ) -> Reply:
        kwargs: dict[str, Any] = {
            "model": self.model,
            "messages": self.wire_messages(system, messages),
        }
        if tools:
            kwargs["tools"] = [
                {
                    "type": "function",
                    "function": {
                        "name": t.name,
                        "description": t.description,
                        "parameters": t.parameters,
                    },
                }
                for t in tools
            ]
        if schema is not None:
            kwargs["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "output", "schema": schema},
            }
        if self.temperature is not None:
            kwargs["temperature"] = self.temperature
        try:
            if self.stream:
                return self._streamed(kwargs)
            r = self._client.chat.completions.create(**kwargs)
        except self._errors as exc:
            raise _failure("OpenAI-compatible", exc) from None
        choice = r.choices[0]
        calls = tuple(
            ToolCall(
                c.id,
                c.function.name,
                parse_arguments(c.function.arguments),
                c.function.arguments or "",
            )
            for c in choice.message.tool_calls or ()
            if getattr(c, "function", None)
        )
        usage = Usage(r.usage.prompt_tokens, r.usage.completion_tokens) if r.usage else Usage()
        return Reply(
            choice.message.content or "",
            calls,
            usage,
            r.model or self.model,
            choice.finish_reason or "",
        )

    def _streamed(self, kwargs: dict[str, Any]) -> Reply:
        text: list[str] = []
        parts: dict[int, dict[str, str]] = {}
        usage, finish, model = Usage(), "", self.model
        stream = self._client.chat.completions.create(
            **kwargs, stream=True, stream_options={"include_usage": True}
        )
        for chunk in stream:
            model = chunk.model or model
            if chunk.usage:
                usage = Usage(chunk.usage.prompt_tokens, chunk.usage.completion_tokens)
            for choice in chunk.choices:
                finish = choice.finish_reason or finish
                if choice.delta.content:
                    text.append(choice.delta.content)
                    if self.on_text is not None:
                        self.on_text(choice.delta.content)
                for d in choice.delta.tool_calls or ():
                    p = parts.setdefault(d.index, {"id": "", "name": "", "args": ""})
                    p["id"] = d.id or p["id"]
                    if d.function:
                        p["name"] = d.function.name or p["name"]
                        p["args"] += d.function.arguments or ""
        calls = tuple(
            ToolCall(p["id"], p["name"], parse_arguments(p["args"]), p["args"])
            for _, p in sorted(parts.items())
        )
        return Reply("".join(text), calls, usage, model, finish)


class AnthropicChat:
    """The Messages API of Anthropic (or a server speaking it)."""

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str,
        model: str,
        http_client: httpx2.Client,
        max_retries: int = 2,
        temperature: float | None = None,
        max_tokens: int = 1024,
        stream: bool = False,
    ) -> None:
        import anthropic

        self.model = model
        self.stream = stream
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.on_text: Callable[[str], None] | None = None
        self._errors = (anthropic.AnthropicError,)
        self._client = anthropic.Anthropic(
            api_key=api_key or "none",
            base_url=base_url,
            http_client=http_client,
            max_retries=max_retries,
        )

    @staticmethod
    def wire_messages(messages: Sequence[Message]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for m in messages:
            if m.role == "tool":
                block = {"type": "tool_result", "tool_use_id": m.tool_call_id, "content": m.content}
                last = out[-1] if out else None
                if last and last["role"] == "user" and isinstance(last["content"], list):
                    last["content"].append(block)  # results of one turn go together
                else:
                    out.append({"role": "user", "content": [block]})
            elif m.role == "assistant" and m.tool_calls:
                blocks: list[dict[str, Any]] = (
                    [{"type": "text", "text": m.content}] if m.content else []
                )
                blocks += [
                    {"type": "tool_use", "id": c.id, "name": c.name, "input": c.arguments or {}}
                    for c in m.tool_calls
                ]
                out.append({"role": "assistant", "content": blocks})
            else:
                out.append({"role": m.role, "content": m.content})
        return out

    def complete(
        self,
        system: str,
        messages: Sequence[Message],
        tools: Sequence[ToolDef] = (),
        *,
        schema: dict[str, Any] | None = None,
    ) -> Reply:
        kwargs: dict[str, Any] = {
            "model": self.model,
            "max_tokens": self.max_tokens,
            "messages": self.wire_messages(messages),
        }
        if system:
            kwargs["system"] = system
        if tools:
            kwargs["tools"] = [
                {"name": t.name, "description": t.description, "input_schema": t.parameters}
                for t in tools
            ]
        if schema is not None:  # structured output: a tool the model must call
            kwargs["tools"] = [
                {
                    "name": OUTPUT_TOOL,
                    "description": "Give the answer in this form.",
                    "input_schema": schema,
                }
            ]
            kwargs["tool_choice"] = {"type": "tool", "name": OUTPUT_TOOL}
        if self.temperature is not None:
            kwargs["temperature"] = self.temperature
        try:
            if self.stream:
                with self._client.messages.stream(**kwargs) as events:
                    if self.on_text is not None:
                        for piece in events.text_stream:
                            self.on_text(piece)
                    r = events.get_final_message()
            else:
                r = self._client.messages.create(**kwargs)
        except self._errors as exc:
            raise _failure("Anthropic", exc) from None
        text = "".join(b.text for b in r.content if b.type == "text")
        calls = tuple(
            ToolCall(
                b.id, b.name, b.input if isinstance(b.input, dict) else None, json.dumps(b.input)
            )
            for b in r.content
            if b.type == "tool_use"
        )
        usage = Usage(r.usage.input_tokens, r.usage.output_tokens)
        if schema is not None:
            out = next((c for c in calls if c.name == OUTPUT_TOOL), None)
            text, calls = (out.raw if out else text), ()
        return Reply(text, calls, usage, r.model or self.model, r.stop_reason or "")
