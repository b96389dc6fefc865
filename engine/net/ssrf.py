"""Server-side request forgery (SSRF) guard: which addresses outbound requests may reach.

Nodes fetch user-supplied URLs from inside the worker's network, so by default they may
not reach private, loopback, link-local (cloud metadata), multicast, reserved,
unique-local IPv6 or IPv4-mapped addresses. Operators open specific targets with an
allow-list of hosts, CIDR ranges or ``host:port`` pairs: ``AURA_HTTP_ALLOW`` at deploy
time, plus the list an admin edits in the studio (see :mod:`engine.net.allowlist`).

The checks run on the *resolved* address just before connecting (see
:mod:`engine.net.client`), so a public-looking name that resolves to ``127.0.0.1`` and
DNS rebinding between check and connect are both refused.
"""

from __future__ import annotations

import ipaddress
import json
import re
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
    "normalize_allow_entry",
    "parse_allow",
    "parse_ip_literal",
    "resolve_checked",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[..., list[tuple]]  # type: ignore[type-arg]

_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
ALLOWED_SCHEMES = ("http", "https")


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class AllowList:
    """Hosts and networks that requests may reach even though they are not public.

    ``hosts`` are lower-case names; an entry ``*.corp.example`` (or ``.corp.example``)
    matches every subdomain. ``networks`` are CIDR ranges; a bare IP is a /32 or /128.
    ``host_ports`` and ``network_ports`` open a name or an address on one port only
    (entries ``intranet.local:8443``, ``10.0.0.5:5432``, ``[fd00::1]:80``).
    """

    hosts: frozenset[str] = frozenset()
    suffixes: tuple[str, ...] = ()
    networks: tuple[Network, ...] = field(default=())
    host_ports: frozenset[tuple[str, int]] = frozenset()
    network_ports: tuple[tuple[Network, int], ...] = ()

    def __bool__(self) -> bool:
        return bool(
            self.hosts or self.suffixes or self.networks or self.host_ports or self.network_ports
        )

    def merged(self, other: AllowList) -> AllowList:
        """Everything either list allows."""
        if not other:
            return self
        if not self:
            return other
        return AllowList(
            self.hosts | other.hosts,
            (*self.suffixes, *other.suffixes),
            (*self.networks, *other.networks),
            self.host_ports | other.host_ports,
            (*self.network_ports, *other.network_ports),
        )

    def allows_host(self, host: str, port: int | None = None) -> bool:
        """True when ``host`` (a name, not an address) is allow-listed by name (on
        ``port``, for entries limited to one port)."""
        h = host.lower().rstrip(".")
        if h in self.hosts or any(h.endswith(s) for s in self.suffixes):
            return True
        return port is not None and (h, port) in self.host_ports

    def allows_ip(self, ip: IPAddress, port: int | None = None) -> bool:
        """True when ``ip`` falls in an allow-listed network (on ``port``, for entries
        limited to one port)."""
        candidates: list[IPAddress] = [ip]
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            candidates.append(ip.ipv4_mapped)
        nets = list(self.networks)
        if port is not None:
            nets += [net for net, p in self.network_ports if p == port]
        return any(c in net for c in candidates for net in nets if c.version == net.version)


_LABEL = re.compile(r"^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$")
_HOST_PORT = re.compile(r"^(?:\[(?P<v6>[0-9a-f:.%a-z]+)\]|(?P<host>[^:\[\]]+)):(?P<port>[^:]*)$")


def _split_port(entry: str) -> tuple[str, int | None]:
    """``("host", 8080)`` for ``host:8080`` / ``[::1]:8080``; ``(entry, None)`` otherwise.

    Raises:
        ValueError: the port is not a number from 1 to 65535.
    """
    m = _HOST_PORT.match(entry)
    if m is None:
        return entry, None
    text = m.group("port")
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise ValueError(
            f"allow-list entry {entry!r} has an invalid port {text!r}: use a "
            "number from 1 to 65535, e.g. 'intranet.local:8443'"
        )
    return (m.group("v6") or m.group("host") or ""), int(text)


def normalize_allow_entry(raw: str) -> str:
    """One allow-list entry checked strictly and written canonically.

    Accepted forms: a host name (``intranet.local``), subdomains (``*.corp.example``), an
    IP address (``10.0.0.5``, ``::1``), a CIDR range (``10.0.0.0/8``), and a host or an
    address with a port (``intranet.local:8443``, ``10.0.0.5:5432``, ``[::1]:8080``).

    Raises:
        ValueError: with a message saying what is wrong and what to write instead.
    """
    entry = str(raw).strip().lower()
    if not entry:
        raise ValueError("an allow-list entry is empty")
    if any(c.isspace() for c in entry) or "," in entry:
        parts = [p for p in re.split(r"[\s,]+", entry) if p]
        if len(parts) > 1 and all(_looks_like_entry(p) for p in parts):
            raise ValueError(
                f"{raw!r} holds several entries; put one host, address or range per entry"
            )
        _check_host(entry, raw)  # not a list of entries: say what an entry looks like
    if "://" in entry or ("/" in entry and parse_ip_literal(entry.split("/", 1)[0]) is None):
        raise ValueError(
            f"{raw!r} is a URL or a path; write only the host, e.g. "
            "'intranet.local' or 'intranet.local:8443'"
        )
    if "/" in entry:
        try:
            net = ipaddress.ip_network(entry.strip("[]"), strict=False)
        except ValueError:
            raise ValueError(
                f"{raw!r} is not a valid CIDR range; write e.g. '10.0.0.0/8' or 'fd00::/8'"
            ) from None
        if net.prefixlen == 0:
            raise ValueError(
                f"{raw!r} would let nodes reach every address, cloud metadata "
                "included; list the networks you trust, e.g. '10.0.0.0/8'"
            )
        return str(net)
    literal = parse_ip_literal(entry)
    if literal is not None:
        return str(literal)
    host, port = _split_port(entry)
    if port is not None:
        try:
            ip = ipaddress.ip_address(host)
        except ValueError:
            if host.startswith(("*.", ".")):
                raise ValueError(
                    f"{raw!r}: a port cannot be combined with a wildcard; "
                    "allow the subdomains without a port, or list each host "
                    "with its port"
                ) from None
            return f"{_check_host(host, raw)}:{port}"
        return f"[{ip}]:{port}" if ip.version == 6 else f"{ip}:{port}"
    if entry.startswith(("*.", ".")):
        return "*." + _check_host(entry.lstrip("*").lstrip("."), raw)
    return _check_host(entry, raw)


def _looks_like_entry(text: str) -> bool:
    """True for something shaped like one allow-list entry (a host, address or range)."""
    return bool(re.fullmatch(r"[a-z0-9_.*:\[\]/-]+", text))


def _check_host(host: str, raw: str) -> str:
    name = host.rstrip(".")
    labels = name.split(".")
    if not name or len(name) > 253 or not all(_LABEL.match(label) for label in labels):
        raise ValueError(
            f"{raw!r} is not a host name, IP address or CIDR range; write e.g. "
            "'intranet.local', '*.corp.example', '10.0.0.5', '10.0.0.0/8' or "
            "'intranet.local:8443'"
        )
    return name


def parse_allow(entries: Iterable[str] | str | None) -> AllowList:
    """Builds an :class:`AllowList` from settings or test input.

    Accepts a list of strings, a JSON list, or a comma/space separated string
    (``"127.0.0.1/32, intranet.local"``). Entries that look like addresses or CIDR ranges
    become networks; everything else is a host name (``*.`` prefix for subdomains). A
    ``:port`` suffix (``intranet.local:8443``, ``[::1]:8080``) limits an entry to one
    port. :func:`normalize_allow_entry` checks an entry strictly (for user input).

    Raises:
        ValueError: an entry is a malformed CIDR range or has an invalid port.
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
    networks: list[Network] = []
    host_ports: set[tuple[str, int]] = set()
    network_ports: list[tuple[Network, int]] = []
    for raw in entries:
        entry = str(raw).strip().lower()
        if not entry:
            continue
        name, port = _split_port(entry) if "/" not in entry else (entry, None)
        if port is not None:
            try:
                network_ports.append((ipaddress.ip_network(name, strict=False), port))
            except ValueError:
                host_ports.add((name.rstrip("."), port))
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
    return AllowList(
        frozenset(hosts),
        tuple(suffixes),
        tuple(networks),
        frozenset(host_ports),
        tuple(network_ports),
    )


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
        "AURA, or have an admin add it in the studio under Admin > Security > Outbound HTTP "
        "allow-list (no restart needed).",
        details={"host": host, "address": str(ip), "reason": reason},
    )


def check_address(host: str, ip: IPAddress, allow: AllowList, port: int | None = None) -> None:
    """Raises :class:`SSRFBlocked` unless ``ip`` is public or allow-listed (on ``port``)."""
    reason = blocked_reason(ip)
    if reason is None or allow.allows_ip(ip, port):
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
        port = parts.port
    except ValueError:
        return  # the HTTP client reports malformed URLs itself
    scheme = parts.scheme.lower()
    if scheme and scheme not in ALLOWED_SCHEMES:
        raise SSRFBlocked(
            f"Refused URL scheme '{scheme}:' in {url!r}: only http and https are allowed.",
            details={"url": url},
        )
    if port is None:
        port = 443 if scheme == "https" else 80
    if not host or allow.allows_host(host, port):
        return
    ip = parse_ip_literal(host)
    if ip is not None:
        check_address(host, ip, allow, port)


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
        check_address(host, literal, allow, port)
        return [str(literal)]
    getaddrinfo = resolver or socket.getaddrinfo
    infos = getaddrinfo(name, port, type=socket.SOCK_STREAM)
    addresses: list[str] = []
    for info in infos:
        addr = str(info[4][0])
        if addr not in addresses:
            addresses.append(addr)
    if allow.allows_host(name, port):
        return addresses
    for addr in addresses:
        ip = parse_ip_literal(addr)
        if ip is None:  # pragma: no cover - getaddrinfo returns numeric addresses
            raise SSRFBlocked(f"Refused to connect to {host}: unexpected address {addr!r}.")
        check_address(host, ip, allow, port)
    return addresses
