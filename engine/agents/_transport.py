"""An ``httpx2`` transport (what the ``openai`` and ``anthropic`` SDKs speak) that sends
every request through AURA's SSRF-guarded ``httpx`` client, so model calls obey the same
outbound rule as the HTTP Request node: private and loopback targets only when allowed."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import httpx2

__all__ = ["GuardedTransport", "guarded_client"]


class _Body(httpx2.SyncByteStream):
    def __init__(self, response: httpx.Response) -> None:
        self._response = response

    def __iter__(self) -> Iterator[bytes]:
        yield from self._response.iter_raw()

    def close(self) -> None:
        self._response.close()


class GuardedTransport(httpx2.BaseTransport):
    """Forwards each request to ``client`` (an SSRF-guarded :class:`httpx.Client`)."""

    def __init__(self, client: httpx.Client) -> None:
        self._client = client

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        headers = [(k, v) for k, v in request.headers.raw if k.lower() != b"host"]
        out = self._client.build_request(
            request.method, str(request.url), headers=headers, content=request.read()
        )
        timeout = request.extensions.get("timeout")
        if isinstance(timeout, dict):
            out.extensions["timeout"] = timeout
        response = self._client.send(out, stream=True)
        return httpx2.Response(
            response.status_code, headers=response.headers.raw, stream=_Body(response)
        )

    def close(self) -> None:
        self._client.close()


def guarded_client(client: httpx.Client, timeout: float) -> httpx2.Client:
    """An ``httpx2.Client`` for an SDK, sending through ``client``."""
    return httpx2.Client(transport=GuardedTransport(client), timeout=timeout)
