"""Service kinds: PostgreSQL, MySQL, SMTP, OpenAI-compatible and Anthropic APIs, each with a
live test."""

from __future__ import annotations

import smtplib
import ssl
from ssl import SSLContext
from typing import Any, ClassVar, Literal

from pydantic import Field

from engine.credentials._net import TIMEOUT_S, checked_addresses, http_test
from engine.credentials.base import CredentialKind, TestResult, secret
from engine.errors import CredentialError, SSRFBlocked
from engine.sdk.tls import client_tls_context

__all__ = ["Anthropic", "MySql", "OpenAICompatible", "Postgres", "Smtp"]


def _select_one_result(value: Any, database: str, host: str, port: int, user: str) -> TestResult:
    """The test's verdict on the row ``SELECT 1`` returned (either SQL kind)."""
    ok = value is not None and value[0] == 1
    return TestResult(
        ok,
        f"Connected to {database} on {host}:{port} as {user}."
        if ok
        else "SELECT 1 did not return 1.",
    )


class Postgres(CredentialKind):
    kind: ClassVar[str] = "postgres"
    title: ClassVar[str] = "PostgreSQL"
    description: ClassVar[str] = "A PostgreSQL database (tested with SELECT 1)."

    host: str = Field(min_length=1, description="Server host name or address.")
    port: int = Field(5432, ge=1, le=65535, description="Server port.")
    database: str = Field(min_length=1, description="Database name.")
    user: str = Field(min_length=1, description="User name.")
    password: str = secret("Password.", default="")
    ssl: Literal["disable", "prefer", "require", "verify-full"] = Field(
        "prefer", description="TLS mode (libpq sslmode)."
    )

    def test(self) -> TestResult:
        import psycopg

        try:
            address = checked_addresses(self.host, self.port)[0]
            with psycopg.connect(
                host=self.host,
                hostaddr=address,
                port=self.port,
                dbname=self.database,
                user=self.user,
                password=self.password,
                sslmode=self.ssl,
                connect_timeout=int(TIMEOUT_S),
            ) as conn:
                value = conn.execute("SELECT 1").fetchone()
        except SSRFBlocked as exc:
            return TestResult(False, exc.message)
        except (OSError, psycopg.Error) as exc:
            return TestResult(
                False,
                f"Could not connect to PostgreSQL at {self.host}:{self.port}: {str(exc).strip()}",
            )
        return _select_one_result(value, self.database, self.host, self.port, self.user)


class MySql(CredentialKind):
    kind: ClassVar[str] = "mysql"
    title: ClassVar[str] = "MySQL / MariaDB"
    description: ClassVar[str] = "A MySQL or MariaDB database (tested with SELECT 1)."

    host: str = Field(min_length=1, description="Server host name or address.")
    port: int = Field(3306, ge=1, le=65535, description="Server port.")
    database: str = Field(min_length=1, description="Database name.")
    user: str = Field(min_length=1, description="User name.")
    password: str = secret("Password.", default="")
    ssl: Literal["disable", "require", "verify"] = Field(
        "disable",
        description="TLS: not required (still encrypted, unverified, when the server "
        "offers it), required (not verified), or required and verified against the "
        "host name.",
    )
    ca_certificate: str = Field(
        "",
        max_length=65_536,
        description="TLS 'verify': the CA certificate (PEM) to trust instead of the "
        "system's, for a private CA or a self-signed server.",
    )
    client_certificate: str = Field(
        "",
        max_length=65_536,
        description="TLS: a client certificate (PEM), for servers that require one.",
    )
    client_key: str = secret("TLS: the client certificate's private key (PEM).", default="")

    def tls(self) -> SSLContext | None:
        """The client TLS context of this credential (None when TLS is off)."""
        return client_tls_context(
            self.ssl,
            ca_pem=self.ca_certificate,
            cert_pem=self.client_certificate,
            key_pem=self.client_key,
            what="The MySQL credential",
        )

    def connect(self, address: str) -> Any:
        """A PyMySQL connection to ``address`` (an address checked for this host)."""
        import pymysql

        context = self.tls()
        tls: dict[str, Any] | None = {"ssl": context} if context is not None else None
        return pymysql.connect(
            host=self.host if self.ssl == "verify" else address,
            port=self.port,
            user=self.user,
            password=self.password,
            database=self.database,
            connect_timeout=int(TIMEOUT_S),
            charset="utf8mb4",
            **(tls or {}),
        )

    def test(self) -> TestResult:
        import pymysql

        try:
            address = checked_addresses(self.host, self.port)[0]
            with self.connect(address) as conn, conn.cursor() as cur:
                cur.execute("SELECT 1")
                value = cur.fetchone()
        except (SSRFBlocked, CredentialError) as exc:
            return TestResult(False, exc.message)
        except (OSError, pymysql.MySQLError) as exc:
            return TestResult(
                False, f"Could not connect to MySQL at {self.host}:{self.port}: {exc}"
            )
        return _select_one_result(value, self.database, self.host, self.port, self.user)


class Smtp(CredentialKind):
    kind: ClassVar[str] = "smtp"
    title: ClassVar[str] = "SMTP"
    description: ClassVar[str] = "A mail server (tested by connecting, EHLO and login)."

    host: str = Field(min_length=1, description="SMTP server host name.")
    port: int = Field(587, ge=1, le=65535, description="Port: 587 (STARTTLS), 465 (TLS).")
    user: str = Field("", description="User name (empty: no login).")
    password: str = secret("Password.", default="")
    tls: Literal["starttls", "ssl", "none"] = Field("starttls", description="Encryption.")

    def test(self) -> TestResult:
        try:
            checked_addresses(self.host, self.port)
            context = ssl.create_default_context()
            smtp: smtplib.SMTP
            if self.tls == "ssl":
                smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=TIMEOUT_S, context=context)
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=TIMEOUT_S)
            with smtp:
                code, banner = smtp.ehlo()
                if self.tls == "starttls":
                    smtp.starttls(context=context)
                    smtp.ehlo()
                if self.user:
                    smtp.login(self.user, self.password)
        except SSRFBlocked as exc:
            return TestResult(False, exc.message)
        except (OSError, smtplib.SMTPException) as exc:
            return TestResult(False, f"SMTP {self.host}:{self.port}: {exc}")
        if not 200 <= code < 300:
            return TestResult(False, f"SMTP {self.host}:{self.port} refused EHLO ({code}).")
        name = banner.decode(errors="replace").splitlines()[0] if banner else self.host
        return TestResult(
            True,
            f"SMTP {self.host}:{self.port} answered EHLO ({name})"
            f"{' and accepted the login' if self.user else ''}.",
        )


class OpenAICompatible(CredentialKind):
    kind: ClassVar[str] = "openai_compatible"
    title: ClassVar[str] = "OpenAI-compatible API"
    description: ClassVar[str] = (
        "An OpenAI-style API (OpenAI, Azure-compatible gateways, "
        "Ollama, vLLM...): base URL, key and default model."
    )

    base_url: str = Field(
        "https://api.openai.com/v1",
        min_length=1,
        description="API base URL, ending before /models.",
    )
    api_key: str = secret("API key (sent as a bearer token).", default="")
    model: str = Field("", description="Default model name.")

    def test(self) -> TestResult:
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        return http_test(self.base_url.rstrip("/") + "/models", what=self.title, headers=headers)


class Anthropic(CredentialKind):
    kind: ClassVar[str] = "anthropic"
    title: ClassVar[str] = "Anthropic API"
    description: ClassVar[str] = (
        "The Anthropic Messages API (Claude): base URL, key and default model."
    )

    base_url: str = Field(
        "https://api.anthropic.com", min_length=1, description="API base URL, ending before /v1."
    )
    api_key: str = secret("API key.", default="")
    model: str = Field("", description="Default model name.")

    def test(self) -> TestResult:
        headers = {
            "x-api-key": self.api_key,
            "Authorization": f"Bearer {self.api_key}",
            "anthropic-version": "2023-06-01",
        }
        return http_test(self.base_url.rstrip("/") + "/v1/models", what=self.title, headers=headers)
