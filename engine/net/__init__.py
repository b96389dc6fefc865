"""Outbound networking for nodes: an httpx client with an SSRF guard.

``safe_client()`` is what ``ctx.http()`` returns; :mod:`engine.net.ssrf` holds the
address rules and the allow-list (``AURA_HTTP_ALLOW``); :mod:`engine.net.allowlist`
adds the run-time list admins edit in the studio.
"""

from __future__ import annotations

from engine.errors import SSRFBlocked
from engine.net.allowlist import effective_allow, runtime_entries
from engine.net.client import SafeClient, SafeNetworkBackend, SafeTransport, safe_client
from engine.net.ssrf import (
    AllowList,
    blocked_reason,
    check_address,
    check_url,
    normalize_allow_entry,
    parse_allow,
    parse_ip_literal,
    resolve_checked,
)

__all__ = [
    "AllowList",
    "SSRFBlocked",
    "SafeClient",
    "SafeNetworkBackend",
    "SafeTransport",
    "blocked_reason",
    "check_address",
    "check_url",
    "effective_allow",
    "normalize_allow_entry",
    "parse_allow",
    "parse_ip_literal",
    "resolve_checked",
    "runtime_entries",
    "safe_client",
]
