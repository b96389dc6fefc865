"""TLS through the guarded transport: SNI and certificate checks use the original host
name even though the connection goes to the address the guard checked."""

from __future__ import annotations

import ssl
from pathlib import Path

import httpx
import pytest

from engine.net import safe_client
from tests.net._tls import tls_server

__all__ = ["tls_server"]  # the fixture, imported for pytest


def test_sni_and_hostname_check_use_the_original_name(tls_server: tuple[int, Path]) -> None:
    port, cert = tls_server
    trust = ssl.create_default_context(cafile=str(cert))
    with safe_client(allow=["localhost"], verify=trust) as client:
        r = client.get(f"https://localhost:{port}/")
    assert r.status_code == 200 and r.text == "sni=localhost"


def test_untrusted_certificate_fails_unless_verification_is_off(
    tls_server: tuple[int, Path],
) -> None:
    port, _ = tls_server
    with (
        safe_client(allow=["127.0.0.1/32"]) as client,
        pytest.raises(httpx.ConnectError, match="CERTIFICATE"),
    ):
        client.get(f"https://localhost:{port}/")
    with safe_client(allow=["127.0.0.1/32"], verify=False) as client:
        assert client.get(f"https://localhost:{port}/").status_code == 200


def test_loopback_https_is_still_refused_without_allow_list(tls_server: tuple[int, Path]) -> None:
    from engine.errors import SSRFBlocked

    port, _ = tls_server
    with safe_client(allow=[], verify=False) as client, pytest.raises(SSRFBlocked):
        client.get(f"https://localhost:{port}/")
