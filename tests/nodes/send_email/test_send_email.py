"""Send Email against a real local SMTP server (aiosmtpd)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes, policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from engine.sdk import Binary, Item
from engine.sdk.testing import NodeHarness


class Inbox:
    def __init__(self) -> None:
        self.received: list[Any] = []

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address.startswith("nobody@"):
            return "550 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(envelope)
        return "250 Message accepted"


def _authenticator(
    server: Any, session: Any, envelope: Any, mechanism: str, data: Any
) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"bot", b"pw")
    return AuthResult(success=ok, handled=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = _free_port()
    controller = Controller(
        inbox, hostname="127.0.0.1", port=port, authenticator=_authenticator, auth_require_tls=False
    )
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture(scope="module")
def mail() -> NodeHarness:
    return NodeHarness("core.send_email")


def _send(
    mail: NodeHarness,
    port: int,
    params: dict[str, Any],
    items: Any,
    user: str = "bot",
    password: str = "pw",
    allow: bool = True,
) -> Any:
    cred = {"host": "127.0.0.1", "port": port, "user": user, "password": password, "tls": "none"}
    return mail.run(
        params, items, credentials={"smtp": cred}, http_allow=["127.0.0.1"] if allow else []
    )


def test_one_message_per_item_with_cc_bcc_html_and_attachment(
    smtp: tuple[Inbox, int], mail: NodeHarness
) -> None:
    inbox, port = smtp
    before = len(inbox.received)
    item = Item(
        json={"name": "Ann", "email": "ann@example.com"},
        binary={"invoice": Binary.from_bytes(b"%PDF-1.4 x", "application/pdf", "invoice.pdf")},
    )
    res = _send(
        mail,
        port,
        {
            "from_email": "Shop <shop@example.com>",
            "to_email": "{{ $json.email }}",
            "cc": "boss@example.com",
            "bcc": "audit@example.com",
            "subject": "Hi {{ $json.name }}",
            "text": "Your invoice, {{ $json.name }}.",
            "html": "<p>Your invoice</p>",
            "attachments": "invoice",
        },
        [item.to_dict(), {"name": "Bo", "email": "bo@example.com"}],
    )
    assert res.error is not None  # the second item has no 'invoice' to attach
    assert "no binary property 'invoice'" in res.error.message
    assert len(inbox.received) == before + 1
    env = inbox.received[-1]
    assert sorted(env.rcpt_tos) == ["ann@example.com", "audit@example.com", "boss@example.com"]
    msg = message_from_bytes(env.content, policy=policy.default)
    assert msg["Subject"] == "Hi Ann" and msg["To"] == "ann@example.com"
    assert msg["Cc"] == "boss@example.com" and msg["Bcc"] is None
    assert msg.get_body(("plain",)).get_content().strip() == "Your invoice, Ann."
    assert "<p>Your invoice</p>" in msg.get_body(("html",)).get_content()
    [attachment] = list(msg.iter_attachments())
    assert attachment.get_filename() == "invoice.pdf"
    assert attachment.get_content() == b"%PDF-1.4 x"


def test_output_reports_refused_recipients(smtp: tuple[Inbox, int], mail: NodeHarness) -> None:
    _, port = smtp
    res = _send(
        mail,
        port,
        {
            "from_email": "a@example.com",
            "to_email": "x@example.com, nobody@example.com",
            "subject": "s",
            "text": "t",
        },
        [{}],
    )
    assert res.error is None, res.error
    [out] = res.json()
    assert out["accepted"] == 1 and out["refused"] == ["nobody@example.com"]
    assert out["message_id"].startswith("<")


def test_wrong_password_is_a_clear_error(smtp: tuple[Inbox, int], mail: NodeHarness) -> None:
    _, port = smtp
    res = _send(
        mail,
        port,
        {"from_email": "a@example.com", "to_email": "x@example.com"},
        [{}],
        password="nope",
    )
    assert res.error is not None and "refused the login" in res.error.message


def test_header_injection_in_an_address_is_refused(
    smtp: tuple[Inbox, int], mail: NodeHarness
) -> None:
    inbox, port = smtp
    before = len(inbox.received)
    res = _send(
        mail,
        port,
        {"from_email": "a@example.com", "to_email": "{{ $json.to }}", "subject": "s"},
        [{"to": "x@example.com\nBcc: evil@example.com"}],
    )
    assert res.error is not None
    assert len(inbox.received) == before


def test_loopback_server_is_refused_unless_allowed(
    smtp: tuple[Inbox, int], mail: NodeHarness
) -> None:
    _, port = smtp
    res = _send(
        mail, port, {"from_email": "a@example.com", "to_email": "x@example.com"}, [{}], allow=False
    )
    assert res.error is not None and res.error.code == "ssrf_blocked", res.error
