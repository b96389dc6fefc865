"""A real local HTTP server speaking the OpenAI Chat Completions and Anthropic Messages
wire protocols, scripted per test (the LLM providers' stand-in: no internet in tests).

Each test gives a *script*: a list of replies, used in order, one per model call. A reply
is a dict in a neutral form, or a function of the request body returning one:

* ``{"text": "..."}``: a final answer;
* ``{"tool": "name", "args": {...}}`` (or ``"raw_args": "not json"``): a tool call;
* ``{"status": 429, "retry_after": 0}``: an error answer;
* any of them with ``"delay": seconds``: answered that much later (without holding
  other calls up: a slow model).

Every request is kept (path, headers, JSON body) so tests can check what the SDKs sent;
``pages`` counts the fetches of ``/page`` (an HTTP tool's target) by ``name``.
When the script runs out, the last reply repeats (a model that loops forever). Replies
are rendered in the wire format of the endpoint called: ``/v1/chat/completions``
(OpenAI, with ``stream: true`` as SSE chunks) or ``/v1/messages`` (Anthropic).
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

__all__ = ["LLMServer", "Reply", "last_tool_result"]

Reply = dict[str, Any] | Callable[[dict[str, Any]], dict[str, Any]]


def last_tool_result(body: dict[str, Any]) -> str:
    """The content of the newest tool result in a request (either protocol)."""
    for msg in reversed(body.get("messages", [])):
        if msg.get("role") == "tool":
            return str(msg.get("content"))
        content = msg.get("content")
        if isinstance(content, list):
            for block in reversed(content):
                if block.get("type") == "tool_result":
                    c = block.get("content")
                    if isinstance(c, list):
                        return "".join(b.get("text", "") for b in c)
                    return str(c)
    raise AssertionError(f"no tool result in the request: {body}")


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class LLMServer:
    """Start with ``with LLMServer() as llm:``; set ``llm.script`` per test."""

    script: list[Reply] = field(default_factory=list)
    requests: list[Seen] = field(default_factory=list)
    port: int = 0
    keys: set[str] = field(default_factory=set)
    pages: list[str] = field(default_factory=list)
    _server: uvicorn.Server | None = None
    _thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def play(self, *replies: Reply) -> None:
        """Replaces the script and forgets earlier requests."""
        with self._lock:
            self.script = list(replies)
            self.requests.clear()
            self.pages.clear()

    def _next(self, body: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            if not self.script:
                raise AssertionError("the LLM server got a call but has no script")
            reply = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        return reply(body) if callable(reply) else reply

    async def _openai(self, request: Request) -> Response:
        body = await request.json()
        self.requests.append(Seen(request.url.path, dict(request.headers), body))
        r = self._next(body)
        if r.get("delay"):
            await asyncio.sleep(float(r["delay"]))
        if "status" in r:
            return _error(r, {"error": {"message": "scripted error", "type": "rate_limit"}})
        message: dict[str, Any] = {"role": "assistant", "content": r.get("text")}
        finish = "stop"
        if "tool" in r:
            args = r.get("raw_args", json.dumps(r.get("args", {})))
            message["tool_calls"] = [
                {
                    "id": f"call_{len(self.requests)}",
                    "type": "function",
                    "function": {"name": r["tool"], "arguments": args},
                }
            ]
            finish = "tool_calls"
        usage = {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18}
        if body.get("stream"):
            return StreamingResponse(
                _chunks(body, message, finish, usage), media_type="text/event-stream"
            )
        return JSONResponse(
            {
                "id": f"chatcmpl-{len(self.requests)}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body.get("model", "fake"),
                "choices": [{"index": 0, "message": message, "finish_reason": finish}],
                "usage": usage,
            }
        )

    async def _models(self, request: Request) -> Response:
        """The model list, for credential tests: 401 unless a key in ``keys`` is sent."""
        sent = request.headers.get("authorization", "").removeprefix("Bearer ")
        if sent not in self.keys:
            return JSONResponse({"error": {"message": "invalid key"}}, status_code=401)
        return JSONResponse({"data": [{"id": "fake-1", "type": "model"}]})

    async def _anthropic(self, request: Request) -> Response:
        body = await request.json()
        self.requests.append(Seen(request.url.path, dict(request.headers), body))
        r = self._next(body)
        if r.get("delay"):
            await asyncio.sleep(float(r["delay"]))
        if "status" in r:
            return _error(
                r,
                {
                    "type": "error",
                    "error": {"type": "rate_limit_error", "message": "scripted error"},
                },
            )
        content: list[dict[str, Any]] = []
        if r.get("text"):
            content.append({"type": "text", "text": r["text"]})
        stop = "end_turn"
        if "tool" in r:
            content.append(
                {
                    "type": "tool_use",
                    "id": f"toolu_{len(self.requests)}",
                    "name": r["tool"],
                    "input": r.get("args", {}),
                }
            )
            stop = "tool_use"
        message = {
            "id": f"msg_{len(self.requests)}",
            "type": "message",
            "role": "assistant",
            "model": body.get("model", "fake"),
            "content": content,
            "stop_reason": stop,
            "stop_sequence": None,
            "usage": {"input_tokens": 13, "output_tokens": 5},
        }
        if body.get("stream"):
            return StreamingResponse(_events(message), media_type="text/event-stream")
        return JSONResponse(message)

    async def _page(self, request: Request) -> Response:
        """A plain page for HTTP tools to fetch."""
        name = request.query_params.get("name", "you")
        self.pages.append(name)
        return PlainTextResponse(f"the page says hi to {name}")

    def __enter__(self) -> LLMServer:
        app = Starlette(
            routes=[
                Route("/v1/chat/completions", self._openai, methods=["POST"]),
                Route("/v1/messages", self._anthropic, methods=["POST"]),
                Route("/page", self._page, methods=["GET", "POST"]),
                Route("/v1/models", self._models, methods=["GET"]),
            ]
        )
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the local LLM server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None and self._thread is not None
        self._server.should_exit = True
        self._thread.join(timeout=10)


def _error(r: dict[str, Any], body: dict[str, Any]) -> Response:
    headers = {"retry-after": str(r["retry_after"])} if "retry_after" in r else {}
    return JSONResponse(body, status_code=int(r["status"]), headers=headers)


def _events(message: dict[str, Any]) -> Any:
    """The reply as Anthropic's message stream: text in pieces, tool input in two parts."""

    def event(kind: str, data: dict[str, Any]) -> str:
        return f"event: {kind}\ndata: {json.dumps({'type': kind, **data})}\n\n"

    start = {
        **message,
        "content": [],
        "stop_reason": None,
        "usage": {"input_tokens": message["usage"]["input_tokens"], "output_tokens": 0},
    }
    yield event("message_start", {"message": start})
    for i, block in enumerate(message["content"]):
        if block["type"] == "text":
            yield event(
                "content_block_start", {"index": i, "content_block": {"type": "text", "text": ""}}
            )
            for piece in re.findall(r"\s*\S+", block["text"]):
                yield event(
                    "content_block_delta",
                    {"index": i, "delta": {"type": "text_delta", "text": piece}},
                )
        else:
            yield event(
                "content_block_start", {"index": i, "content_block": {**block, "input": {}}}
            )
            args = json.dumps(block["input"])
            for part in (args[: len(args) // 2], args[len(args) // 2 :]):
                yield event(
                    "content_block_delta",
                    {"index": i, "delta": {"type": "input_json_delta", "partial_json": part}},
                )
        yield event("content_block_stop", {"index": i})
    yield event(
        "message_delta",
        {
            "delta": {"stop_reason": message["stop_reason"], "stop_sequence": None},
            "usage": {"output_tokens": message["usage"]["output_tokens"]},
        },
    )
    yield event("message_stop", {})


def _chunks(
    body: dict[str, Any], message: dict[str, Any], finish: str, usage: dict[str, int]
) -> Any:
    """The reply as OpenAI streaming chunks: text word by word, tool calls in two parts."""
    base = {
        "id": "chatcmpl-s",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": body.get("model", "fake"),
    }

    def chunk(delta: dict[str, Any], finish_reason: str | None = None) -> str:
        data = {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}]}
        return f"data: {json.dumps(data)}\n\n"

    yield chunk({"role": "assistant", "content": ""})
    for piece in re.findall(r"\s*\S+", message.get("content") or ""):
        yield chunk({"content": piece})
    for i, call in enumerate(message.get("tool_calls", [])):
        args = call["function"]["arguments"]
        half = len(args) // 2
        yield chunk(
            {
                "tool_calls": [
                    {
                        "index": i,
                        "id": call["id"],
                        "type": "function",
                        "function": {"name": call["function"]["name"], "arguments": args[:half]},
                    }
                ]
            }
        )
        yield chunk({"tool_calls": [{"index": i, "function": {"arguments": args[half:]}}]})
    yield chunk({}, finish)
    yield f"data: {json.dumps({**base, 'choices': [], 'usage': usage})}\n\n"
    yield "data: [DONE]\n\n"
