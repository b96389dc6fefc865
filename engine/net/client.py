"""The HTTP client nodes get from ``ctx.http()``: httpx with an SSRF guard in the transport.

How the guard works:

* :class:`SafeClient` checks the URL text of each request it builds (scheme, IP
  literals in spellings httpx would reject or normalise, such as ``0177.0.0.1``).
* :class:`SafeTransport` checks each request's host before sending. httpx calls the
  transport once per redirect hop, so every hop is checked.
* The transport's connection pool uses :class:`SafeNetworkBackend`, which resolves the
  host name, checks *every* resolved address, then connects to one of those checked
  addresses. TLS still uses the original name for SNI and certificate checks, and the
  ``Host`` header is untouched, so a DNS answer that changes between check and connect
  (DNS rebinding) cannot slip a private address in.

Environment proxies are ignored (``trust_env=False``): a proxy would resolve and connect
on our behalf, out of the guard's sight.
"""

from __future__ import annotations

import functools
import ssl
from collections.abc import Iterable, Mapping
from typing import Any

import httpcore
import httpx

from engine.errors import SSRFBlocked
from engine.net.ssrf import AllowList, Resolver, check_url, parse_allow, resolve_checked

__all__ = ["SafeClient", "SafeNetworkBackend", "SafeTransport", "safe_client"]


class SafeNetworkBackend(httpcore.SyncBackend):
    """Resolves, checks, then connects to the checked address (never re-resolving)."""

    def __init__(self, allow: AllowList, resolver: Resolver | None = None) -> None:
        self.allow = allow
        self.resolver = resolver

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            addresses = resolve_checked(host, port, self.allow, self.resolver)
        except OSError as exc:
            raise httpcore.ConnectError(f"cannot resolve host '{host}': {exc}") from exc
        last: Exception | None = None
        for addr in addresses:
            try:
                return super().connect_tcp(
                    addr,
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last


@functools.lru_cache(maxsize=2)
def _ssl_context(verify: bool) -> ssl.SSLContext:
    """Shared TLS contexts: loading the CA bundle costs tens of milliseconds per client."""
    return httpx.create_ssl_context(verify=verify, trust_env=False)


class SafeTransport(httpx.HTTPTransport):
    """An :class:`httpx.HTTPTransport` whose every hop and connection is SSRF-checked."""

    def __init__(
        self,
        *,
        allow: AllowList | Iterable[str] | str | None = None,
        verify: bool | ssl.SSLContext = True,
        limits: httpx.Limits | None = None,
        resolver: Resolver | None = None,
    ) -> None:
        # HTTPTransport.__init__ is not called: it would build a second pool and TLS
        # context; the parent's methods only use ``self._pool``.
        self.allow = allow if isinstance(allow, AllowList) else parse_allow(allow)
        limits = limits or httpx.Limits(max_connections=100, max_keepalive_connections=20)
        ctx = verify if isinstance(verify, ssl.SSLContext) else _ssl_context(bool(verify))
        self._pool = httpcore.ConnectionPool(
            ssl_context=ctx,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=SafeNetworkBackend(self.allow, resolver),
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        check_url(str(request.url), self.allow)
        return super().handle_request(request)


class SafeClient(httpx.Client):
    """An :class:`httpx.Client` that checks URL text before httpx parses it."""

    def __init__(self, *, allow: AllowList, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.allow = allow

    def build_request(self, method: str, url: httpx.URL | str, **kwargs: Any) -> httpx.Request:
        if isinstance(url, str):
            check_url(url, self.allow)
        return super().build_request(method, url, **kwargs)


def safe_client(
    *,
    allow: Iterable[str] | str | None = None,
    timeout: float | None = None,
    follow_redirects: bool = True,
    max_redirects: int = 10,
    verify: bool | ssl.SSLContext = True,
    headers: Mapping[str, str] | None = None,
    resolver: Resolver | None = None,
) -> httpx.Client:
    """An httpx client that refuses non-public targets unless allow-listed.

    Args:
        allow: hosts or CIDR ranges that may be reached although private; ``None`` reads
            ``settings().http.allow`` (``AURA_HTTP_ALLOW``). The run-time list admins
            keep in the store is always added (:mod:`engine.net.allowlist`).
        timeout: seconds; ``None`` reads ``settings().http.timeout_s``.
        follow_redirects, max_redirects: redirect policy; each hop is checked.
        verify: verify TLS certificates (turn off only for known self-signed servers), or
            an ``ssl.SSLContext`` trusting specific CAs.
        headers: default headers; a ``User-Agent`` from the settings is added.
        resolver: a ``getaddrinfo``-compatible function (tests).

    Returns:
        A client to use as a context manager (``with safe_client() as c: c.get(url)``).
    """
    from engine.config import settings
    from engine.net.allowlist import effective_allow

    conf = settings().http
    allow_list = effective_allow(parse_allow(conf.allow if allow is None else allow))
    all_headers = {"User-Agent": conf.user_agent, **(headers or {})}
    return SafeClient(
        allow=allow_list,
        transport=SafeTransport(allow=allow_list, verify=verify, resolver=resolver),
        timeout=conf.timeout_s if timeout is None else timeout,
        follow_redirects=follow_redirects,
        max_redirects=max_redirects,
        headers=all_headers,
        trust_env=False,
    )


def is_ssrf_error(exc: BaseException) -> bool:
    """True if ``exc`` (or what caused it) is an :class:`SSRFBlocked` refusal."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, SSRFBlocked):
            return True
        seen = seen.__cause__ or seen.__context__
    return False
