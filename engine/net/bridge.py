"""SSRF-guarded transports for clients built on the ``httpx2`` fork.

Some libraries speak ``httpx2`` instead of ``httpx``: the ``openai`` and ``anthropic``
SDKs, and Authlib's httpx integration whenever ``httpx2`` is installed (it prefers the
fork). :func:`guarded_transport` lets such a client send every request through AURA's
SSRF-guarded :class:`httpx.Client`, so it obeys the same outbound rule as the HTTP
Request node. :func:`authlib_transport` picks what a given library needs.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx

__all__ = ["authlib_transport", "guarded_client", "guarded_transport"]


def _httpx2() -> Any:
    import httpx2

    return httpx2


def _classes() -> tuple[type, type]:
    httpx2 = _httpx2()

    class _Body(httpx2.SyncByteStream):  # type: ignore[misc, name-defined]
        def __init__(self, response: httpx.Response) -> None:
            self._response = response

        def __iter__(self) -> Iterator[bytes]:
            yield from self._response.iter_raw()

        def close(self) -> None:
            self._response.close()

    class _Guarded(httpx2.BaseTransport):  # type: ignore[misc, name-defined]
        """Forwards each request to ``client`` (an SSRF-guarded :class:`httpx.Client`)."""

        def __init__(self, client: httpx.Client) -> None:
            self._client = client

        def handle_request(self, request: Any) -> Any:
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

    return _Body, _Guarded


def guarded_transport(client: httpx.Client) -> Any:
    """An ``httpx2`` transport sending through ``client`` (SSRF-guarded ``httpx``)."""
    return _classes()[1](client)


def guarded_client(client: httpx.Client, timeout: float) -> Any:
    """An ``httpx2.Client`` for an SDK, sending through ``client``."""
    return _httpx2().Client(transport=guarded_transport(client), timeout=timeout)


def authlib_transport(allow: Any) -> Any:
    """The SSRF-guarded transport for Authlib's httpx ``OAuth2Client``: an ``httpx``
    transport when Authlib runs on ``httpx``, a bridge when it runs on ``httpx2``."""
    from authlib.integrations.httpx_client import _compat

    from engine.net.client import SafeClient, SafeTransport

    if _compat.httpx2 is httpx:
        return SafeTransport(allow=allow)
    return guarded_transport(
        SafeClient(allow=allow, transport=SafeTransport(allow=allow), trust_env=False)
    )
