"""The MySQL node and credential over TLS, against a real MariaDB started with a
self-signed certificate whose user must connect encrypted (``REQUIRE SSL``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from engine.credentials.kinds.services import MySql
from engine.sdk.testing import NodeHarness
from tests.support.mysql import MySqlForTests, mysql_server

pytestmark = pytest.mark.slow
TLS_VERSION = "SHOW SESSION STATUS LIKE 'Ssl_version'"


@pytest.fixture(scope="module")
def db() -> Iterator[MySqlForTests]:
    with mysql_server(tls=True) as server:
        yield server


def _run(cred: dict[str, Any], query: str = TLS_VERSION) -> Any:
    return NodeHarness("core.mysql").run(
        {"query": query, "mode": "once"},
        [{}],
        credentials={"mysql": cred},
        http_allow=[str(cred["host"])],
    )


def test_verified_tls_with_the_servers_ca_is_encrypted(db: MySqlForTests) -> None:
    res = _run({**db.credential, "ssl": "verify", "ca_certificate": db.ca_pem})
    assert res.error is None, res.error
    [row] = res.json()
    assert row["Value"].startswith("TLSv1.")


def test_required_tls_encrypts_without_checking_the_certificate(db: MySqlForTests) -> None:
    res = _run({**db.credential, "ssl": "require"})
    assert res.error is None, res.error
    assert res.json()[0]["Value"].startswith("TLSv1.")


def test_what_fails_says_why(db: MySqlForTests) -> None:
    unknown_ca = _run({**db.credential, "ssl": "verify"})  # the system's CAs only
    assert unknown_ca.error is not None
    assert "certificate verify failed" in unknown_ca.error.message
    bad = _run({**db.credential, "ssl": "verify", "ca_certificate": "not a certificate"})
    assert bad.error is not None
    assert "CA certificate is not a PEM certificate" in bad.error.message


def test_a_client_certificate_is_presented_when_the_server_requires_one(
    db: MySqlForTests,
) -> None:
    cert, key = db.client_certificate("aura_x509")
    cred = {**db.credential, "user": "aura_x509", "ssl": "verify", "ca_certificate": db.ca_pem}
    without = _run(cred)
    assert without.error is not None and "Access denied" in without.error.message
    res = _run({**cred, "client_certificate": cert, "client_key": key})
    assert res.error is None, res.error
    half = _run({**cred, "client_certificate": cert})
    assert half.error is not None and "client certificate but no key" in half.error.message


def test_the_credential_test_uses_the_tls_settings(
    db: MySqlForTests, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AURA_HTTP_ALLOW", "127.0.0.1")
    from engine.config import reset_settings

    reset_settings()
    ok = MySql(**{**db.credential, "ssl": "verify", "ca_certificate": db.ca_pem}).test()
    assert ok.ok, ok.message
    bad = MySql(**{**db.credential, "ssl": "verify", "ca_certificate": "x"}).test()
    assert not bad.ok and "CA certificate" in bad.message
