"""Asynchronous ``httpx2`` clients pinned to one checked address, for long-lived
connections to a single server (the MCP client's streamable-HTTP servers).

:func:`pin` resolves the URL's host **once**, refuses it under the outbound rule
(private, loopback and link-local ranges unless allow-listed, see
:mod:`engine.net.ssrf`), and returns the checked addresses. :func:`pinned_async_client`
builds an ``httpx2.AsyncClient`` whose connections go to those addresses only: the
host name is never resolved again, so a DNS answer that changes after the check (DNS
rebinding) cannot send a request to a private address. TLS still checks the
certificate against the host *name* (SNI), and the ``Host`` header is untouched.
Connections to any other host or port (a redirect, say) are refused; so are proxies
from the environment (``trust_env=False``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from engine.errors import SSRFBlocked
from engine.net.ssrf import Resolver, check_url, parse_allow, resolve_checked

__all__ = ["Pin", "pin", "pinned_async_client"]


@dataclass(frozen=True)
class Pin:
    """Where a URL's host may be reached: its name, port and the checked addresses."""

    host: str
    port: int
    addresses: tuple[str, ...]


def pin(url: str, *, allow: Any = None, resolver: Resolver | None = None) -> Pin:
    """Resolves ``url``'s host once and checks every address.

    Args:
        allow: an allow-list (or entries); ``None`` reads ``AURA_HTTP_ALLOW`` plus the
            run-time list admins keep.
        resolver: a ``getaddrinfo``-compatible function (tests).

    Raises:
        SSRFBlocked: the scheme or an address is refused.
        OSError: the name does not resolve.
    """
    from engine.config import settings
    from engine.net.allowlist import effective_allow

    allow_list = effective_allow(parse_allow(settings().http.allow if allow is None else allow))
    check_url(url, allow_list)
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    port = parts.port or (443 if parts.scheme == "https" else 80)
    addresses = resolve_checked(host, port, allow_list, resolver)
    return Pin(host, port, tuple(addresses))


def _backend(p: Pin) -> Any:
    import httpcore2

    class PinnedBackend(httpcore2.AsyncNetworkBackend):
        """Connects to the pinned addresses of the pinned host; refuses anything else."""

        def __init__(self) -> None:
            self._inner = httpcore2.AnyIOBackend()

        async def connect_tcp(
            self,
            host: str,
            port: int,
            timeout: float | None = None,
            local_address: str | None = None,
            socket_options: Iterable[Any] | None = None,
        ) -> Any:
            if host.strip("[]").lower() != p.host or port != p.port:
                raise SSRFBlocked(
                    f"Refused to connect to {host}:{port}: this connection may only reach "
                    f"{p.host}:{p.port}.",
                    details={"host": host},
                )
            last: Exception | None = None
            for address in p.addresses:
                try:
                    return await self._inner.connect_tcp(
                        address,
                        port,
                        timeout=timeout,
                        local_address=local_address,
                        socket_options=socket_options,
                    )
                except (httpcore2.ConnectError, httpcore2.ConnectTimeout) as exc:
                    last = exc
            assert last is not None
            raise last

        async def connect_unix_socket(self, *args: Any, **kwargs: Any) -> Any:
            raise SSRFBlocked("Refused to connect to a Unix socket.")

        async def sleep(self, seconds: float) -> None:
            await self._inner.sleep(seconds)

    return PinnedBackend()


def pinned_async_client(
    p: Pin, *, headers: dict[str, str] | None = None, timeout: Any = None
) -> Any:
    """An ``httpx2.AsyncClient`` that reaches ``p.host`` at ``p.addresses`` only (no
    redirects followed, no environment proxies)."""
    import httpcore2
    import httpx2

    transport = httpx2.AsyncHTTPTransport(trust_env=False)
    transport._pool = httpcore2.AsyncConnectionPool(  # the same pool, with our backend
        ssl_context=httpx2.create_ssl_context(trust_env=False),
        network_backend=_backend(p),
    )
    return httpx2.AsyncClient(
        transport=transport,
        headers=headers,
        timeout=timeout,
        follow_redirects=False,
        trust_env=False,
    )
