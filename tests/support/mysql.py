"""A real MySQL-compatible server for tests: a private MariaDB on a free loopback port.

Needs ``mariadbd`` and ``mariadb-install-db`` (Debian: ``apt-get install
mariadb-server``; the packaged service is not used). A fresh data directory is made,
the server listens on 127.0.0.1 only, and a user with a random password owns a
throw-away database::

    from tests.support.mysql import mysql_server

    with mysql_server() as db:      # MySqlForTests
        db.credential               # {"host", "port", "database", "user", "password"}

Set ``AURA_TEST_MYSQL_URL`` (``mysql://user:pw@host:port/db``) to use an existing
server instead. Without either, tests that need it skip and say why.

``mysql_server(tls=True)`` starts it with a self-signed certificate for 127.0.0.1
(``db.ca_pem``) and a user that must connect over TLS (``REQUIRE SSL``).
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any
from urllib.parse import urlsplit

import pytest

__all__ = ["ENV_URL", "MySqlForTests", "client_pair", "mysql_server"]

ENV_URL = "AURA_TEST_MYSQL_URL"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class MySqlForTests:
    """A throw-away MariaDB server (or the external one of ``AURA_TEST_MYSQL_URL``)."""

    def __init__(
        self,
        credential: dict[str, Any],
        proc: subprocess.Popen[bytes] | None = None,
        datadir: str | None = None,
        ca_pem: str = "",
    ) -> None:
        self.credential = credential
        self._proc = proc
        self._datadir = datadir
        self.ca_pem = ca_pem
        """The server's self-signed certificate (PEM) when started with TLS."""

    def client_certificate(self, user: str) -> tuple[str, str]:
        """A client certificate and key the server trusts, and a user ``user`` (same
        password) that must present one (``REQUIRE X509``)."""
        import pymysql

        assert self._datadir and self.ca_pem, "start the server with tls=True"
        c = self.credential
        with (
            pymysql.connect(unix_socket=f"{self._datadir}/mysqld.sock", user="root") as conn,
            conn.cursor() as cur,
        ):
            cur.execute(
                "CREATE USER %s@'127.0.0.1' IDENTIFIED BY %s REQUIRE X509", (user, c["password"])
            )
            cur.execute(f"GRANT ALL ON {c['database']}.* TO %s@'127.0.0.1'", (user,))
        return client_pair(self._datadir)

    @classmethod
    def start(cls, tls: bool = False) -> MySqlForTests:
        if os.environ.get(ENV_URL):
            if tls:
                pytest.skip(f"a TLS test needs the private MariaDB, not {ENV_URL}")
            u = urlsplit(os.environ[ENV_URL])
            return cls(
                {
                    "host": u.hostname,
                    "port": u.port or 3306,
                    "database": u.path.lstrip("/"),
                    "user": u.username,
                    "password": u.password or "",
                }
            )
        server, install = (
            shutil.which("mariadbd", path="/usr/sbin:/usr/bin"),
            shutil.which("mariadb-install-db"),
        )
        if not server or not install:
            pytest.skip(
                f"no MySQL-compatible server: install mariadb-server (Debian) or set {ENV_URL}"
            )
        datadir = tempfile.mkdtemp(prefix="aura-mariadb-")
        user = ["--user=root"] if os.geteuid() == 0 else []
        subprocess.run(
            [
                install,
                "--no-defaults",
                f"--datadir={datadir}/data",
                *user,
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        port = _free_port()
        sock = f"{datadir}/mysqld.sock"
        ca_pem, tls_args = "", []
        if tls:
            ca_pem = _self_signed(datadir)[0]
            tls_args = [
                f"--ssl-ca={datadir}/cert.pem",
                f"--ssl-cert={datadir}/cert.pem",
                f"--ssl-key={datadir}/key.pem",
            ]
        proc = subprocess.Popen(
            [
                server,
                "--no-defaults",
                f"--datadir={datadir}/data",
                *user,
                f"--port={port}",
                "--bind-address=127.0.0.1",
                f"--socket={sock}",
                "--skip-name-resolve",
                f"--pid-file={datadir}/mysqld.pid",
                "--innodb-buffer-pool-size=16M",
                "--skip-log-bin",
                *tls_args,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        credential = {
            "host": "127.0.0.1",
            "port": port,
            "database": "aura_test",
            "user": "aura",
            "password": secrets.token_hex(8),
        }
        db = cls(credential, proc, datadir, ca_pem)
        try:
            db._provision(sock, require_tls=tls)
        except BaseException:
            db.stop()
            raise
        return db

    def _provision(self, sock: str, require_tls: bool = False) -> None:
        import pymysql

        deadline = time.monotonic() + 60
        while True:
            try:
                conn = pymysql.connect(unix_socket=sock, user="root", password="")
                break
            except pymysql.err.OperationalError:
                if time.monotonic() > deadline or (self._proc and self._proc.poll() is not None):
                    raise RuntimeError("MariaDB did not start") from None
                time.sleep(0.2)
        c = self.credential
        with conn, conn.cursor() as cur:
            cur.execute(f"CREATE DATABASE {c['database']}")
            cur.execute(
                "CREATE USER %s@'127.0.0.1' IDENTIFIED BY %s" + (" REQUIRE SSL" * require_tls),
                (c["user"], c["password"]),
            )
            cur.execute(f"GRANT ALL ON {c['database']}.* TO %s@'127.0.0.1'", (c["user"],))

    def stop(self) -> None:
        """Stops the server and deletes its data (a no-op for an external one)."""
        if self._proc is not None:
            with suppress(ProcessLookupError):
                os.killpg(self._proc.pid, signal.SIGTERM)
            try:
                self._proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self._proc.pid, signal.SIGKILL)
                self._proc.wait(5)
            self._proc = None
        if self._datadir:
            shutil.rmtree(self._datadir, ignore_errors=True)
            self._datadir = None


def client_pair(folder: str) -> tuple[str, str]:
    """A client certificate (CN 'aura-client') signed by the server's own key, and its key."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    with open(f"{folder}/cert.pem", "rb") as f:
        ca = x509.load_pem_x509_certificate(f.read())
    with open(f"{folder}/key.pem", "rb") as f:
        ca_key = serialization.load_pem_private_key(f.read(), None)
    assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "aura-client")]))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(ca_key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode(), key_pem.decode()


def _self_signed(folder: str) -> tuple[str, str]:
    """A self-signed certificate for 127.0.0.1 (cert.pem, key.pem in ``folder``)."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    san = [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(san), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    with open(f"{folder}/cert.pem", "w") as f:
        f.write(pem)
    with open(f"{folder}/key.pem", "wb") as fb:
        fb.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.TraditionalOpenSSL,
                serialization.NoEncryption(),
            )
        )
    return pem, folder


@contextmanager
def mysql_server(tls: bool = False) -> Iterator[MySqlForTests]:
    """A MariaDB for the duration of the block (see the module docstring)."""
    db = MySqlForTests.start(tls=tls)
    try:
        yield db
    finally:
        db.stop()
