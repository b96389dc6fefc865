"""The SSRF guard refuses non-public targets, in every spelling, unless allow-listed."""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

import pytest

from engine.errors import SSRFBlocked
from engine.net import (
    blocked_reason,
    check_url,
    parse_allow,
    parse_ip_literal,
    resolve_checked,
    safe_client,
)

REFUSED_URLS = [
    "http://127.0.0.1/",
    "http://127.1.2.3:8080/x",
    "http://localhost/",
    "http://[::1]/",
    "http://10.0.0.1/",
    "http://172.16.0.1/",
    "http://172.31.255.255/",
    "http://192.168.1.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://0.0.0.0/",
    "http://[::]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:a9fe:a9fe]/",
    "http://[fd00::1]/",
    "http://[fe80::1]/",
    "http://224.0.0.1/",
    "http://100.64.0.1/",
    "http://2130706433/",
    "http://0177.0.0.1/",
    "http://0x7f000001/",
    "http://0x7f.1/",
    "http://127.1/",
]


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_private_targets_are_refused(url: str) -> None:
    with safe_client(allow=[]) as client, pytest.raises(SSRFBlocked) as err:
        client.get(url, timeout=2)
    assert "AURA_HTTP_ALLOW" in err.value.message


def test_message_tells_how_to_allow_list() -> None:
    with safe_client(allow=[]) as client, pytest.raises(SSRFBlocked) as err:
        client.get("http://169.254.169.254/")
    msg = err.value.message
    assert "link-local" in msg
    assert "set AURA_HTTP_ALLOW=169.254.169.254/32 " in msg
    assert err.value.details["address"] == "169.254.169.254"


def test_other_schemes_are_refused() -> None:
    with pytest.raises(SSRFBlocked, match="scheme"):
        check_url("file:///etc/passwd", parse_allow([]))
    with pytest.raises(SSRFBlocked, match="scheme"):
        check_url("gopher://example.com/", parse_allow([]))


def test_public_name_resolving_to_loopback_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    real = socket.getaddrinfo

    def fake(host: str, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        if host == "totally-public.example.com":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    with safe_client(allow=[]) as client, pytest.raises(SSRFBlocked, match="loopback"):
        client.get("http://totally-public.example.com/")


def test_one_private_address_among_public_ones_is_refused() -> None:
    def resolver(host: str, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port)),
        ]

    with (
        safe_client(allow=[], resolver=resolver) as client,
        pytest.raises(SSRFBlocked, match=r"10\.0\.0\.7"),
    ):
        client.get("http://mixed.example.com/")


def test_dns_rebinding_connects_to_the_checked_address(server: str) -> None:
    """The name is resolved once; the connection goes to that checked address."""
    answers = iter(["127.0.0.1", "10.9.9.9"])  # second answer would be a rebinding
    calls: list[str] = []

    def resolver(host: str, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        calls.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]

    port = server.rsplit(":", 1)[1]
    with safe_client(allow=["127.0.0.1/32"], resolver=resolver) as client:
        r = client.get(f"http://rebind.example:{port}/ok")
    assert r.status_code == 200
    assert r.text == f"ok host=rebind.example:{port}"  # Host header kept
    assert calls == ["rebind.example"]


def test_allow_list_permits_loopback_server(server: str) -> None:
    with safe_client(allow=["127.0.0.1/32"]) as client:
        r = client.get(f"{server}/ok")
    assert r.status_code == 200
    assert r.text.startswith("ok")


def test_allow_list_by_host_name(server: str) -> None:
    port = server.rsplit(":", 1)[1]
    with safe_client(allow=["localhost"]) as client:
        r = client.get(f"http://localhost:{port}/ok")
    assert r.status_code == 200


def test_allow_list_from_settings(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.config import reset_settings

    monkeypatch.setenv("AURA_HTTP_ALLOW", "10.0.0.0/8,127.0.0.0/8")
    reset_settings()
    try:
        with safe_client() as client:
            assert client.get(f"{server}/ok").status_code == 200
    finally:
        monkeypatch.delenv("AURA_HTTP_ALLOW")
        reset_settings()
    with safe_client() as client, pytest.raises(SSRFBlocked):
        client.get(f"{server}/ok")


def test_redirect_to_private_address_is_refused(server: str) -> None:
    """An allowed server redirecting to a refused address: the second hop is checked."""
    with safe_client(allow=["127.0.0.1/32"]) as client:
        assert client.get(f"{server}/redirect?to={server}/ok").status_code == 200
        with pytest.raises(SSRFBlocked, match=r"169\.254\.169\.254"):
            client.get(f"{server}/redirect?to=http://169.254.169.254/latest/meta-data/")
        port = server.rsplit(":", 1)[1]
        with pytest.raises(SSRFBlocked, match="loopback"):  # ::1 is not allow-listed
            client.get(f"{server}/redirect?to=http://[::1]:{port}/ok")


def test_parse_allow_forms() -> None:
    a = parse_allow("127.0.0.1/32, intranet.local *.corp.example")
    assert a.allows_ip(ipaddress.ip_address("127.0.0.1"))
    assert a.allows_ip(ipaddress.ip_address("::ffff:127.0.0.1"))
    assert not a.allows_ip(ipaddress.ip_address("127.0.0.2"))
    assert a.allows_host("intranet.local") and a.allows_host("Intranet.Local.")
    assert a.allows_host("api.corp.example") and not a.allows_host("corp.example.evil")
    assert parse_allow('["10.0.0.0/8"]').allows_ip(ipaddress.ip_address("10.2.3.4"))
    assert not parse_allow(None)
    with pytest.raises(ValueError, match="CIDR"):
        parse_allow(["10.0.0.0/99"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2130706433", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("[::1]", "::1"),
        ("fe80::1%eth0", "fe80::1"),
        ("example.com", None),
        ("1e100.net", None),
    ],
)
def test_parse_ip_literal(text: str, expected: str | None) -> None:
    ip = parse_ip_literal(text)
    assert (str(ip) if ip else None) == expected


@pytest.mark.parametrize("addr", ["8.8.8.8", "93.184.216.34", "2606:4700::1111"])
def test_public_addresses_pass(addr: str) -> None:
    assert blocked_reason(ipaddress.ip_address(addr)) is None


def test_public_name_resolves_to_its_addresses() -> None:
    def resolver(host: str, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("2606:2800::1", port, 0, 0)),
        ]

    assert resolve_checked("example.com", 443, parse_allow([]), resolver) == [
        "93.184.216.34",
        "2606:2800::1",
    ]
