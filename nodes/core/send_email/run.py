"""Send Email: one SMTP session per run, to a checked address, one message per item.

The socket goes to the address :meth:`NodeContext.addresses` allowed, while TLS still
verifies the server's certificate against its host name.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import getaddresses, make_msgid
from typing import Any

from engine.sdk import Item, NodeContext, NodeExecutionError
from nodes.core.send_email.spec import SendEmailParams

_TIMEOUT_S = 30.0


class _Pinned:
    """Connects SMTP sockets to one resolved address instead of resolving again."""

    address = ""

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        sock = socket.create_connection((self.address, port), timeout)
        if isinstance(self, smtplib.SMTP_SSL):
            return self.context.wrap_socket(sock, server_hostname=host)
        return sock


class _Smtp(_Pinned, smtplib.SMTP):
    pass


class _SmtpSsl(_Pinned, smtplib.SMTP_SSL):
    pass


def _open(ctx: NodeContext) -> smtplib.SMTP:
    cred = ctx.credentials("smtp")
    host, port = str(cred.get("host", "")), int(cred.get("port") or 587)
    tls = cred.get("tls") or "starttls"
    context = ssl.create_default_context()
    try:
        address = ctx.addresses(host, port)[0]
        smtp: _Smtp | _SmtpSsl
        if tls == "ssl":
            smtp = _SmtpSsl(timeout=_TIMEOUT_S, context=context)
        else:
            smtp = _Smtp(timeout=_TIMEOUT_S)
        smtp.address = address
        smtp.connect(host, port)
        smtp.ehlo()
        if tls == "starttls":
            smtp.starttls(context=context)
            smtp.ehlo()
        if cred.get("user"):
            smtp.login(str(cred["user"]), str(cred.get("password") or ""))
    except smtplib.SMTPAuthenticationError as exc:
        raise NodeExecutionError(
            f"The mail server {host}:{port} refused the login "
            f"({exc.smtp_code}). Check the SMTP credential."
        ) from None
    except (OSError, smtplib.SMTPException) as exc:
        raise NodeExecutionError(
            f"Could not talk to the mail server {host}:{port}: {exc}. "
            "Check host, port and encryption."
        ) from None
    return smtp


def _addresses(text: str, what: str, i: int) -> list[str]:
    if "\r" in text or "\n" in text:
        raise NodeExecutionError(
            f"Item {i}: '{what}' contains a line break; give addresses separated by commas."
        )
    pairs = getaddresses([text]) if text.strip() else []
    out = []
    for name, addr in pairs:
        if "@" not in addr:
            raise NodeExecutionError(
                f"Item {i}: '{addr or text}' in '{what}' is not an e-mail address."
            )
        out.append(str(Address(display_name=name, addr_spec=addr)) if name else addr)
    return out


def _message(p: SendEmailParams, item: Item, i: int) -> tuple[EmailMessage, list[str]]:
    msg = EmailMessage()
    sender = _addresses(p.from_email, "From", i)
    to, cc, bcc = (
        _addresses(p.to_email, "To", i),
        _addresses(p.cc, "CC", i),
        _addresses(p.bcc, "BCC", i),
    )
    if len(sender) != 1 or not to:
        raise NodeExecutionError(f"Item {i}: give one sender and at least one recipient.")
    msg["From"] = sender[0]
    msg["To"] = ", ".join(to)
    if cc:
        msg["Cc"] = ", ".join(cc)
    if p.reply_to:
        msg["Reply-To"] = ", ".join(_addresses(p.reply_to, "Reply to", i))
    msg["Subject"] = p.subject.replace("\r", " ").replace("\n", " ")
    msg["Message-ID"] = make_msgid()
    msg.set_content(p.text or "")
    if p.html:
        msg.add_alternative(p.html, subtype="html")
    for name in (n.strip() for n in p.attachments.split(",")):
        if not name:
            continue
        binary = (item.binary or {}).get(name)
        if binary is None:
            raise NodeExecutionError(
                f"Item {i} has no binary property '{name}' to attach "
                f"(it has: {', '.join(item.binary or {}) or 'none'})."
            )
        maintype, _, subtype = (binary.mime_type or "application/octet-stream").partition("/")
        msg.add_attachment(
            binary.content(),
            maintype=maintype,
            subtype=subtype or "octet-stream",
            filename=binary.file_name or name,
        )
    return msg, to + cc + bcc


def execute(ctx: NodeContext) -> dict[str, list[Item]]:
    """Sends one message per item; outputs the message id and accepted recipients."""
    items = ctx.items
    if not items:
        return {"main": []}
    smtp = _open(ctx)
    out: list[Item] = []
    try:

        def one(item: Item, i: int) -> dict[str, Any]:
            p = ctx.params(i)
            assert isinstance(p, SendEmailParams)
            msg, rcpts = _message(p, item, i)
            try:
                refused = smtp.send_message(msg, to_addrs=[a for _, a in getaddresses(rcpts)])
            except smtplib.SMTPRecipientsRefused as exc:
                raise NodeExecutionError(
                    f"Item {i}: the mail server refused every recipient: "
                    f"{', '.join(exc.recipients)}."
                ) from None
            except smtplib.SMTPException as exc:
                raise NodeExecutionError(
                    f"Item {i}: the mail server refused the message: {exc}."
                ) from None
            return {
                "message_id": msg["Message-ID"],
                "accepted": len(rcpts) - len(refused),
                "refused": sorted(refused),
            }

        result = ctx.map(one)
        out = result.get("main", [])
        errors = result.get("error")
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()
    return {"main": out, **({"error": errors} if errors else {})}
