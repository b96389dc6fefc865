"""Server-side request forgery (SSRF) guard: which addresses outbound requests may reach.

Nodes fetch user-supplied URLs from inside the worker's network, so by default they may
not reach private, loopback, link-local (cloud metadata), multicast, reserved,
unique-local IPv6 or IPv4-mapped addresses. Operators open specific targets with an
allow-list of hosts or CIDR ranges (``AURA_HTTP_ALLOW``).

The checks run on the *resolved* address just before connecting (see
:mod:`engine.net.client`), so a public-looking name that resolves to ``127.0.0.1`` and
DNS rebinding between check and connect are both refused.
"""

from __future__ import annotations

import ipaddress
import json
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from engine.errors import SSRFBlocked

__all__ = [
    "AllowList",
    "IPAddress",
    "blocked_reason",
    "check_address",
    "check_url",
    "parse_allow",
    "parse_ip_literal",
    "resolve_checked",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[..., list[tuple]]  # type: ignore[type-arg]

_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
ALLOWED_SCHEMES = ("http", "https")


@dataclass(frozen=True)
class AllowList:
    """Hosts and networks that requests may reach even though they are not public.

    ``hosts`` are lower-case names; an entry ``*.corp.example`` (or ``.corp.example``)
    matches every subdomain. ``networks`` are CIDR ranges; a bare IP is a /32 or /128.
    """

    hosts: frozenset[str] = frozenset()
    suffixes: tuple[str, ...] = ()
    networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = field(default=())

    def __bool__(self) -> bool:
        return bool(self.hosts or self.suffixes or self.networks)

    def allows_host(self, host: str) -> bool:
        """True when ``host`` (a name, not an address) is allow-listed by name."""
        h = host.lower().rstrip(".")
        return h in self.hosts or any(h.endswith(s) for s in self.suffixes)

    def allows_ip(self, ip: IPAddress) -> bool:
        """True when ``ip`` falls in an allow-listed network."""
        candidates: list[IPAddress] = [ip]
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            candidates.append(ip.ipv4_mapped)
        return any(
            c in net for c in candidates for net in self.networks if c.version == net.version
        )


def parse_allow(entries: Iterable[str] | str | None) -> AllowList:
    """Builds an :class:`AllowList` from settings or test input.

    Accepts a list of strings, a JSON list, or a comma/space separated string
    (``"127.0.0.1/32, intranet.local"``). Entries that look like addresses or CIDR ranges
    become networks; everything else is a host name (``*.`` prefix for subdomains).

    Raises:
        ValueError: an entry is empty or a malformed CIDR range.
    """
    if entries is None:
        return AllowList()
    if isinstance(entries, str):
        text = entries.strip()
        if text.startswith("["):
            entries = [str(x) for x in json.loads(text)]
        else:
            entries = [e for e in text.replace(",", " ").split() if e]
    hosts: set[str] = set()
    suffixes: list[str] = []
    networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
    for raw in entries:
        entry = str(raw).strip().lower()
        if not entry:
            continue
        literal = entry.strip("[]")
        try:
            networks.append(ipaddress.ip_network(literal, strict=False))
            continue
        except ValueError:
            if "/" in entry:
                raise ValueError(f"allow-list entry {raw!r} is not a valid CIDR range") from None
        if entry.startswith("*."):
            suffixes.append(entry[1:])
        elif entry.startswith("."):
            suffixes.append(entry)
        else:
            hosts.add(entry.rstrip("."))
    return AllowList(frozenset(hosts), tuple(suffixes), tuple(networks))


def parse_ip_literal(host: str) -> IPAddress | None:
    """The address ``host`` denotes if it is an IP literal, else None.

    Besides the standard forms (``127.0.0.1``, ``[::1]``, ``fe80::1%eth0``) this
    understands the legacy ``inet_aton`` spellings that resolvers still accept:
    decimal (``2130706433``), octal (``0177.0.0.1``), hex (``0x7f.1``) and short forms.
    """
    h = host.strip().strip("[]")
    if "%" in h:
        h = h.split("%", 1)[0]
    try:
        return ipaddress.ip_address(h)
    except ValueError:
        pass
    if h and all(c in "0123456789abcdefxABCDEFX." for c in h) and h[0].isdigit():
        try:
            return ipaddress.IPv4Address(socket.inet_aton(h))
        except OSError:
            return None
    return None


def blocked_reason(ip: IPAddress) -> str | None:
    """Why requests to ``ip`` are refused by default ("loopback", ...), or None if public."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return "IPv4-mapped IPv6"
        if ip in _NAT64:
            return "NAT64-embedded"
        if ip.sixtofour is not None and blocked_reason(ip.sixtofour):
            return "6to4 (embedding a private IPv4)"
        if ip.teredo is not None:
            return "Teredo"
    checks: list[tuple[bool, str]] = [
        (ip.is_unspecified, "unspecified (0.0.0.0/::)"),
        (ip.is_loopback, "loopback"),
        (ip.is_link_local, "link-local (cloud metadata)"),
        (ip.is_multicast, "multicast"),
        (
            isinstance(ip, ipaddress.IPv6Address) and ip in ipaddress.ip_network("fc00::/7"),
            "unique-local IPv6",
        ),
        (isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT, "carrier-grade NAT"),
        (ip.is_private, "private"),
        (ip.is_reserved, "reserved"),
        (not ip.is_global, "non-public"),
    ]
    for hit, reason in checks:
        if hit:
            return reason
    return None


def _blocked(host: str, ip: IPAddress, reason: str) -> SSRFBlocked:
    target: IPAddress = ip
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        target = ip.ipv4_mapped
    cidr = f"{target}/{32 if target.version == 4 else 128}"
    shown = host if host.strip("[]") == str(ip) else f"{host} ({ip})"
    article = "an" if reason[0].lower() in "aeiou" or reason.startswith("IPv") else "a"
    return SSRFBlocked(
        f"Refused to connect to {shown}: it is {article} {reason} address, and outbound requests "
        "from nodes may not reach private networks. If this target is trusted, allow-list "
        f"it: set AURA_HTTP_ALLOW={cidr} (comma-separated hosts or CIDR ranges) and restart "
        "AURA.",
        details={"host": host, "address": str(ip), "reason": reason},
    )


def check_address(host: str, ip: IPAddress, allow: AllowList) -> None:
    """Raises :class:`SSRFBlocked` unless ``ip`` is public or allow-listed."""
    reason = blocked_reason(ip)
    if reason is None or allow.allows_ip(ip):
        return
    raise _blocked(host, ip, reason)


def check_url(url: str, allow: AllowList) -> None:
    """Checks what can be checked from the URL text alone (scheme, IP literals).

    Names are checked later, on their resolved addresses. This catches IP spellings that
    URL parsers reject or normalise differently (``http://0177.0.0.1/``).

    Raises:
        SSRFBlocked: the scheme is not http(s) or the host is a refused IP literal.
    """
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
    except ValueError:
        return  # the HTTP client reports malformed URLs itself
    scheme = parts.scheme.lower()
    if scheme and scheme not in ALLOWED_SCHEMES:
        raise SSRFBlocked(
            f"Refused URL scheme '{scheme}:' in {url!r}: only http and https are allowed.",
            details={"url": url},
        )
    if not host or allow.allows_host(host):
        return
    ip = parse_ip_literal(host)
    if ip is not None:
        check_address(host, ip, allow)


def resolve_checked(
    host: str, port: int, allow: AllowList, resolver: Resolver | None = None
) -> list[str]:
    """Resolves ``host`` and returns the addresses it is safe to connect to.

    Every resolved address must pass (a name resolving to one public and one private
    address is refused), unless the host name itself is allow-listed.

    Raises:
        SSRFBlocked: an address is refused.
        OSError: the name does not resolve (socket.gaierror).
    """
    name = host.strip("[]")
    literal = parse_ip_literal(name)
    if literal is not None:
        check_address(host, literal, allow)
        return [str(literal)]
    getaddrinfo = resolver or socket.getaddrinfo
    infos = getaddrinfo(name, port, type=socket.SOCK_STREAM)
    addresses: list[str] = []
    for info in infos:
        addr = str(info[4][0])
        if addr not in addresses:
            addresses.append(addr)
    if allow.allows_host(name):
        return addresses
    for addr in addresses:
        ip = parse_ip_literal(addr)
        if ip is None:  # pragma: no cover - getaddrinfo returns numeric addresses
            raise SSRFBlocked(f"Refused to connect to {host}: unexpected address {addr!r}.")
        check_address(host, ip, allow)
    return addresses
