"""The caller's address: the connecting peer, or what a trusted reverse proxy says.

``X-Forwarded-For`` is written by whoever sends the request, so it is believed only when
the connecting peer is one of ``AURA_TRUSTED_PROXIES`` (addresses or CIDR ranges; empty
by default). Then the header is read from the right (each proxy appends the address it
saw) and the first address that is not itself a trusted proxy is the client. Everything
that limits or records by address (login throttling, audit, webhook IP allowlists) uses
:func:`client_address`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from functools import lru_cache

__all__ = ["client_address"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=16)
def _networks(trusted: tuple[str, ...]) -> tuple[Network, ...]:
    out: list[Network] = []
    for entry in trusted:
        try:
            out.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            continue  # a typo in the setting trusts nothing rather than everything
    return tuple(out)


def _trusted(address: str, networks: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in n for n in networks)


def client_address(
    peer: str | None,
    forwarded_for: str | Iterable[str] | None = None,
    *,
    trusted: Iterable[str] | None = None,
) -> str | None:
    """The client's address for a request from ``peer`` carrying ``forwarded_for``.

    Args:
        peer: the connecting address (``request.client.host``).
        forwarded_for: the ``X-Forwarded-For`` header value(s), if any.
        trusted: proxies to believe (default: ``AURA_TRUSTED_PROXIES``).
    """
    if trusted is None:
        from engine.config import settings

        trusted = settings().security.trusted_proxies
    networks = _networks(tuple(trusted))
    if not peer or not networks or not forwarded_for or not _trusted(peer, networks):
        return peer
    values = [forwarded_for] if isinstance(forwarded_for, str) else list(forwarded_for)
    hops = [h.strip() for v in values for h in v.split(",") if h.strip()]
    client = peer
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            break  # garbage a client wrote: the last proxy's view stands
        client = hop
        if not _trusted(hop, networks):
            break
    return client
