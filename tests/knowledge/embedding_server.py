"""A real local HTTP server speaking the OpenAI embeddings wire protocol
(``POST /v1/embeddings``), the stand-in for Ollama, vLLM or a hosted API in tests.

Its "model" hashes each word of a text into one of :attr:`EmbeddingServer.dims`
buckets (a bag of words): texts sharing words are near, so searches behave sensibly.
It wants ``Authorization: Bearer <key>`` and answers 401 otherwise, echoing the key it
got as OpenAI does (so tests can check AURA masks it). Every request is kept::

    with EmbeddingServer(key="sk-local") as server:
        server.base_url          # http://127.0.0.1:PORT/v1
        server.requests          # [{"headers": {...}, "body": {...}}, ...]
"""

from __future__ import annotations

import hashlib
import math
import re
import socket
import threading
import time
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

__all__ = ["EmbeddingServer", "bag_of_words"]

_WORD = re.compile(r"[a-z0-9_]+")


def bag_of_words(text: str, dims: int) -> list[float]:
    """The server's embedding of ``text``: hashed word counts, unit length."""
    v = [0.0] * dims
    for w in _WORD.findall(text.lower()):
        w = w[:-1] if w.endswith("s") and len(w) > 3 else w
        v[int(hashlib.sha1(w.encode()).hexdigest(), 16) % dims] += 1.0
    norm = math.sqrt(sum(x * x for x in v)) or 1.0
    return [x / norm for x in v]


class EmbeddingServer:
    def __init__(self, key: str = "sk-local", dims: int = 64) -> None:
        self.key, self.dims = key, dims
        self.requests: list[dict[str, Any]] = []
        self.port = 0
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    async def _embeddings(self, request: Request) -> JSONResponse:
        body = await request.json()
        self.requests.append({"headers": dict(request.headers), "body": body})
        got = request.headers.get("authorization", "").removeprefix("Bearer ")
        if got != self.key:
            return JSONResponse(
                {
                    "error": {
                        "message": f"Incorrect API key provided: {got}.",
                        "type": "invalid_request_error",
                        "code": "invalid_api_key",
                    }
                },
                status_code=401,
            )
        texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
        data = [
            {"object": "embedding", "index": i, "embedding": bag_of_words(t, self.dims)}
            for i, t in enumerate(texts)
        ]
        words = sum(len(t.split()) for t in texts)
        return JSONResponse(
            {
                "object": "list",
                "data": data,
                "model": body["model"],
                "usage": {"prompt_tokens": words, "total_tokens": words},
            }
        )

    def __enter__(self) -> EmbeddingServer:
        app = Starlette(routes=[Route("/v1/embeddings", self._embeddings, methods=["POST"])])
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        self._server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the local embeddings server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None and self._thread is not None
        self._server.should_exit = True
        self._thread.join(timeout=10)
