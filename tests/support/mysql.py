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

__all__ = ["ENV_URL", "MySqlForTests", "mysql_server"]

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
    ) -> None:
        self.credential = credential
        self._proc = proc
        self._datadir = datadir

    @classmethod
    def start(cls) -> MySqlForTests:
        if os.environ.get(ENV_URL):
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
        db = cls(credential, proc, datadir)
        try:
            db._provision(sock)
        except BaseException:
            db.stop()
            raise
        return db

    def _provision(self, sock: str) -> None:
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
            cur.execute("CREATE USER %s@'127.0.0.1' IDENTIFIED BY %s", (c["user"], c["password"]))
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


@contextmanager
def mysql_server() -> Iterator[MySqlForTests]:
    """A MariaDB for the duration of the block (see the module docstring)."""
    db = MySqlForTests.start()
    try:
        yield db
    finally:
        db.stop()
